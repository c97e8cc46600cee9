using System.Diagnostics;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

public class JpegRobustnessTests(ITestOutputHelper output)
{
    static readonly JpegCodec Codec = new();

    static (byte[] Frame, PixelFormat Format) FirstFrame(string corpusPath)
    {
        var file = DicomFile.Open(Corpus.Get(corpusPath).FullPath);
        var format = PixelFormat.From(file.Dataset);
        return (file.Dataset.GetEncapsulatedFrames()![0].ToArray(), format);
    }

    static Exception? TryDecode(byte[] frame, PixelFormat format)
    {
        try
        {
            Codec.Decode(frame, format, new byte[format.FrameLength]);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    public static TheoryData<string> Sources() => new()
    {
        "dicom/transfer-syntax/pydicom/SC_rgb_dcmtk_+eb+cy+n2.dcm",           // baseline 4:2:2
        "dicom/modality/US/examples_ybr_color.dcm",                           // baseline 4:2:0
        "dicom/transfer-syntax/pydicom/JPGExtended.dcm",                      // 12-bit extended
        "dicom/transfer-syntax/dcm_qa_frag/5001001_jpeg_lossless_split.dcm",  // 16-bit lossless SV1
        "dicom/transfer-syntax/pydicom/SC_rgb_jpeg_gdcm.dcm",                 // 8-bit RGB lossless
        "dicom/transfer-syntax/pylibjpeg-data/JPEGLossless_1s_1f_u_16_12.dcm", // predictor 7
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Truncated_frames_throw_a_codec_exception_with_the_byte_offset(string corpusPath)
    {
        var (frame, format) = FirstFrame(corpusPath);
        var eoi = frame.AsSpan().LastIndexOf(new byte[] { 0xFF, 0xD9 });
        Assert.True(eoi > 0);
        var rng = new Random(1234);
        var cuts = Enumerable.Range(0, 60).Select(_ => rng.Next(0, eoi)).Concat([0, 1, 2, 3, 4, eoi - 1, eoi / 2]);
        foreach (var cut in cuts)
        {
            var e = TryDecode(frame[..cut], format);
            var ce = Assert.IsType<DicomCodecException>(e);
            Assert.Matches(@"at byte \d+", ce.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Seeded_byte_flips_and_truncations_never_escape_as_other_exceptions_or_hang(string corpusPath)
    {
        var (frame, format) = FirstFrame(corpusPath);
        var rng = new Random(20240601 ^ corpusPath.Length);
        int ok = 0, rejected = 0;
        var watch = Stopwatch.StartNew();
        var iterations = (int)Math.Clamp(40_000_000 / (format.FrameLength + 1), 60, 400);
        for (var i = 0; i < iterations; i++)
        {
            var damaged = (byte[])frame.Clone();
            var flips = rng.Next(1, 5);
            for (var f = 0; f < flips; f++)
            {
                // Half the flips hit the headers (first 700 bytes), where the tables and markers are.
                var at = rng.Next(2) == 0 ? rng.Next(Math.Min(700, damaged.Length)) : rng.Next(damaged.Length);
                damaged[at] = rng.Next(3) switch { 0 => (byte)rng.Next(256), 1 => 0xFF, _ => (byte)(damaged[at] ^ (1 << rng.Next(8))) };
            }
            if (rng.Next(4) == 0) damaged = damaged[..rng.Next(damaged.Length)];
            var e = TryDecode(damaged, format);
            if (e is null) ok++;
            else
            {
                Assert.True(e is DicomCodecException, $"iteration {i}: {e}");
                Assert.Matches(@"at byte \d+", e.Message);
                rejected++;
            }
        }
        output.WriteLine($"{corpusPath}: {ok} decoded, {rejected} rejected in {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60));
    }

    static byte[] Jpeg(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    [Fact]
    public void Damaged_headers_are_reported()
    {
        var format = new PixelFormat(8, 8, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        byte[] soi = [0xFF, 0xD8];
        // Over-subscribed Huffman table: three codes of length 1.
        byte[] badDht = [0xFF, 0xC4, 0x00, 0x16, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3];
        Assert.Contains("Huffman", Assert.Throws<DicomCodecException>(() => Codec.Decode(Jpeg(soi, badDht), format, new byte[64])).Message);
        // Segment length past the end
        Assert.Contains("at byte 4", Assert.Throws<DicomCodecException>(() => Codec.Decode(Jpeg(soi, [0xFF, 0xDB, 0x40, 0x00]), format, new byte[64])).Message);
        // Not a JPEG stream
        Assert.Contains("at byte 0", Assert.Throws<DicomCodecException>(() => Codec.Decode([0x00, 0x01, 0x02], format, new byte[64])).Message);
        // A frame larger than the data set says is refused before anything is allocated
        byte[] sof = [0xFF, 0xC0, 0x00, 0x0B, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0];
        Assert.Contains("65535x65535", Assert.Throws<DicomCodecException>(() => Codec.Decode(Jpeg(soi, sof), format, new byte[64])).Message);
        // Progressive is named as unsupported
        Assert.Contains("progressive", Assert.Throws<DicomCodecException>(() => Codec.Decode(Jpeg(soi, [0xFF, 0xC2, 0x00, 0x02]), format, new byte[64])).Message);
    }

    [Fact]
    public void A_marker_inside_the_entropy_coded_data_is_reported_where_it_is()
    {
        var format = new PixelFormat(16, 16, 1, 16, 12, 11, 0, 0, "MONOCHROME2", 1);
        var frame = new byte[format.FrameLength];
        new Random(5).NextBytes(frame);
        for (var i = 1; i < frame.Length; i += 2) frame[i] &= 0x0F;
        var jpeg = JpegLosslessEncoder.Encode(frame, format);
        var sos = jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xDA });
        var at = sos + 12 + 40;
        jpeg[at] = 0xFF;
        jpeg[at + 1] = 0xD9; // EOI in the middle of the scan
        var e = Assert.Throws<DicomCodecException>(() => Codec.Decode(jpeg, format, new byte[format.FrameLength]));
        Assert.Contains($"at byte {at}", e.Message);
    }
}
