using System.Buffers.Binary;

namespace Mira.Conversion.Photos;

/// <summary>
/// Turns one unfiltered PNG row into DICOM native samples: 16-bit samples big endian to little endian, grey below
/// 8 bits scaled to 0–255 (PNG specification §12.4), palette indices to RGB, alpha checked fully opaque and dropped.
/// A transparent pixel (alpha below the maximum, a tRNS colour key or palette entry) is refused: DICOM images have no
/// alpha channel, so dropping it would show what the image hides.
/// </summary>
internal sealed class PngRowConverter(int width, int depth, int colourType, byte[]? palette, byte[]? transparency, string where)
{
    public void Convert(ReadOnlySpan<byte> row, Span<byte> output, int y)
    {
        switch (colourType)
        {
            case 0: Grey(row, output, y); break;
            case 2: Rgb(row, output, y); break;
            case 3: Palette(row, output, y); break;
            default: WithAlpha(row, output, y, colourType == 4 ? 1 : 3); break;
        }
    }

    int Sample(ReadOnlySpan<byte> row, int index) => depth switch
    {
        16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * index)..]),
        8 => row[index],
        _ => row[index * depth / 8] >> (8 - depth - index * depth % 8) & ((1 << depth) - 1),
    };

    ConversionException Transparent(int x, int y, string how) =>
        PngReader.Fail(where, $"the pixel at column {x}, row {y} is transparent ({how}); DICOM images have no alpha channel: flatten the image onto a background first");

    int? Key(int i) => transparency is { } t && t.Length >= 2 * (i + 1) ? BinaryPrimitives.ReadUInt16BigEndian(t.AsSpan(2 * i)) : null;

    void Grey(ReadOnlySpan<byte> row, Span<byte> output, int y)
    {
        var key = Key(0);
        var max = (1 << depth) - 1;
        for (var x = 0; x < width; x++)
        {
            var v = Sample(row, x);
            if (v == key) throw Transparent(x, y, "tRNS grey key " + v);
            if (depth == 16) BinaryPrimitives.WriteUInt16LittleEndian(output[(2 * x)..], (ushort)v);
            else output[x] = (byte)(depth == 8 ? v : v * 255 / max);
        }
    }

    void Rgb(ReadOnlySpan<byte> row, Span<byte> output, int y)
    {
        int? r = Key(0), g = Key(1), b = Key(2);
        for (var x = 0; x < width; x++)
        {
            int sr = Sample(row, 3 * x), sg = Sample(row, 3 * x + 1), sb = Sample(row, 3 * x + 2);
            if (sr == r && sg == g && sb == b) throw Transparent(x, y, "tRNS colour key");
            Put(output, 3 * x, sr);
            Put(output, 3 * x + 1, sg);
            Put(output, 3 * x + 2, sb);
        }
    }

    void Palette(ReadOnlySpan<byte> row, Span<byte> output, int y)
    {
        var entries = palette!.Length / 3;
        for (var x = 0; x < width; x++)
        {
            var i = Sample(row, x);
            if (i >= entries) throw PngReader.Fail(where, $"the pixel at column {x}, row {y} has palette index {i}, the palette has {entries} entries");
            if (transparency is { } t && i < t.Length && t[i] != 255) throw Transparent(x, y, $"palette entry {i} has alpha {t[i]}");
            palette.AsSpan(3 * i, 3).CopyTo(output[(3 * x)..]);
        }
    }

    void WithAlpha(ReadOnlySpan<byte> row, Span<byte> output, int y, int colours)
    {
        var opaque = (1 << depth) - 1;
        for (var x = 0; x < width; x++)
        {
            var alpha = Sample(row, (colours + 1) * x + colours);
            if (alpha != opaque) throw Transparent(x, y, $"alpha {alpha} of {opaque}");
            for (var c = 0; c < colours; c++) Put(output, colours * x + c, Sample(row, (colours + 1) * x + c));
        }
    }

    void Put(Span<byte> output, int index, int value)
    {
        if (depth == 16) BinaryPrimitives.WriteUInt16LittleEndian(output[(2 * index)..], (ushort)value);
        else output[index] = (byte)value;
    }
}
