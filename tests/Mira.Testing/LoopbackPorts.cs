using System.Net;
using System.Net.Sockets;

namespace Mira.Testing;

/// <summary>Ports for the servers the tests start (Orthanc, s3rver, Slurm, mira serve): free on 127.0.0.1 when asked.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
