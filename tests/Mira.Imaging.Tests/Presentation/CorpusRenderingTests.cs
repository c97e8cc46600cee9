using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Imaging.Presentation;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Imaging.Tests.Presentation;

/// <summary>
/// Every PALETTE COLOR, YBR, MONOCHROME1 and signed (CT, PET, RT dose …) image of the corpus renders, first and last
/// frame, at the right size and layout; and, with the frame's own value range as window (some files carry windows
/// that leave them nearly flat, e.g. the PET and the DICOMDIR CTs: DCMTK's dcm2pnm +Wi 1 renders those flat too),
/// with statistics a display image has: not one flat value. Files in transfer syntaxes
/// whose codec is an optional module not loaded here (JPEG 2000, HTJ2K) are left to the server and CLI tests.
/// </summary>
public sealed class CorpusRenderingTests(ITestOutputHelper output)
{
    static readonly string[] Photometrics = ["PALETTE COLOR", "YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_RCT", "YBR_ICT", "MONOCHROME1"];

    public static TheoryData<string> Files() => new(Selected());

    static List<string> Selected()
    {
        var data = new List<string>();
        foreach (var f in Corpus.DicomFiles)
        {
            if (f.Path.StartsWith("dicom/edge/", StringComparison.Ordinal)) continue;
            var row = Corpus.Summary[f.Path];
            if (row["Rows"] == "" || row["pixel_sha256_pydicom"] == "" || !Decodable(row.TransferSyntax)) continue;
            var pi = row["PhotometricInterpretation"];
            var signedModality = row["Modality"] is "CT" or "PT" or "RTDOSE" or "NM" && pi == "MONOCHROME2";
            if (Photometrics.Contains(pi) || signedModality) data.Add(f.Path);
        }
        return data;
    }

    static bool Decodable(string syntax) => syntax.Length > 0 && !syntax.StartsWith("1.2.840.10008.1.2.4.9", StringComparison.Ordinal)
                                            && !syntax.StartsWith("1.2.840.10008.1.2.4.20", StringComparison.Ordinal);

    [Fact]
    public void The_selection_covers_each_kind()
    {
        var files = Selected();
        foreach (var pi in new[] { "PALETTE COLOR", "YBR_FULL", "YBR_FULL_422", "MONOCHROME1" })
            Assert.Contains(files, f => Corpus.Summary[f]["PhotometricInterpretation"] == pi);
        Assert.Contains(files, f => Corpus.Summary[f]["Modality"] == "CT");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Renders_with_plausible_statistics(string path)
    {
        var pixels = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath));
        foreach (var index in pixels.FrameCount > 1 ? new[] { 0, pixels.FrameCount - 1 } : [0])
        {
            var image = PresentationPipeline.Render(pixels, index);
            Assert.Equal((pixels.Format.Columns, pixels.Format.Rows), (image.Width, image.Height));
            var colour = image.Layout == RenderedLayout.Rgba32;
            Assert.Equal(pixels.Format.PhotometricInterpretation.StartsWith("MONOCHROME", StringComparison.Ordinal), !colour);
            if (!colour) image = PresentationPipeline.Render(pixels, index, new RenderOptions { MinMaxWindow = true });
            var stats = RenderStatistics.Of(image);
            output.WriteLine($"{path} frame {index + 1}: {image.Layout} mean {stats.Mean:0.0} sd {stats.StandardDeviation:0.0} distinct {stats.Distinct}");
            Assert.InRange(stats.Mean, 1, 254);
            Assert.True(stats.StandardDeviation > 2, $"frame {index + 1} is nearly flat: sd {stats.StandardDeviation:0.00}");
            Assert.True(stats.Distinct >= 3, $"frame {index + 1} has {stats.Distinct} distinct values");
        }
    }

    [Fact]
    public void The_hot_iron_color_palette_reads_as_a_packed_8_bit_table()
    {
        // PAL/hotiron.dcm is a Color Palette IOD (PS3.3 §A.58): 256 entries of 8 bits, two per 16-bit word.
        var ds = DicomFile.Open(Corpus.Get("dicom/modality/PAL/hotiron.dcm").FullPath).Dataset;
        var palette = Palette.Read(ds, signedPixels: false);
        Assert.Equal(256, palette.Red.Entries.Length);
        Assert.Equal([0, 2, 4, 6], palette.Red.Entries[..4].Select(x => (int)x));
        Assert.Equal((0, 0, 0), palette.Lookup(0));
        Assert.Equal((255, 255, 255), palette.Lookup(255));
        // Red rises first, then green, then blue: monotonic in each channel.
        foreach (var t in new[] { palette.Red, palette.Green, palette.Blue })
            for (var i = 1; i < 256; i++) Assert.True(t.Entries[i] >= t.Entries[i - 1]);
    }

    [Fact]
    public void The_segmented_16_bit_ultrasound_palette_expands_to_65536_entries()
    {
        var ds = DicomFile.Open(Corpus.Get("dicom/modality/US/gdcm-US-ALOKA-16.dcm").FullPath).Dataset;
        var palette = Palette.Read(ds, signedPixels: false);
        Assert.All(new[] { palette.Red, palette.Green, palette.Blue }, t => Assert.Equal(65536, t.Entries.Length));
    }
}

/// <summary>Mean, standard deviation and distinct values over the gray or RGB channels of a rendered image.</summary>
public sealed record RenderStatistics(double Mean, double StandardDeviation, int Distinct)
{
    public static RenderStatistics Of(RenderedImage image)
    {
        double sum = 0, sq = 0;
        long n = 0;
        var seen = new bool[256];
        for (var i = 0; i < image.Pixels.Length; i++)
        {
            if (image.Layout == RenderedLayout.Rgba32 && i % 4 == 3) continue;
            var v = image.Pixels[i];
            sum += v; sq += (double)v * v; n++;
            seen[v] = true;
        }
        var mean = sum / n;
        return new RenderStatistics(mean, Math.Sqrt(Math.Max(0, sq / n - mean * mean)), seen.Count(s => s));
    }
}
