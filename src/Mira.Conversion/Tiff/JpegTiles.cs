using System.Buffers.Binary;

namespace Mira.Conversion.Tiff;

/// <summary>What the markers of a JPEG stream (ITU-T T.81 §B.2) before its first scan say.</summary>
public readonly record struct JpegTileInfo(int SofMarker, int Precision, int Width, int Height, int Components, int MaxH, int MaxV, int AdobeTransform, bool HasJfif)
{
    /// <summary>True when the chroma components are subsampled relative to the first.</summary>
    public bool Subsampled => MaxH > 1 || MaxV > 1;
}

/// <summary>
/// JPEG tiles of a TIFF (compression 7, TIFF Technical Note 2): each tile is an abbreviated stream whose quantisation
/// and Huffman tables live once in the JPEGTables tag (347). <see cref="Merge"/> makes each a complete interchange
/// stream (PS3.5 §8.2.1 needs one per frame) by inserting the tables' segments after the tile's SOI, and for RGB-coded
/// tiles an Adobe APP14 segment with transform 0 so that no decoder converts RGB as if it were YCbCr.
/// </summary>
public static class JpegTiles
{
    static ReadOnlySpan<byte> AdobeRgb => [0xFF, 0xEE, 0x00, 0x0E, (byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>The tile as a complete JPEG stream: SOI, the tables' segments, an APP14 when asked, then the rest of the tile.</summary>
    public static byte[] Merge(ReadOnlySpan<byte> tables, ReadOnlySpan<byte> tile, bool addAdobeRgb)
    {
        if (tile.Length < 4 || tile[0] != 0xFF || tile[1] != 0xD8) throw new FormatException("the JPEG tile does not start with SOI");
        var inner = TableSegments(tables);
        var adobe = addAdobeRgb ? AdobeRgb : [];
        var result = new byte[tile.Length + inner.Length + adobe.Length];
        tile[..2].CopyTo(result);
        inner.CopyTo(result.AsSpan(2));
        adobe.CopyTo(result.AsSpan(2 + inner.Length));
        tile[2..].CopyTo(result.AsSpan(2 + inner.Length + adobe.Length));
        return result;
    }

    /// <summary>The segments of a JPEGTables value without its SOI and EOI.</summary>
    public static ReadOnlySpan<byte> TableSegments(ReadOnlySpan<byte> tables)
    {
        if (tables.Length < 4) return [];
        if (tables[0] != 0xFF || tables[1] != 0xD8) throw new FormatException("JPEGTables does not start with SOI");
        var end = tables.Length;
        if (tables[^2] == 0xFF && tables[^1] == 0xD9) end -= 2;
        return tables[2..end];
    }

    /// <summary>Reads the frame header and colour markers; throws <see cref="FormatException"/> when there is no frame header.</summary>
    public static JpegTileInfo Inspect(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8) throw new FormatException("no SOI");
        int pos = 2, adobe = -1;
        var jfif = false;
        JpegTileInfo? info = null;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF) throw new FormatException($"expected a marker at byte {pos}");
            var marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker is 0xD8 or 0x01 || marker is >= 0xD0 and <= 0xD7) { pos += 2; continue; }
            if (marker == 0xD9) break;
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) throw new FormatException($"marker 0x{marker:X2} at byte {pos} runs past the end");
            var seg = data.Slice(pos + 4, length - 2);
            if (marker == 0xE0 && seg.StartsWith("JFIF\0"u8)) jfif = true;
            if (marker == 0xEE && seg.Length >= 12 && seg.StartsWith("Adobe"u8)) adobe = seg[11];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && seg.Length >= 6)
            {
                var n = seg[5];
                int maxH = 1, maxV = 1;
                for (var c = 0; c < n && 6 + 3 * c + 2 < seg.Length; c++)
                {
                    maxH = Math.Max(maxH, seg[6 + 3 * c + 1] >> 4);
                    maxV = Math.Max(maxV, seg[6 + 3 * c + 1] & 15);
                }
                info = new JpegTileInfo(marker, seg[0], BinaryPrimitives.ReadUInt16BigEndian(seg[3..]), BinaryPrimitives.ReadUInt16BigEndian(seg[1..]), n, maxH, maxV, -1, false);
            }
            if (marker == 0xDA) break;
            pos += 2 + length;
        }
        return info is { } i ? i with { AdobeTransform = adobe, HasJfif = jfif } : throw new FormatException("no frame header (SOF) before the first scan");
    }
}
