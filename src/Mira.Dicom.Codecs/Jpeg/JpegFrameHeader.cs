using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// The frame header of a JPEG (ITU-T T.81) or JPEG-LS (ITU-T T.87) interchange stream and the parameters of its first
/// scan, read by walking the marker segments from SOI (T.81 §B.1.1, §B.2) up to the first SOS, without touching the
/// entropy-coded data.
/// </summary>
/// <param name="Marker">The SOF marker's second byte: 0xC0–0xCF (not 0xC4, 0xC8, 0xCC) for JPEG, 0xF7 (SOF55) for JPEG-LS.</param>
/// <param name="Height">Number of lines; 0 when a DNL marker defines it later (T.81 §B.2.5).</param>
/// <param name="Predictor">Lossless JPEG: the first scan's predictor selection value Ss (T.81 Table H.1); else null.</param>
/// <param name="Near">JPEG-LS: the first scan's NEAR parameter (T.87 §C.2.3); else null.</param>
internal readonly record struct JpegFrameHeader(int Marker, int Precision, int Width, int Height, int Components, int? Predictor, int? Near)
{
    public bool IsJpegLs => Marker == 0xF7;

    /// <summary>JPEG processes 14 and 15 (SOF3, SOF7, SOF11, SOF15), and JPEG-LS with NEAR 0.</summary>
    public bool IsLossless => IsJpegLs ? Near is null or 0 : Marker is 0xC3 or 0xC7 or 0xCB or 0xCF;

    public string Description
    {
        get
        {
            var name = Marker switch
            {
                0xC0 => "JPEG baseline (SOF0)",
                0xC1 => "JPEG extended sequential (SOF1)",
                0xC2 => "JPEG progressive (SOF2)",
                0xC3 => "JPEG lossless (SOF3)",
                0xC5 => "JPEG differential sequential (SOF5)",
                0xC6 => "JPEG differential progressive (SOF6)",
                0xC7 => "JPEG differential lossless (SOF7)",
                0xC9 => "JPEG extended sequential, arithmetic (SOF9)",
                0xCA => "JPEG progressive, arithmetic (SOF10)",
                0xCB => "JPEG lossless, arithmetic (SOF11)",
                0xCD => "JPEG differential sequential, arithmetic (SOF13)",
                0xCE => "JPEG differential progressive, arithmetic (SOF14)",
                0xCF => "JPEG differential lossless, arithmetic (SOF15)",
                _ => "JPEG-LS (SOF55)",
            };
            return name + (Predictor is { } p ? $", predictor {p}" : "") + (Near is { } n ? $", NEAR {n}" : "");
        }
    }

    public static bool StartsWithSoi(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0xFF && data[1] == 0xD8;

    static DicomCodecException Fail(string message, int offset) => new($"JPEG: {message} at byte {offset}");

    /// <summary>Reads the frame header and the first scan header; throws <see cref="DicomCodecException"/> when there is no readable frame header.</summary>
    public static JpegFrameHeader Read(ReadOnlySpan<byte> data)
    {
        if (!StartsWithSoi(data)) throw Fail("the frame does not start with an SOI marker", 0);
        var pos = 2;
        JpegFrameHeader? frame = null;
        int oversizeWidth = 0, oversizeHeight = 0;
        while (pos < data.Length)
        {
            if (data[pos] != 0xFF) throw Fail($"expected a marker, found 0x{data[pos]:X2}", pos);
            var markerStart = pos;
            while (pos < data.Length && data[pos] == 0xFF) pos++; // fill bytes (T.81 §B.1.1.2)
            if (pos >= data.Length) break;
            int marker = data[pos++];
            if (marker == 0xD9) break; // EOI
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // TEM, RSTn: no segment
            if (marker is 0x00 or 0xD8) throw Fail($"unexpected marker 0x{marker:X2}", markerStart);
            if (pos + 2 > data.Length) break;
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            if (length < 2 || pos + length > data.Length) throw Fail($"segment length {length} of marker 0x{marker:X2} runs past the data", pos);
            var s = data.Slice(pos + 2, length - 2);
            var at = pos + 2;
            pos += length;
            if (marker is (>= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) or 0xF7)
            {
                if (frame is not null) throw Fail("a second frame header (SOF) in one image", markerStart);
                if (s.Length < 6) throw Fail("SOF segment is too short", at);
                frame = new JpegFrameHeader(marker, s[0], BinaryPrimitives.ReadUInt16BigEndian(s[3..]), BinaryPrimitives.ReadUInt16BigEndian(s[1..]), s[5], null, null);
            }
            else if (marker == 0xF8 && s.Length >= 2 && s[0] == 4)
            {
                // JPEG-LS oversize image dimensions (T.87 §C.2.4.1.4): Wxy bytes each of height and width.
                int wxy = s[1];
                if (wxy is < 2 or > 4 || s.Length < 2 + 2 * wxy) throw Fail($"LSE oversize segment with Wxy {wxy}", at);
                for (var i = 0; i < wxy; i++)
                {
                    oversizeHeight = oversizeHeight << 8 | s[2 + i];
                    oversizeWidth = oversizeWidth << 8 | s[2 + wxy + i];
                }
            }
            else if (marker == 0xDA)
            {
                if (frame is not { } f) throw Fail("SOS before the frame header", markerStart);
                if (s.Length < 1 || s.Length < 1 + 2 * s[0] + 3) throw Fail("SOS segment is too short", at);
                var parameter = s[1 + 2 * s[0]]; // Ss (JPEG) or NEAR (JPEG-LS)
                frame = f.IsJpegLs ? f with { Near = parameter } : f.Marker is 0xC3 or 0xC7 or 0xCB or 0xCF ? f with { Predictor = parameter } : f;
                break;
            }
        }
        if (frame is not { } result) throw Fail("no frame header (SOF) before the end of the data", pos);
        if (result.IsJpegLs && (result.Width == 0 || result.Height == 0))
            result = result with { Width = result.Width == 0 ? oversizeWidth : result.Width, Height = result.Height == 0 ? oversizeHeight : result.Height };
        return result;
    }
}
