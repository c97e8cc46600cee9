using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mira.Server.Tests.Sites;

/// <summary>
/// A TCP proxy on a loopback port in front of a server that keeps every byte clients send through it, connection by
/// connection: what the server received, exactly as it came off the wire.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly int target;
    readonly List<MemoryStream> connections = [];
    readonly CancellationTokenSource stop = new();
    readonly Task accepting;

    public RecordingProxy(int targetPort)
    {
        target = targetPort;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The bytes clients sent, one array per connection, in the order the connections were accepted.</summary>
    public IReadOnlyList<byte[]> Received()
    {
        lock (connections) return [.. connections.Select(c => { lock (c) return c.ToArray(); })];
    }

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            var record = new MemoryStream();
            lock (connections) connections.Add(record);
            _ = RelayAsync(client, record);
        }
    }

    async Task RelayAsync(TcpClient client, MemoryStream record)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(IPAddress.Loopback, target);
            var up = Pump(client.GetStream(), server.GetStream(), record);
            var down = Pump(server.GetStream(), client.GetStream(), null);
            await Task.WhenAny(up, down);
        }
    }

    async Task Pump(Stream from, Stream to, MemoryStream? record)
    {
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, stop.Token)) > 0)
            {
                if (record is not null) lock (record) record.Write(buffer, 0, n);
                await to.WriteAsync(buffer.AsMemory(0, n), stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException) { }
        try
        {
            to.Close();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}

/// <summary>One HTTP/1.1 request as received: request line, headers, body (Content-Length framed).</summary>
public sealed record CapturedRequest(string RequestLine, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>
    /// The requests of one connection's bytes, in order. Fails on a body that is not Content-Length framed (chunked), so
    /// no part of a body can go unexamined.
    /// </summary>
    public static List<CapturedRequest> Parse(byte[] stream)
    {
        var requests = new List<CapturedRequest>();
        var at = 0;
        while (at < stream.Length)
        {
            var end = IndexOf(stream, "\r\n\r\n"u8.ToArray(), at);
            Assert.True(end >= 0, "an incomplete HTTP request head in the captured bytes");
            var lines = Encoding.ASCII.GetString(stream, at, end - at).Split("\r\n");
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            Assert.False(headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase),
                "a chunked request body: this parser reads Content-Length bodies only");
            var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var bodyStart = end + 4;
            Assert.True(bodyStart + length <= stream.Length, "a captured request body is cut short");
            requests.Add(new CapturedRequest(lines[0], headers, stream[bodyStart..(bodyStart + length)]));
            at = bodyStart + length;
        }
        return requests;
    }

    /// <summary>The parts of a multipart body, split at its boundary (RFC 2046 §5.1.1): each part's headers and content.</summary>
    public List<(string Headers, byte[] Content)> Parts()
    {
        var type = Headers["Content-Type"];
        var boundary = type.Split(';').Select(p => p.Trim()).First(p => p.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))["boundary=".Length..].Trim('"');
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var parts = new List<(string, byte[])>();
        var at = IndexOf(Body, delimiter, 0);
        Assert.True(at >= 0, "no boundary in a multipart body");
        while (true)
        {
            var afterDelimiter = at + delimiter.Length;
            if (Body.AsSpan(afterDelimiter).StartsWith("--"u8)) return parts;
            var headEnd = IndexOf(Body, "\r\n\r\n"u8.ToArray(), afterDelimiter);
            var next = IndexOf(Body, [.. "\r\n"u8, .. delimiter], headEnd);
            Assert.True(headEnd >= 0 && next >= 0, "a multipart part without its end");
            parts.Add((Encoding.ASCII.GetString(Body, afterDelimiter, headEnd - afterDelimiter), Body[(headEnd + 4)..next]));
            at = next + 2;
        }
    }

    public static int IndexOf(byte[] haystack, byte[] needle, int from) =>
        from < 0 || from > haystack.Length ? -1 : haystack.AsSpan(from).IndexOf(needle) is var i and >= 0 ? from + i : -1;
}
