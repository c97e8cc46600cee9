using System.Buffers.Binary;
using System.Globalization;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.Codecs.Jpeg2000;
using Mira.Dicom.Codecs.Rle;

namespace Mira.Dicom.Codecs;

/// <summary>
/// Reads the header of an encapsulated frame (see <see cref="CodecRegistry.Identify"/>) and checks it against the
/// transfer syntax (PS3.5 §8.2, §A.4) and the data set's Image Pixel module (PS3.3 §C.7.6.3).
/// </summary>
internal static class FrameHeaders
{
    enum Family { None, Jpeg, JpegLs, Jpeg2000, Rle }

    const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    const string JpegExtended = "1.2.840.10008.1.2.4.51";
    const string JpegLossless = "1.2.840.10008.1.2.4.57";
    const string JpegLosslessSV1 = "1.2.840.10008.1.2.4.70";
    const string JpegLsLossless = "1.2.840.10008.1.2.4.80";

    /// <summary>The syntaxes that allow only a lossless stream: PS3.5 §8.2.1 (.57, .70), §8.2.3 (.80), §8.2.4 (.90, .92), §8.2.15 (.201, .202).</summary>
    static readonly HashSet<string> LosslessOnly =
        [JpegLossless, JpegLsLossless, JpegLosslessSV1, "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202"];

    static Family FamilyOf(string uid) => uid switch
    {
        RleCodec.Uid => Family.Rle,
        JpegLsLossless or "1.2.840.10008.1.2.4.81" => Family.JpegLs,
        "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" or "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93"
            or "1.2.840.10008.1.2.4.201" or "1.2.840.10008.1.2.4.202" or "1.2.840.10008.1.2.4.203" => Family.Jpeg2000,
        // Every JPEG process syntax, retired ones included (PS3.5 §8.2.1; PS3.6 Annex A: .4.50 to .4.66, and .4.70).
        _ when uid.StartsWith(JpegPrefix, StringComparison.Ordinal)
               && int.TryParse(uid.AsSpan(JpegPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
               && n is (>= 50 and <= 66) or 70 => Family.Jpeg,
        _ => Family.None,
    };

    const string JpegPrefix = "1.2.840.10008.1.2.4.";

    public static FrameIdentity Identify(ReadOnlySpan<byte> frame, TransferSyntax syntax, PixelFormat? expected)
    {
        var family = FamilyOf(syntax.Uid);
        if (family == Family.None)
            throw new DicomCodecException($"transfer syntax {syntax.Uid} ({syntax.Name}) has no frame header to identify"
                + (syntax.IsEncapsulated ? ": its frames are not JPEG, JPEG-LS, JPEG 2000 or RLE streams" : ": its Pixel Data is native"));
        var problems = new List<string>();
        FrameIdentity found;
        Family actual;
        if (JpegFrameHeader.StartsWithSoi(frame))
        {
            var h = JpegFrameHeader.Read(frame);
            actual = h.IsJpegLs ? Family.JpegLs : Family.Jpeg;
            found = new FrameIdentity(h.Description, h.Width, h.Height == 0 ? null : h.Height, h.Components, h.Precision, h.IsLossless);
            if (actual == family) JpegSyntaxProblems(h, syntax, problems);
        }
        else if (J2kHeader.StartsWithCodestream(frame) || J2kHeader.StartsWithJp2Signature(frame))
        {
            var h = J2kHeader.Parse(frame);
            actual = Family.Jpeg2000;
            found = new FrameIdentity(
                (h.HighThroughput ? "HTJ2K codestream" : "JPEG 2000 codestream") + (h.IsJp2 ? " in a JP2 file" : "")
                + (h.Reversible ? ", reversible 5-3 wavelet" : ", irreversible 9-7 wavelet"),
                h.Width, h.Height, h.Components.Count, h.Components.Max(c => c.Precision), h.Reversible);
            // PS3.5 §A.4.4: the JP2 file format header shall not be included; the data set carries what it would say.
            if (h.IsJp2) problems.Add("the frame is a JP2 file, not the bare codestream PS3.5 §A.4.4 asks for");
        }
        else if (family == Family.Rle)
        {
            actual = Family.Rle;
            found = ReadRleHeader(frame);
        }
        else
        {
            var head = Convert.ToHexString(frame[..Math.Min(8, frame.Length)]);
            throw new DicomCodecException(frame.Length == 0
                ? $"{syntax.Name}: the frame is empty"
                : $"{syntax.Name}: the frame ({frame.Length} bytes, starting {head}) is neither a JPEG or JPEG-LS stream (SOI FFD8) nor a JPEG 2000 codestream or JP2 file");
        }

        if (actual != family)
            problems.Add($"a {found.Encoding} stream in Pixel Data of transfer syntax {syntax.Uid} ({syntax.Name})");
        else if (!found.IsLossless && LosslessOnly.Contains(syntax.Uid))
            problems.Add($"a lossy {found.Encoding} stream under the lossless-only transfer syntax {syntax.Uid} ({syntax.Name})");
        if (expected is not null) DataSetProblems(found, expected, problems);
        return problems.Count == 0 ? found : found with { Problem = string.Join("; ", problems) };
    }

    /// <summary>
    /// The JPEG processes a syntax allows (PS3.5 §8.2.1, §A.4.1): Baseline (.50) process 1, SOF0 with 8-bit samples;
    /// Extended (.51) processes 2 and 4, SOF0 or SOF1 with 8 or 12 bits; Lossless (.57) process 14 (SOF3), and .70 its
    /// first-order predictor (selection value 1) only.
    /// </summary>
    static void JpegSyntaxProblems(JpegFrameHeader h, TransferSyntax syntax, List<string> problems)
    {
        var where = $"transfer syntax {syntax.Uid} ({syntax.Name})";
        switch (syntax.Uid)
        {
            case JpegBaseline when h.Marker != 0xC0 || h.Precision != 8:
                problems.Add($"a {h.Precision}-bit {h.Description} stream under {where}, which is process 1 (SOF0, 8 bits)");
                break;
            case JpegExtended when h.Marker is not (0xC0 or 0xC1) || h.Precision is not (8 or 12):
                problems.Add($"a {h.Precision}-bit {h.Description} stream under {where}, which is processes 2 and 4 (SOF0 or SOF1, 8 or 12 bits)");
                break;
            case JpegLossless when h.Marker != 0xC3:
            case JpegLosslessSV1 when h.Marker != 0xC3:
                problems.Add($"a {h.Description} stream under {where}, which is process 14 (SOF3)");
                break;
            case JpegLosslessSV1 when h.Predictor is { } p && p != 1:
                problems.Add($"predictor {p} under {where}, which allows selection value 1 only");
                break;
        }
    }

    /// <summary>The header must describe the frame the Image Pixel module describes (PS3.5 §8.2: the compressed stream and the data set agree).</summary>
    static void DataSetProblems(FrameIdentity h, PixelFormat f, List<string> problems)
    {
        static string N(int v) => v.ToString(CultureInfo.InvariantCulture);
        if (h.Width is { } w && w != f.Columns || h.Height is { } r && r != f.Rows)
            problems.Add($"the header says {(h.Width is { } hw ? N(hw) : "?")}×{(h.Height is { } hh ? N(hh) : "?")}, the data set {N(f.Columns)} columns × {N(f.Rows)} rows");
        if (h.Components is { } c && c != f.SamplesPerPixel)
            problems.Add($"the header has {N(c)} component(s), the data set {N(f.SamplesPerPixel)} sample(s) per pixel");
        if (h.BitDepth is { } b && b > f.BitsAllocated)
            problems.Add($"{N(b)}-bit samples do not fit Bits Allocated {N(f.BitsAllocated)}");
        if (h.Segments is { } s)
        {
            // PS3.5 §G.2: one segment per byte of each sample; a Bits Allocated 1 frame is written as one segment.
            var needed = f.BitsAllocated == 1 ? 1 : f.SamplesPerPixel * f.BytesPerSample;
            if (s != needed)
                problems.Add($"the RLE header declares {N(s)} segment(s); {N(f.SamplesPerPixel)} sample(s) of {N(f.BitsAllocated)} bits need {N(needed)}");
        }
    }

    /// <summary>
    /// The RLE header (PS3.5 §G.5): 16 little-endian uint32, the number of segments (1 to 15) and the offset of each
    /// from the start of the header, the first 64, in ascending order, inside the frame.
    /// </summary>
    static FrameIdentity ReadRleHeader(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 64) throw new DicomCodecException($"RLE: frame of {frame.Length} bytes is shorter than the 64-byte RLE header");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (count is < 1 or > RleCodec.MaxSegments)
            throw new DicomCodecException($"RLE: header declares {count} segments (1 to {RleCodec.MaxSegments} allowed, PS3.5 §G.5)");
        uint previous = 0;
        for (var i = 0; i < count; i++)
        {
            var o = BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 4 * i)..]);
            if ((i == 0 && o != 64) || o < 64 || o > frame.Length || o < previous)
                throw new DicomCodecException($"RLE: offset {o} of segment {i + 1} is outside the frame ({frame.Length} bytes) or out of order (byte {4 + 4 * i})");
            previous = o;
        }
        return new FrameIdentity($"RLE Lossless, {count} segment(s)", null, null, null, null, IsLossless: true) { Segments = (int)count };
    }
}
