using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mira.Dicom.Network.Tests;

static class Loopback
{
    /// <summary>Two ends of one loopback TCP connection.</summary>
    public static async Task<(NetworkStream Client, NetworkStream Server)> PairAsync()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var client = new TcpClient();
        var accept = l.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)l.LocalEndpoint).Port);
        var server = await accept;
        return (new NetworkStream(client.Client, true), new NetworkStream(server.Client, true));
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Runs a program, returns its exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string tool, params string[] args) => Mira.Testing.ExternalTool.Exec(tool, args, TimeSpan.FromSeconds(60));
}

/// <summary>A stream wrapper that records every buffer written through it.</summary>
sealed class RecordingStream(Stream inner) : Stream
{
    public List<byte[]> Writes { get; } = [];
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken ct) => inner.FlushAsync(ct);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count)
    {
        Writes.Add(buffer[offset..(offset + count)]);
        inner.Write(buffer, offset, count);
    }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Writes.Add(buffer.ToArray());
        return inner.WriteAsync(buffer, ct);
    }
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
