using System.Buffers.Binary;
using System.IO.Compression;

namespace Mira.Conversion.Photos;

/// <summary>
/// Writes a PNG (ISO/IEC 15948) row by row, so that an image of any height costs memory for two rows: the signature and
/// IHDR at construction, each <see cref="WriteRow"/> filtered (per row, the filter with the smallest sum of absolute
/// differences, the PNG specification's §12.8 heuristic) and deflated into IDAT chunks, IEND at <see cref="Complete"/>.
/// Rows are given as DICOM native pixel data holds them: samples interleaved, 16-bit samples little endian.
/// Samples per pixel: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA; bit depth 8 or 16.
/// </summary>
public sealed class PngWriter : IDisposable
{
    const int ChunkSize = 1 << 16;
    readonly Stream output;
    readonly IdatStream idat;
    readonly ZLibStream zlib;
    readonly int rowBytes, bytesPerPixel, bitDepth;
    byte[] previous, current;
    readonly byte[][] candidates = new byte[PngFilters.Count][];
    int rowsWritten;
    bool completed;

    public PngWriter(Stream output, int width, int height, int samples, int bitDepth, CompressionLevel level = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (samples is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(samples), samples, "1 to 4 samples per pixel");
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "8 or 16 bits");
        (this.output, Width, Height, Samples, this.bitDepth) = (output, width, height, samples, bitDepth);
        bytesPerPixel = samples * bitDepth / 8;
        rowBytes = checked(width * bytesPerPixel);
        previous = new byte[rowBytes];
        current = new byte[rowBytes];
        for (var i = 0; i < candidates.Length; i++) candidates[i] = new byte[rowBytes + 1];

        output.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = samples switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 }; // colour types (§11.2.2)
        WriteChunk(output, "IHDR"u8, ihdr);
        idat = new IdatStream(output);
        zlib = new ZLibStream(idat, level, leaveOpen: true);
    }

    public int Width { get; }
    public int Height { get; }
    public int Samples { get; }

    /// <summary>Adds the next row: <see cref="Width"/> × samples × bytes per sample, 16-bit samples little endian.</summary>
    public void WriteRow(ReadOnlySpan<byte> row)
    {
        if (row.Length != rowBytes) throw new ArgumentException($"a row has {rowBytes} bytes, not {row.Length}", nameof(row));
        if (rowsWritten == Height) throw new InvalidOperationException($"all {Height} rows are written");
        if (bitDepth == 16)
            for (var i = 0; i < rowBytes; i += 2) (current[i], current[i + 1]) = (row[i + 1], row[i]); // PNG is big endian (§7.1)
        else row.CopyTo(current);
        var best = 0;
        var bestScore = long.MaxValue;
        for (var type = 0; type < PngFilters.Count; type++)
        {
            var candidate = candidates[type];
            candidate[0] = (byte)type;
            PngFilters.Filter(type, current, previous, bytesPerPixel, candidate.AsSpan(1));
            long score = 0;
            foreach (var b in candidate.AsSpan(1)) score += b < 128 ? b : 256 - b;
            if (score < bestScore) (best, bestScore) = (type, score);
        }
        zlib.Write(candidates[best]);
        (previous, current) = (current, previous);
        rowsWritten++;
    }

    /// <summary>Ends the image data and writes IEND; every row must have been written.</summary>
    public void Complete()
    {
        if (completed) return;
        if (rowsWritten != Height) throw new InvalidOperationException($"{rowsWritten} of {Height} rows were written");
        zlib.Dispose();
        idat.Flush();
        WriteChunk(output, "IEND"u8, []);
        completed = true;
    }

    public void Dispose() => zlib.Dispose();

    static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        type.CopyTo(head[4..]);
        output.Write(head);
        output.Write(data);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, PngCrc.Of(type, data));
        output.Write(crc);
    }

    /// <summary>Collects the zlib stream into IDAT chunks of at most 64 KiB.</summary>
    sealed class IdatStream(Stream output) : Stream
    {
        readonly byte[] buffer = new byte[ChunkSize];
        int used;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] b, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] b, int offset, int count) => Write(b.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> data)
        {
            while (data.Length > 0)
            {
                var n = Math.Min(data.Length, buffer.Length - used);
                data[..n].CopyTo(buffer.AsSpan(used));
                used += n;
                data = data[n..];
                if (used == buffer.Length) Flush();
            }
        }

        public override void Flush()
        {
            if (used == 0) return;
            WriteChunk(output, "IDAT"u8, buffer.AsSpan(0, used));
            used = 0;
        }
    }
}
