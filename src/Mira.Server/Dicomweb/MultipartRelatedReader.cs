using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Mira.Server.Dicomweb;

/// <summary>
/// One body part of a multipart message: its Content-Type (null when absent) and its bytes, held in a pooled buffer
/// that the caller disposes once it no longer needs <see cref="Data"/>.
/// </summary>
public sealed record MultipartPart(string? ContentType, ReadOnlyMemory<byte> Data, IDisposable Owner);

/// <summary>
/// Reads the body parts of a <c>multipart/related</c> request (RFC 2387 over RFC 2046 §5.1.1) straight from the
/// request pipe: the delimiter <c>CRLF--boundary</c> is found with a vectorised search and the bytes before it are
/// copied once into the part's buffer, consuming the pipe as it goes so that parts larger than the server's request
/// buffer stream through. The preamble and epilogue are ignored; transport padding after a delimiter is allowed.
/// Limits: a part's headers (16 KiB) and its body (<c>maxPartBytes</c>); a body that ends before the closing
/// delimiter is an <see cref="InvalidDataException"/>.
/// </summary>
public sealed class MultipartRelatedReader
{
    const int MaxHeaderBytes = 16 * 1024;
    readonly PipeReader pipe;
    readonly byte[] delimiter; // CRLF "--" boundary
    readonly long maxPartBytes;
    bool started, finished;

    public MultipartRelatedReader(PipeReader pipe, string boundary, long maxPartBytes)
    {
        if (boundary.Length is 0 or > 70) throw new InvalidDataException("the multipart boundary must have 1 to 70 characters (RFC 2046 §5.1.1)");
        this.pipe = pipe;
        delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        this.maxPartBytes = maxPartBytes;
    }

    /// <summary>The next part, or null after the closing delimiter.</summary>
    public async ValueTask<MultipartPart?> ReadNextAsync(CancellationToken ct)
    {
        if (finished) return null;
        if (!started)
        {
            await SkipPreambleAsync(ct);
            started = true;
        }
        if (await AfterDelimiterIsCloseAsync(ct))
        {
            finished = true;
            return null;
        }
        var contentType = await ReadHeadersAsync(ct);
        var body = await ReadBodyAsync(ct);
        return new MultipartPart(contentType, body.Memory, body);
    }

    /// <summary>Skips up to and including the first delimiter (which may open the body without a leading CRLF).</summary>
    async ValueTask SkipPreambleAsync(CancellationToken ct)
    {
        var dashBoundary = delimiter.AsMemory(2);
        while (true)
        {
            var result = await pipe.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.Length >= dashBoundary.Length && StartsWith(buffer, dashBoundary.Span))
            {
                pipe.AdvanceTo(buffer.GetPosition(dashBoundary.Length));
                return;
            }
            var reader = new SequenceReader<byte>(buffer);
            if (reader.TryReadTo(out ReadOnlySequence<byte> _, delimiter, advancePastDelimiter: true))
            {
                pipe.AdvanceTo(reader.Position);
                return;
            }
            if (result.IsCompleted) throw new InvalidDataException("no multipart boundary found in the body");
            var keep = Math.Min(buffer.Length, delimiter.Length - 1);
            pipe.AdvanceTo(buffer.GetPosition(buffer.Length - keep), buffer.End);
        }
    }

    /// <summary>After a delimiter: "--" closes the body; otherwise optional padding (spaces, tabs) then CRLF.</summary>
    async ValueTask<bool> AfterDelimiterIsCloseAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(ct);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.IsNext("--"u8))
            {
                pipe.AdvanceTo(buffer.End); // the epilogue is ignored
                await DrainAsync(ct);
                return true;
            }
            reader.AdvancePastAny((byte)' ', (byte)'\t');
            if (reader.IsNext("\r\n"u8, advancePast: true))
            {
                pipe.AdvanceTo(reader.Position);
                return false;
            }
            if (reader.Remaining >= 2 || buffer.Length > 1024)
                throw new InvalidDataException("a multipart delimiter is followed by neither CRLF nor \"--\"");
            if (result.IsCompleted) throw new InvalidDataException("the multipart body ends right after a delimiter, without the closing \"--\"");
            pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    async ValueTask DrainAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(ct);
            pipe.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) return;
        }
    }

    /// <summary>Reads the part's header lines up to the empty line; returns its Content-Type.</summary>
    async ValueTask<string?> ReadHeadersAsync(CancellationToken ct)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(ct);
            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            if (reader.IsNext("\r\n"u8, advancePast: true))
            {
                pipe.AdvanceTo(reader.Position);
                return null;
            }
            if (reader.TryReadTo(out ReadOnlySequence<byte> headers, "\r\n\r\n"u8, advancePastDelimiter: true))
            {
                if (headers.Length > MaxHeaderBytes) throw new InvalidDataException($"part headers longer than {MaxHeaderBytes} bytes");
                var text = Encoding.Latin1.GetString(headers);
                pipe.AdvanceTo(reader.Position);
                return ContentTypeOf(text);
            }
            if (buffer.Length > MaxHeaderBytes) throw new InvalidDataException($"part headers longer than {MaxHeaderBytes} bytes");
            if (result.IsCompleted) throw new InvalidDataException("the multipart body ends inside a part's headers");
            pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    static string? ContentTypeOf(string headers)
    {
        foreach (var line in headers.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                return line[(colon + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Copies the part's bytes up to the next delimiter, which is consumed.</summary>
    async ValueTask<PooledBuffer> ReadBodyAsync(CancellationToken ct)
    {
        var output = new PooledBuffer();
        try
        {
            while (true)
            {
                var result = await pipe.ReadAsync(ct);
                var buffer = result.Buffer;
                var reader = new SequenceReader<byte>(buffer);
                if (reader.TryReadTo(out ReadOnlySequence<byte> body, delimiter, advancePastDelimiter: true))
                {
                    Append(output, body);
                    pipe.AdvanceTo(reader.Position);
                    return output;
                }
                if (result.IsCompleted) throw new InvalidDataException("the multipart body ends inside a part (no closing delimiter)");
                // Everything but a possible start of the delimiter is part of the body.
                var safe = buffer.Length - (delimiter.Length - 1);
                if (safe > 0)
                {
                    Append(output, buffer.Slice(0, safe));
                    pipe.AdvanceTo(buffer.GetPosition(safe), buffer.End);
                }
                else pipe.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch
        {
            output.Dispose();
            throw;
        }

        void Append(PooledBuffer part, ReadOnlySequence<byte> bytes)
        {
            if (part.Length + bytes.Length > maxPartBytes) throw new InvalidDataException($"a part is larger than {maxPartBytes} bytes");
            foreach (var segment in bytes) part.Write(segment.Span);
        }
    }

    static bool StartsWith(ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> prefix)
    {
        if (buffer.FirstSpan.Length >= prefix.Length) return buffer.FirstSpan.StartsWith(prefix);
        Span<byte> head = stackalloc byte[prefix.Length];
        buffer.Slice(0, prefix.Length).CopyTo(head);
        return head.SequenceEqual(prefix);
    }
}
