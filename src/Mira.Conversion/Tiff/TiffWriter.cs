using System.Buffers.Binary;
using System.Text;

namespace Mira.Conversion.Tiff;

/// <summary>One field of a directory to write: integers (SHORT, LONG, LONG8), rationals, ASCII text or bytes.</summary>
public sealed record TiffField(ushort Tag, ushort Type, long[]? Integers = null, double[]? Rationals = null, string? Text = null, byte[]? Bytes = null)
{
    public static TiffField Short(ushort tag, params long[] v) => new(tag, 3, Integers: v);
    public static TiffField Long(ushort tag, params long[] v) => new(tag, 4, Integers: v);
    public static TiffField Rational(ushort tag, double v) => new(tag, 5, Rationals: [v]);
    public static TiffField Ascii(ushort tag, string v) => new(tag, 2, Text: v);
    public static TiffField Undefined(ushort tag, byte[] v) => new(tag, 7, Bytes: v);

    internal long Count => Integers?.Length ?? Rationals?.Length ?? (Text is not null ? Encoding.Latin1.GetByteCount(Text) + 1 : Bytes!.Length);
}

/// <summary>
/// A small TIFF and BigTIFF writer, either byte order: each directory's tiles or strips are written as they are
/// produced (one in memory at a time), then the directory, linked from the previous one. Used to export slide levels
/// and to make test slides.
/// </summary>
public sealed class TiffWriter : IDisposable
{
    readonly Stream output;
    readonly bool bigTiff, bigEndian;
    long nextPointerAt;

    public TiffWriter(Stream output, bool bigTiff = false, bool bigEndian = false)
    {
        if (!output.CanSeek) throw new ArgumentException("the TIFF writer needs a seekable stream", nameof(output));
        (this.output, this.bigTiff, this.bigEndian) = (output, bigTiff, bigEndian);
        var head = new List<byte>(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        head.AddRange(U16(bigTiff ? (ushort)43 : (ushort)42));
        if (bigTiff) { head.AddRange(U16(8)); head.AddRange(U16(0)); }
        output.Write(head.ToArray());
        nextPointerAt = output.Position;
        output.Write(new byte[bigTiff ? 8 : 4]);
    }

    /// <summary>
    /// Writes <paramref name="chunkCount"/> tiles (when <paramref name="tiled"/>) or strips from <paramref name="chunk"/>,
    /// then a directory of <paramref name="fields"/> plus the offset and byte count arrays.
    /// </summary>
    public void WriteDirectory(IEnumerable<TiffField> fields, int chunkCount, Func<int, ReadOnlyMemory<byte>> chunk, bool tiled)
    {
        var offsets = new long[chunkCount];
        var counts = new long[chunkCount];
        for (var i = 0; i < chunkCount; i++)
        {
            var data = chunk(i);
            offsets[i] = output.Position;
            counts[i] = data.Length;
            output.Write(data.Span);
            if ((output.Position & 1) == 1) output.WriteByte(0);
        }
        var pointerType = bigTiff ? (ushort)16 : (ushort)4;
        var all = fields.Concat([
            new TiffField(tiled ? TiffTags.TileOffsets : TiffTags.StripOffsets, pointerType, Integers: offsets),
            new TiffField(tiled ? TiffTags.TileByteCounts : TiffTags.StripByteCounts, pointerType, Integers: counts),
        ]).OrderBy(f => f.Tag).ToList();
        var ifdAt = output.Position;
        var entrySize = bigTiff ? 20 : 12;
        var inlineSize = bigTiff ? 8 : 4;
        var ifdSize = (bigTiff ? 8 : 2) + all.Count * entrySize + inlineSize;
        var table = new MemoryStream();
        var values = new MemoryStream();
        table.Write(bigTiff ? U64((ulong)all.Count) : U16((ushort)all.Count));
        foreach (var f in all)
        {
            var bytes = Encode(f);
            table.Write(U16(f.Tag));
            table.Write(U16(f.Type));
            table.Write(bigTiff ? U64((ulong)f.Count) : U32((uint)f.Count));
            var slot = new byte[inlineSize];
            if (bytes.Length <= inlineSize) bytes.CopyTo(slot, 0);
            else
            {
                var at = ifdAt + ifdSize + values.Length;
                (bigTiff ? U64((ulong)at) : U32((uint)at)).CopyTo(slot, 0);
                values.Write(bytes);
                if ((values.Length & 1) == 1) values.WriteByte(0);
            }
            table.Write(slot);
        }
        var next = output.Position + ifdSize - inlineSize;
        table.Write(new byte[inlineSize]);
        output.Write(table.ToArray());
        output.Write(values.ToArray());
        var end = output.Position;
        output.Position = nextPointerAt;
        output.Write(bigTiff ? U64((ulong)ifdAt) : U32((uint)ifdAt));
        output.Position = end;
        nextPointerAt = next;
    }

    byte[] Encode(TiffField f)
    {
        if (f.Text is { } text) return [.. Encoding.Latin1.GetBytes(text), 0];
        if (f.Bytes is { } bytes) return bytes;
        if (f.Rationals is { } rationals)
        {
            var r = new List<byte>();
            foreach (var v in rationals)
            {
                const uint denominator = 10000;
                r.AddRange(U32((uint)Math.Round(v * denominator)));
                r.AddRange(U32(denominator));
            }
            return [.. r];
        }
        var ints = f.Integers!;
        var result = new List<byte>();
        foreach (var v in ints)
            result.AddRange(f.Type switch
            {
                3 => U16((ushort)v),
                4 => U32((uint)v),
                16 => U64((ulong)v),
                _ => throw new ArgumentException($"field type {f.Type} is not written from integers"),
            });
        return [.. result];
    }

    byte[] U16(ushort v) { var b = new byte[2]; if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v); return b; }
    byte[] U32(uint v) { var b = new byte[4]; if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
    byte[] U64(ulong v) { var b = new byte[8]; if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }

    public void Dispose() => output.Flush();
}
