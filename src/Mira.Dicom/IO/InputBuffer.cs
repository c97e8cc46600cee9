using System.Buffers;

namespace Mira.Dicom.IO;

/// <summary>
/// A forward window over a stream with absolute positions. Small reads come from the window; long values
/// either bypass it or are skipped by seeking, so a header read touches only the bytes it needs.
/// </summary>
internal sealed class InputBuffer : IDisposable
{
    readonly Stream stream;
    readonly long maxTotal;
    readonly long? length;
    byte[] buffer;
    int start, end;
    long basePosition; // absolute position of buffer[0]
    bool eof;

    readonly DicomReadProblemCode limitCode;
    readonly string limitName;

    /// <param name="limitCode">The problem code when more than <paramref name="maxTotal"/> bytes are asked for.</param>
    /// <param name="limitName">What the limit bounds, for the message (e.g. "the inflated data set").</param>
    public InputBuffer(Stream stream, long startPosition, long maxTotal, int capacity = 64 * 1024,
        DicomReadProblemCode limitCode = DicomReadProblemCode.LimitExceeded, string limitName = "input")
    {
        this.stream = stream;
        this.maxTotal = maxTotal;
        this.limitCode = limitCode;
        this.limitName = limitName;
        // The length is read once: asking a file for it costs a system call, and inputs do not grow while read.
        length = stream.CanSeek ? stream.Length : null;
        if (length is { } l) capacity = (int)Math.Clamp(l - startPosition, 256, capacity);
        buffer = ArrayPool<byte>.Shared.Rent(capacity);
        basePosition = startPosition;
    }

    public void Dispose()
    {
        var b = buffer;
        buffer = [];
        start = end = 0;
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }

    public long Position => basePosition + start;
    public int Available => end - start;
    public bool CanSeek => stream.CanSeek;

    /// <summary>Total length when the stream can tell, else null.</summary>
    public long? Length => length;

    public long? Remaining => Length is { } l ? l - Position : null;

    /// <summary>Makes at least <paramref name="n"/> bytes available; false at end of stream.</summary>
    public bool Ensure(int n)
    {
        if (end - start >= n) return true;
        if (eof) return false;
        if (n > buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(n, buffer.Length * 2));
            Buffer.BlockCopy(buffer, start, bigger, 0, end - start);
            end -= start;
            basePosition += start;
            start = 0;
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = bigger;
        }
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            basePosition += start;
            end -= start;
            start = 0;
        }
        while (end - start < n)
        {
            var read = stream.Read(buffer, end, buffer.Length - end);
            if (read == 0)
            {
                eof = true;
                return false;
            }
            end += read;
            if (basePosition + end > maxTotal) throw OverLimit(basePosition + end);
        }
        return true;
    }

    public bool AtEnd => !Ensure(1);

    public ReadOnlySpan<byte> Peek(int n) => buffer.AsSpan(start, n);

    public void Advance(int n) => start += n;

    /// <summary>
    /// Reads up to <paramref name="n"/> bytes; fewer only at the end of the stream. When the stream cannot tell its
    /// length, a large <paramref name="n"/> is read in growing chunks, so a value that lies about its length costs
    /// only the bytes really there.
    /// </summary>
    public byte[] ReadBytes(long n)
    {
        // A value that cannot fit under the limit is refused before a byte of it is read (or inflated).
        if (Position + n > maxTotal) throw OverLimit(Position + n);
        const int trustedAllocation = 16 << 20;
        if (length is null && n > trustedAllocation) return ReadBytesInChunks(n);
        var result = GC.AllocateUninitializedArray<byte>((int)n);
        var have = Math.Min(end - start, (int)n);
        Buffer.BlockCopy(buffer, start, result, 0, have);
        start += have;
        var done = have;
        while (done < n)
        {
            var read = stream.Read(result, done, (int)n - done);
            if (read == 0)
            {
                eof = true;
                Array.Resize(ref result, done);
                break;
            }
            done += read;
        }
        if (done > have)
        {
            // The window was drained; it now starts at the new position.
            basePosition += end + (done - have);
            start = end = 0;
            if (basePosition > maxTotal) throw OverLimit(basePosition);
        }
        return result;
    }

    DicomFormatException OverLimit(long at) =>
        new(limitCode, $"{limitName} exceeds the limit of {maxTotal} bytes", null, at);

    byte[] ReadBytesInChunks(long n)
    {
        var output = new MemoryStream();
        var left = n;
        while (left > 0 && Ensure(1))
        {
            var take = (int)Math.Min(left, end - start);
            output.Write(buffer, start, take);
            start += take;
            left -= take;
        }
        return output.ToArray();
    }

    /// <summary>Skips <paramref name="n"/> bytes, seeking when the stream allows; returns the bytes skipped.</summary>
    public long Skip(long n)
    {
        if (!stream.CanSeek && Position + n > maxTotal) throw OverLimit(Position + n);
        var inWindow = end - start;
        if (n <= inWindow)
        {
            start += (int)n;
            return n;
        }
        var beyond = n - inWindow;
        var target = basePosition + end + beyond;
        if (stream.CanSeek)
        {
            var len = length!.Value;
            if (target > len) target = len;
            stream.Seek(target, SeekOrigin.Begin);
        }
        else
        {
            var scratch = new byte[81920];
            var left = beyond;
            while (left > 0)
            {
                var read = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, left));
                if (read == 0) { eof = true; break; }
                left -= read;
            }
            target = basePosition + end + (beyond - left);
        }
        var skipped = target - Position;
        basePosition = target;
        start = end = 0;
        return skipped;
    }
}
