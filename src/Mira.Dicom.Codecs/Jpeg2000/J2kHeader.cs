using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Jpeg2000;

/// <summary>One component of the SIZ marker (ITU-T T.800 Table A.9): precision (1–38 bits), signedness and subsampling.</summary>
public readonly record struct J2kComponent(int Precision, bool Signed, int XRsiz, int YRsiz);

/// <summary>
/// The main header of a JPEG 2000 codestream (ITU-T T.800 Annex A; HTJ2K: T.814), read without decoding: to tell a
/// bare codestream from a JP2 file, to refuse damaged headers with a clear message (a native decoder such as OpenJPEG
/// is safest when it is never handed a nonsensical SIZ), and to learn what DICOM needs (size, components, sign,
/// precision, whether the codestream applies the multiple-component transform, whether it is reversible, whether it
/// uses HT code blocks). Used by <see cref="CodecRegistry.Identify"/> and by the OpenJPEG module before decoding.
/// </summary>
public sealed record J2kHeader(
    bool IsJp2,
    int Width,
    int Height,
    int Rsiz,
    IReadOnlyList<J2kComponent> Components,
    bool MultipleComponentTransform,
    bool Reversible,
    bool HighThroughput,
    int CodestreamOffset)
{
    /// <summary>The JP2 signature box (ISO/IEC 15444-1 Annex I.5.1): length 12, type 'jP  ', content 0D 0A 87 0A.</summary>
    static ReadOnlySpan<byte> Jp2Signature => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    const int Soc = 0xFF4F, Siz = 0xFF51, Cod = 0xFF52, Sot = 0xFF90, Eoc = 0xFFD9;

    /// <summary>True when the bytes start with the JP2 signature box.</summary>
    public static bool StartsWithJp2Signature(ReadOnlySpan<byte> data) => data.StartsWith(Jp2Signature);

    /// <summary>True when the bytes start with SOC followed by SIZ (a bare codestream).</summary>
    public static bool StartsWithCodestream(ReadOnlySpan<byte> data) =>
        data.Length >= 4 && BinaryPrimitives.ReadUInt16BigEndian(data) == Soc && BinaryPrimitives.ReadUInt16BigEndian(data[2..]) == Siz;

    /// <summary>Reads the main header; throws <see cref="DicomCodecException"/> for anything OpenJPEG should not be given.</summary>
    public static J2kHeader Parse(ReadOnlySpan<byte> data)
    {
        if (StartsWithJp2Signature(data))
        {
            var offset = FindContiguousCodestream(data);
            return ParseCodestream(data[offset..], isJp2: true, offset);
        }
        if (StartsWithCodestream(data)) return ParseCodestream(data, isJp2: false, 0);
        var head = Convert.ToHexString(data[..Math.Min(8, data.Length)]);
        throw new DicomCodecException(data.Length == 0
            ? "JPEG 2000: the frame is empty"
            : $"JPEG 2000: the frame ({data.Length} bytes, starting {head}) is neither a codestream (SOC FF4F then SIZ FF51) nor a JP2 file (signature box)");
    }

    /// <summary>The offset of the contents of the first Contiguous Codestream box ('jp2c') of a JP2 file.</summary>
    static int FindContiguousCodestream(ReadOnlySpan<byte> data)
    {
        long pos = 0;
        while (pos + 8 <= data.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)pos..]);
            var type = BinaryPrimitives.ReadUInt32BigEndian(data[(int)(pos + 4)..]);
            var header = 8;
            if (length == 1)
            {
                if (pos + 16 > data.Length) break;
                var xl = BinaryPrimitives.ReadUInt64BigEndian(data[(int)(pos + 8)..]);
                length = xl > long.MaxValue ? long.MaxValue : (long)xl;
                header = 16;
            }
            else if (length == 0) length = data.Length - pos; // the box runs to the end of the file
            if (type == 0x6A703263) // 'jp2c'
                return (int)(pos + header);
            if (length < header || pos + length > data.Length)
                throw new DicomCodecException($"JPEG 2000: JP2 box '{BoxName(type)}' at byte {pos} has length {length}, outside the {data.Length}-byte frame");
            pos += length;
        }
        throw new DicomCodecException("JPEG 2000: the JP2 file has no Contiguous Codestream box ('jp2c')");
    }

    static string BoxName(uint type) =>
        string.Concat(Enumerable.Range(0, 4).Select(i => (char)(type >> (24 - 8 * i) & 0xFF) is var c && c is >= ' ' and <= '~' ? c.ToString() : "?"));

    static J2kHeader ParseCodestream(ReadOnlySpan<byte> cs, bool isJp2, int offset)
    {
        var where = isJp2 ? $" (codestream at byte {offset} of the JP2 file)" : "";
        if (!StartsWithCodestream(cs))
            throw new DicomCodecException($"JPEG 2000: the codestream does not start with SOC and SIZ{where}");
        if (cs.Length < 6) throw Truncated("SIZ", where);
        int lsiz = BinaryPrimitives.ReadUInt16BigEndian(cs[4..]);
        if (lsiz < 41 || 4 + lsiz > cs.Length) throw Truncated("SIZ", where);
        var siz = cs.Slice(6, lsiz - 2);
        int rsiz = BinaryPrimitives.ReadUInt16BigEndian(siz);
        static uint U(ReadOnlySpan<byte> s, int at) => BinaryPrimitives.ReadUInt32BigEndian(s[at..]);
        uint xsiz = U(siz, 2), ysiz = U(siz, 6), xosiz = U(siz, 10), yosiz = U(siz, 14);
        uint xtsiz = U(siz, 18), ytsiz = U(siz, 22), xtosiz = U(siz, 26), ytosiz = U(siz, 30);
        int csiz = BinaryPrimitives.ReadUInt16BigEndian(siz[34..]);
        if (csiz is < 1 or > 16384 || lsiz != 38 + 3 * csiz)
            throw new DicomCodecException($"JPEG 2000: SIZ declares {csiz} components with length {lsiz} (38 + 3 × components expected){where}");
        if (xsiz <= xosiz || ysiz <= yosiz || xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz
            || (ulong)xtosiz + xtsiz <= xosiz || (ulong)ytosiz + ytsiz <= yosiz)
            throw new DicomCodecException($"JPEG 2000: SIZ describes no valid image or tile grid: image {xosiz}..{xsiz} × {yosiz}..{ysiz}, tiles {xtsiz}×{ytsiz} from {xtosiz},{ytosiz}{where}");
        var width = xsiz - xosiz;
        var height = ysiz - yosiz;
        if (width > 65535 || height > 65535)
            throw new DicomCodecException($"JPEG 2000: SIZ describes a {width}×{height} image, larger than DICOM Rows and Columns allow{where}");
        var tilesX = ((ulong)xsiz - xtosiz + xtsiz - 1) / xtsiz;
        var tilesY = ((ulong)ysiz - ytosiz + ytsiz - 1) / ytsiz;
        if (tilesX * tilesY > 65535)
            throw new DicomCodecException($"JPEG 2000: SIZ describes {tilesX} × {tilesY} tiles (at most 65535 allowed){where}");
        var comps = new J2kComponent[csiz];
        for (var i = 0; i < csiz; i++)
        {
            var c = siz.Slice(36 + 3 * i, 3);
            var precision = (c[0] & 0x7F) + 1;
            if (precision > 38 || c[1] == 0 || c[2] == 0)
                throw new DicomCodecException($"JPEG 2000: SIZ component {i}: precision {precision} bits, subsampling {c[1]}×{c[2]} is invalid{where}");
            comps[i] = new J2kComponent(precision, (c[0] & 0x80) != 0, c[1], c[2]);
        }

        // The rest of the main header, up to the first tile-part: find COD (transform, MCT, code-block style).
        var pos = 4 + lsiz;
        bool? mct = null, reversible = null;
        var ht = (rsiz & 0x4000) != 0; // Rsiz bit 14: Part 15 capabilities (a CAP marker follows)
        var sawSot = false;
        while (pos + 4 <= cs.Length)
        {
            int marker = BinaryPrimitives.ReadUInt16BigEndian(cs[pos..]);
            if (marker == Sot) { sawSot = true; break; }
            if (marker == Eoc) break;
            if ((marker & 0xFF00) != 0xFF00 || marker < 0xFF30)
                throw new DicomCodecException($"JPEG 2000: expected a marker at byte {offset + pos} of the main header, found {marker:X4}{where}");
            int length = BinaryPrimitives.ReadUInt16BigEndian(cs[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > cs.Length) throw Truncated($"marker {marker:X4}", where);
            var body = cs.Slice(pos + 4, length - 2);
            if (marker == Cod && body.Length >= 10)
            {
                mct = body[4] != 0;
                ht = ht || (body[8] & 0x40) != 0; // SPcod code-block style: bit 6 = HT code blocks (T.814)
                reversible = body[9] == 1;                // SPcod transformation: 1 = 5-3 reversible, 0 = 9-7 irreversible
            }
            pos += 2 + length;
        }
        if (!sawSot)
            throw new DicomCodecException($"JPEG 2000: the codestream ends ({cs.Length} bytes) before its first tile-part (SOT marker){where}");
        if (mct is null)
            throw new DicomCodecException($"JPEG 2000: the main header has no COD marker{where}");
        CheckTileParts(cs, pos, (int)(tilesX * tilesY), offset, where);
        return new J2kHeader(isJp2, (int)width, (int)height, rsiz, comps, mct.Value, reversible ?? false, ht, offset);
    }

    /// <summary>
    /// Walks the tile-parts (SOT, Psot bytes each; Psot 0 = up to EOC) and requires every tile to have one: OpenJPEG
    /// leaves a tile without tile-parts black and reports success, even in strict mode.
    /// </summary>
    static void CheckTileParts(ReadOnlySpan<byte> cs, int pos, int tiles, int offset, string where)
    {
        var seen = new bool[tiles];
        var count = 0;
        while (pos + 12 <= cs.Length && BinaryPrimitives.ReadUInt16BigEndian(cs[pos..]) == Sot)
        {
            int lsot = BinaryPrimitives.ReadUInt16BigEndian(cs[(pos + 2)..]);
            int isot = BinaryPrimitives.ReadUInt16BigEndian(cs[(pos + 4)..]);
            var psot = BinaryPrimitives.ReadUInt32BigEndian(cs[(pos + 6)..]);
            if (lsot != 10 || isot >= tiles || (psot != 0 && psot < 14))
                throw new DicomCodecException($"JPEG 2000: invalid SOT marker at byte {offset + pos} (Lsot {lsot}, tile {isot} of {tiles}, Psot {psot}){where}");
            if (!seen[isot]) { seen[isot] = true; count++; }
            if (psot == 0 || pos + psot > cs.Length) break; // the last tile-part, or a truncation OpenJPEG reports
            pos += (int)psot;
        }
        if (count < tiles)
            throw new DicomCodecException($"JPEG 2000: {tiles - count} of {tiles} tiles have no tile-part (the first is tile {Array.IndexOf(seen, false)}){where}");
    }

    static DicomCodecException Truncated(string what, string where) =>
        new($"JPEG 2000: the codestream is truncated in its {what} marker segment{where}");
}
