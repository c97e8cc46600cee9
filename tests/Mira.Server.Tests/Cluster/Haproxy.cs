using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// A real load balancer in front of the nodes: Debian's <c>haproxy</c>, started in the foreground with a private
/// configuration: HTTP round robin over the nodes' web ports with <c>/health</c> checks every half second (a dead node
/// leaves the rotation within about a second; requests that could not connect are sent to another node), and DIMSE
/// as TCP, least connections. Killed when disposed.
/// </summary>
public sealed class Haproxy : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    Haproxy(Process process, int httpPort, int dimsePort)
    {
        this.process = process;
        HttpPort = httpPort;
        DimsePort = dimsePort;
    }

    public int HttpPort { get; }
    public int DimsePort { get; }
    public Uri Url => new($"http://127.0.0.1:{HttpPort.ToString(CultureInfo.InvariantCulture)}");

    public static string Executable =>
        new[] { "/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("the cluster tests need Debian's haproxy (apt-get install haproxy; tools/test.sh installs it)");

    /// <summary>Starts haproxy over the nodes' (web port, DIMSE port) pairs.</summary>
    public static async Task<Haproxy> StartAsync(string folder, IReadOnlyList<(int Http, int Dimse)> nodes)
    {
        var (httpPort, dimsePort) = (ServeProcess.FreePort(), ServeProcess.FreePort());
        var config = new StringBuilder();
        config.AppendLine("global\n  maxconn 512\n");
        config.AppendLine("defaults\n  timeout connect 2s\n  timeout client 120s\n  timeout server 120s\n  retries 3\n  option redispatch\n");
        config.AppendLine($"frontend web\n  mode http\n  bind 127.0.0.1:{httpPort}\n  default_backend nodes\n");
        // X-Forwarded-For: the nodes trust the balancer (--trusted-proxy) and audit and throttle the client, not haproxy.
        config.AppendLine("backend nodes\n  mode http\n  balance roundrobin\n  option forwardfor\n  option httpchk GET /health\n  http-check expect status 200");
        for (var i = 0; i < nodes.Count; i++)
            config.AppendLine($"  server node{i} 127.0.0.1:{nodes[i].Http} check inter 500 fall 2 rise 2");
        config.AppendLine($"\nfrontend dimse\n  mode tcp\n  bind 127.0.0.1:{dimsePort}\n  default_backend dimse_nodes\n");
        config.AppendLine("backend dimse_nodes\n  mode tcp\n  balance leastconn");
        for (var i = 0; i < nodes.Count; i++)
            config.AppendLine($"  server node{i} 127.0.0.1:{nodes[i].Dimse} check inter 500 fall 2 rise 2");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(path, config.ToString());
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-db", "-f", path }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var proxy = new Haproxy(process, httpPort, dimsePort);
        process.OutputDataReceived += (_, e) => proxy.Append(e.Data);
        process.ErrorDataReceived += (_, e) => proxy.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            Assert.False(process.HasExited, "haproxy exited: " + proxy.Output);
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", httpPort);
                return proxy;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    void Append(string? line)
    {
        lock (output) output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
