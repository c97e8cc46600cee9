using System.Buffers.Binary;

namespace Mira.Conversion.Photos;

/// <summary>
/// What a JPEG file (ITU-T T.81, JFIF) says about its image, read from the marker segments between SOI and the first
/// SOS without decoding: the frame type, precision, size, components with their sampling factors, and the JFIF and
/// Adobe APP14 markers that tell how the components are to be read as colour.
/// </summary>
internal sealed record JpegPhotoInfo(int SofMarker, int Precision, int Width, int Height, IReadOnlyList<(int Id, int H, int V)> Components, bool Jfif, int AdobeTransform)
{
    public static bool StartsWithSoi(ReadOnlySpan<byte> head) => head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF;

    /// <summary>True when a component is sampled less often than another (PS3.5 §8.2.1: chrominance subsampled).</summary>
    public bool Subsampled => Components.Any(c => c.H != Components[0].H || c.V != Components[0].V);

    /// <summary>
    /// The Photometric Interpretation of the stream as JFIF / libjpeg read it (PS3.5 §8.2.1): one component MONOCHROME2;
    /// three components RGB where an Adobe APP14 transform flag of 0 (or, with neither JFIF nor Adobe marker, the
    /// component identifiers 'R', 'G', 'B') says they are not transformed; else YCbCr, YBR_FULL_422 when the chrominance
    /// is subsampled and YBR_FULL when it is not.
    /// </summary>
    public string Photometric(string where)
    {
        if (Components.Count == 1) return "MONOCHROME2";
        if (Components.Count != 3) throw Fail(where, $"{Components.Count} components (CMYK or other); photographs have 1 (grey) or 3 (colour)");
        var rgb = AdobeTransform == 0 || (!Jfif && AdobeTransform < 0 && Components[0].Id == 'R' && Components[1].Id == 'G' && Components[2].Id == 'B');
        if (rgb)
        {
            if (Subsampled) throw Fail(where, "RGB components with subsampling cannot be described in DICOM");
            return "RGB";
        }
        // PS3.5 §8.2.1: YBR_FULL_422 for any chrominance subsampling (4:2:2 and 4:2:0 alike), YBR_FULL without.
        return Subsampled ? "YBR_FULL_422" : "YBR_FULL";
    }

    static ConversionException Fail(string where, string what) => new($"{where}: JPEG: {what}");

    public static JpegPhotoInfo Read(ReadOnlySpan<byte> data, string where)
    {
        if (!StartsWithSoi(data)) throw Fail(where, "the file does not start with an SOI marker");
        var pos = 2;
        var jfif = false;
        var adobe = -1;
        JpegPhotoInfo? frame = null;
        while (true)
        {
            if (pos + 4 > data.Length) throw Fail(where, $"the file ends at byte {data.Length} before the first scan (truncated)");
            if (data[pos] != 0xFF) throw Fail(where, $"expected a marker at byte {pos}, found 0x{data[pos]:X2}");
            var marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; } // fill byte (T.81 §B.1.1.2)
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; }
            if (marker is 0xD8 or 0xD9 or 0x00) throw Fail(where, $"unexpected marker 0x{marker:X2} at byte {pos} before the first scan");
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) throw Fail(where, $"the segment of marker 0x{marker:X2} at byte {pos} runs past the end of the file (truncated)");
            var s = data.Slice(pos + 4, length - 2);
            switch (marker)
            {
                case 0xE0 when s.StartsWith("JFIF\0"u8): jfif = true; break;
                case 0xEE when s.Length >= 12 && s.StartsWith("Adobe"u8): adobe = s[11]; break;
                case 0xDA:
                    return frame ?? throw Fail(where, $"a scan (SOS at byte {pos}) before the frame header");
                case >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    if (frame is not null) throw Fail(where, $"a second frame header at byte {pos}");
                    frame = ReadFrame(marker, s, where, pos) with { Jfif = jfif, AdobeTransform = adobe };
                    break;
            }
            if (frame is not null) frame = frame with { Jfif = jfif, AdobeTransform = adobe };
            pos += 2 + length;
        }
    }

    static JpegPhotoInfo ReadFrame(int marker, ReadOnlySpan<byte> s, string where, int at)
    {
        if (marker is not (0xC0 or 0xC1))
        {
            var kind = marker switch
            {
                0xC2 => "progressive (SOF2)",
                0xC3 => "lossless (SOF3)",
                >= 0xC9 => $"arithmetic-coded (SOF{marker - 0xC0})",
                _ => $"hierarchical (SOF{marker - 0xC0})",
            };
            throw Fail(where, $"{kind} JPEG is not supported; photographs are kept as they are only when baseline or extended sequential " +
                "Huffman-coded (PS3.5 §8.2.1, 1.2.840.10008.1.2.4.50/.51): re-save the image as baseline JPEG or PNG");
        }
        if (s.Length < 6 || s.Length < 6 + 3 * s[5]) throw Fail(where, $"the frame header at byte {at} is too short");
        int precision = s[0], height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
        if (precision != 8) throw Fail(where, $"{precision}-bit samples; photographs are stored with 8 bits (OP 8 Bit and VL Photographic, PS3.3 §A.39, §A.32.4)");
        if (height == 0) throw Fail(where, "the number of lines is defined by a DNL marker, which DICOM does not allow (PS3.5 §8.2.1)");
        if (width == 0) throw Fail(where, "the image is 0 pixels wide");
        var components = new List<(int, int, int)>();
        for (var i = 0; i < s[5]; i++)
        {
            var c = s.Slice(6 + 3 * i, 3);
            if (c[1] >> 4 is < 1 or > 4 || (c[1] & 15) is < 1 or > 4) throw Fail(where, $"component {c[0]} has sampling factors {c[1] >> 4}x{c[1] & 15}");
            components.Add((c[0], c[1] >> 4, c[1] & 15));
        }
        return new JpegPhotoInfo(marker, precision, width, height, components, false, -1);
    }
}
