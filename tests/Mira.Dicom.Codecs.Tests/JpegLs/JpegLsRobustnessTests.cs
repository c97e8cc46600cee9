using System.Diagnostics;
using Mira.Dicom.Codecs.JpegLs;
using Mira.Dicom.IO;
using Mira.Testing;
using static Mira.Dicom.Codecs.Tests.JpegLs.JpegLsTestImages;

namespace Mira.Dicom.Codecs.Tests.JpegLs;

/// <summary>Truncated and damaged streams end in a <see cref="DicomCodecException"/> naming the byte offset, quickly.</summary>
public class JpegLsRobustnessTests
{
    static IEnumerable<(PixelFormat Format, byte[] Stream)> Streams()
    {
        foreach (var (w, h, n, bits, near, ilv, restart) in new[]
                 {
                     (23, 17, 1, 8, 0, JpegLsInterleaveMode.None, 0),
                     (19, 13, 1, 12, 0, JpegLsInterleaveMode.None, 4),
                     (16, 9, 1, 16, 3, JpegLsInterleaveMode.None, 0),
                     (15, 11, 3, 8, 0, JpegLsInterleaveMode.Sample, 0),
                     (15, 11, 3, 8, 1, JpegLsInterleaveMode.Line, 0),
                     (15, 11, 3, 8, 0, JpegLsInterleaveMode.None, 3),
                     (21, 7, 1, 5, 0, JpegLsInterleaveMode.None, 0),
                 })
        {
            var f = Format(w, h, n, bits);
            var options = new JpegLsOptions { NearLossless = near, Interleave = ilv, RestartInterval = restart };
            yield return (f, new JpegLsCodec(options).Encode(Create(f, Style.Mixed, w * h), f));
        }
        var file = DicomFile.Open(Corpus.Get("dicom/transfer-syntax/pydicom/SC_rgb_jls_lossy_line.dcm").FullPath);
        yield return (PixelFormat.From(file.Dataset), file.Dataset.GetEncapsulatedFrames()![0].ToArray());
    }

    static void DecodeExpectingCodecErrorOrSuccess(byte[] stream, PixelFormat format, string what)
    {
        try
        {
            new JpegLsCodec().Decode(stream, format, new byte[format.FrameLength]);
        }
        catch (DicomCodecException e)
        {
            Assert.Contains("byte offset", e.Message);
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    [Fact]
    public void Every_truncation_inside_the_scan_data_is_reported_with_an_offset()
    {
        foreach (var (format, stream) in Streams())
            for (var cut = 0; cut < stream.Length - 5; cut++)
            {
                var e = Assert.Throws<DicomCodecException>(() => new JpegLsCodec().Decode(stream.AsSpan(0, cut), format, new byte[format.FrameLength]));
                Assert.Contains("byte offset", e.Message);
            }
    }

    [Fact]
    public void Damaged_streams_fail_with_a_codec_exception_and_never_hang()
    {
        var rng = new Random(20240607);
        var sw = Stopwatch.StartNew();
        var cases = 0;
        foreach (var (format, stream) in Streams())
            for (var i = 0; i < 600; i++)
            {
                var damaged = (byte[])stream.Clone();
                var kind = rng.Next(5);
                var edits = 1 + rng.Next(4);
                for (var e = 0; e < edits; e++)
                {
                    var at = rng.Next(damaged.Length);
                    switch (kind)
                    {
                        case 0: damaged[at] ^= (byte)(1 << rng.Next(8)); break;          // bit flip anywhere
                        case 1: damaged[at] = (byte)rng.Next(256); break;                 // random byte
                        case 2: damaged[at] = 0xFF; break;                                // spurious marker prefix
                        case 3: damaged[Math.Min(at, 40)] = (byte)rng.Next(256); break;  // header damage
                        default: damaged.AsSpan(at, Math.Min(8, damaged.Length - at)).Fill(0); break;
                    }
                }
                DecodeExpectingCodecErrorOrSuccess(damaged, format, $"case {i} kind {kind}");
                cases++;
            }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"{cases} damaged streams took {sw.Elapsed}");
    }

    [Fact]
    public void Not_a_JPEG_LS_stream_is_reported()
    {
        var f = Format(4, 4, 1, 8);
        Assert.Contains("SOI", Assert.Throws<DicomCodecException>(() => new JpegLsCodec().Decode([1, 2, 3], f, new byte[16])).Message);
        // A baseline JPEG header (SOF0)
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 4, 0, 4, 1, 1, 0x11, 0, 0xFF, 0xD9];
        Assert.Contains("not JPEG-LS", Assert.Throws<DicomCodecException>(() => new JpegLsCodec().Decode(jpeg, f, new byte[16])).Message);
    }
}
