using System.IO.Pipelines;
using System.Text;
using Mira.Server.Dicomweb;

namespace Mira.Server.Tests;

public sealed class MultipartRelatedReaderTests
{
    const string Boundary = "b0und4ry";

    static byte[] Body(string? preamble, string padding, params (string? Type, byte[] Data)[] parts)
    {
        var ms = new MemoryStream();
        void W(string s) => ms.Write(Encoding.ASCII.GetBytes(s));
        if (preamble is not null) W(preamble + "\r\n");
        foreach (var (type, data) in parts)
        {
            W($"--{Boundary}{padding}\r\n");
            if (type is not null) W($"Content-Type: {type}\r\n");
            W("\r\n");
            ms.Write(data);
            W("\r\n");
        }
        W($"--{Boundary}--\r\nepilogue");
        return ms.ToArray();
    }

    /// <summary>Feeds the body through a pipe in chunks of <paramref name="chunk"/> bytes, as a slow client would.</summary>
    static async Task<List<MultipartPart>> ReadAll(byte[] body, int chunk, long maxPart = 1 << 20)
    {
        var pipe = new Pipe();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < body.Length; i += chunk)
                await pipe.Writer.WriteAsync(body.AsMemory(i, Math.Min(chunk, body.Length - i)));
            await pipe.Writer.CompleteAsync();
        });
        var reader = new MultipartRelatedReader(pipe.Reader, Boundary, maxPart);
        var parts = new List<MultipartPart>();
        try
        {
            while (await reader.ReadNextAsync(CancellationToken.None) is { } p)
            {
                parts.Add(p with { Data = p.Data.ToArray() });
                p.Owner.Dispose();
            }
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await writer;
        }
        return parts;
    }

    static byte[] Noise(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        // Near-misses of the delimiter inside the data must stay data.
        if (n > 40) Encoding.ASCII.GetBytes("\r\n--b0und4r").CopyTo(b, n / 2);
        return b;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public async Task Parts_come_back_byte_exact_whatever_the_chunking(int chunk)
    {
        var a = Noise(300_000, 1);
        var b = Noise(17, 2);
        var parts = await ReadAll(Body("preamble text", " \t", ("application/dicom", a), (null, b), ("application/dicom", [])), chunk);
        Assert.Equal(3, parts.Count);
        Assert.Equal(a, parts[0].Data.ToArray());
        Assert.Equal("application/dicom", parts[0].ContentType);
        Assert.Equal(b, parts[1].Data.ToArray());
        Assert.Null(parts[1].ContentType);
        Assert.Empty(parts[2].Data.ToArray());
    }

    [Fact]
    public async Task A_body_without_its_closing_delimiter_is_malformed()
    {
        var body = Body(null, "", ("application/dicom", Noise(1000, 3)));
        var cut = body[..(body.Length - 20)];
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(cut, 64));
        Assert.Contains("ends inside a part", e.Message);
    }

    [Fact]
    public async Task A_part_over_the_limit_is_refused()
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(Body(null, "", ("application/dicom", Noise(5000, 4))), 512, maxPart: 4096));
        Assert.Contains("larger than 4096", e.Message);
    }

    [Fact]
    public async Task A_body_without_any_boundary_is_malformed()
    {
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(Encoding.ASCII.GetBytes("just some text"), 5));
        Assert.Contains("no multipart boundary", e.Message);
    }

    [Fact]
    public async Task Oversized_part_headers_are_refused()
    {
        var body = Encoding.ASCII.GetBytes($"--{Boundary}\r\nX-Long: {new string('a', 20_000)}\r\n\r\nx\r\n--{Boundary}--");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(body, 1000));
        Assert.Contains("headers longer", e.Message);
    }
}
