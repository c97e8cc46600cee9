using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>PS3.15 §E.3.1: quarantine of burned-in text, and pixel-cleaning rules with lossless re-encoding.</summary>
public sealed class BurnedInTextTests
{
    const string UsGrey = "dicom/modality/US/deid_us_greyscale_image.dcm";       // Burned In Annotation YES, native
    const string UsRgb = "dicom/modality/US/US1_UNCR.dcm";                         // US without Burned In Annotation
    const string UsJpeg = "dicom/transfer-syntax/cornerstone/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm"; // 8 JPEG frames

    static DeidInstanceResult Deid(string corpusPath, DeidRecipe recipe)
    {
        var file = DicomFile.Open(Corpus.Get(corpusPath).FullPath);
        return new DeidEngine(recipe, TestData.Key).Deidentify(file.Dataset, file.TransferSyntax);
    }

    static DeidRecipe Cleaning(PixelCleaningRule rule) => DeidRecipe.Research with
    {
        Name = "clean", Options = [.. DeidRecipe.Research.Options, nameof(DeidOptions.CleanPixelData)], PixelCleaning = [rule],
    };

    [Theory]
    [InlineData(UsGrey, "Burned In Annotation is YES")]
    [InlineData(UsRgb, "modality US without Burned In Annotation NO")]
    [InlineData(UsJpeg, "modality US without Burned In Annotation NO")]
    public void Instances_that_may_show_burned_in_text_are_quarantined(string path, string reason)
    {
        var r = Deid(path, DeidRecipe.Research);
        Assert.Equal(DeidStatus.Quarantined, r.Status);
        Assert.Equal(reason, r.Reason);
        Assert.Null(r.Dataset);
        // A matching rule does not help without the Clean Pixel Data option.
        var rule = new PixelCleaningRule(null, null, 768, 1024, [new PixelRectangle(0, 0, 10, 10)]);
        Assert.Equal(DeidStatus.Quarantined, Deid(UsGrey, DeidRecipe.Research with { PixelCleaning = [rule] }).Status);
    }

    [Fact]
    public void Burned_in_annotation_NO_and_other_modalities_pass()
    {
        Assert.Equal(DeidStatus.Deidentified, Deid("dicom/modality/CT/CT_small.dcm", DeidRecipe.Research).Status);
        var file = DicomFile.Open(Corpus.Get(UsRgb).FullPath);
        file.Dataset.Set(DicomTags.BurnedInAnnotation, "NO");
        Assert.Equal(DeidStatus.Deidentified, new DeidEngine(DeidRecipe.Research, TestData.Key).Deidentify(file.Dataset, file.TransferSyntax).Status);
    }

    static (byte[] Pixels, Mira.Dicom.Codecs.PixelFormat Format) Decode(DicomFile f) => (PixelData.Open(f).DecodeAll(out var fmt), fmt);

    static DicomFile WriteAndRead(DeidInstanceResult r)
    {
        var bytes = DicomFileWriter.ToBytes(r.Dataset!, r.TransferSyntax!, null, new DicomWriteOptions { KeepInvalidValues = true });
        return DicomFile.Read(bytes);
    }

    static void AssertBlanked(byte[] before, byte[] after, Mira.Dicom.Codecs.PixelFormat f, PixelRectangle rect, int frames)
    {
        Assert.Equal(before.Length, after.Length);
        var inside = 0;
        var spp = f.SamplesPerPixel * f.BytesPerSample;
        for (var k = 0; k < frames; k++)
            for (var y = 0; y < f.Rows; y++)
                for (var x = 0; x < f.Columns; x++)
                    for (var s = 0; s < spp; s++)
                    {
                        var i = (((long)k * f.Rows + y) * f.Columns + x) * spp + s;
                        var inRect = x >= rect.X && x < rect.X + rect.Width && y >= rect.Y && y < rect.Y + rect.Height;
                        if (inRect)
                        {
                            Assert.Equal(0, after[i]);
                            if (before[i] != 0) inside++;
                        }
                        else if (before[i] != after[i]) Assert.Fail($"pixel ({x},{y}) of frame {k} changed outside the rectangle");
                    }
        Assert.True(inside > 0, "the rectangle was already blank: the test would prove nothing");
    }

    [Fact]
    public void A_rule_for_the_device_blanks_its_rectangle_in_native_pixels()
    {
        var rect = new PixelRectangle(0, 0, 1024, 80);
        var r = Deid(UsGrey, Cleaning(new PixelCleaningRule("philips medical systems", "EPIQ 5G", 768, 1024, [rect])));
        Assert.Equal(DeidStatus.Deidentified, r.Status);
        Assert.True(r.PixelsCleaned);
        Assert.Equal(TransferSyntax.ExplicitVRLittleEndian, r.TransferSyntax);
        Assert.Equal("NO", r.Dataset!.GetString(DicomTags.BurnedInAnnotation));
        Assert.Contains(r.Dataset.GetSequence(DicomTags.DeidentificationMethodCodeSequence)!.Items, i => i.GetString(DicomTags.CodeValue) == "113101");
        var (before, f) = Decode(DicomFile.Open(Corpus.Get(UsGrey).FullPath));
        var (after, _) = Decode(WriteAndRead(r));
        AssertBlanked(before, after, f, rect, 1);
        // Another model or image size: no rule, quarantined.
        Assert.Equal(DeidStatus.Quarantined, Deid(UsGrey, Cleaning(new PixelCleaningRule("Philips Medical Systems", "EPIQ 7", 768, 1024, [rect]))).Status);
        Assert.Equal(DeidStatus.Quarantined, Deid(UsGrey, Cleaning(new PixelCleaningRule(null, null, 600, 800, [rect]))).Status);
    }

    [Fact]
    public void Encapsulated_frames_are_blanked_and_re_encoded_with_RLE_lossless()
    {
        var rect = new PixelRectangle(10, 5, 120, 30);
        var r = Deid(UsJpeg, Cleaning(new PixelCleaningRule("ACUSON", "*", 240, 320, [rect])));
        Assert.Equal(DeidStatus.Deidentified, r.Status);
        Assert.Equal(DicomUids.RLELossless, r.TransferSyntax!.Uid);
        var (before, f) = Decode(DicomFile.Open(Corpus.Get(UsJpeg).FullPath));
        var output = WriteAndRead(r);
        var (after, _) = Decode(output);
        AssertBlanked(before, after, f, rect, 8);

        // dcmtk decodes the RLE output as well.
        var dir = Directory.CreateTempSubdirectory("mira-deid-rle-");
        try
        {
            var path = Path.Combine(dir.FullName, "clean.dcm");
            File.WriteAllBytes(path, DicomFileWriter.ToBytes(r.Dataset!, r.TransferSyntax, null, new DicomWriteOptions { KeepInvalidValues = true }));
            ExternalTool.Run(ExternalTool.Require("dcmdrle", "dcmtk"), path, Path.Combine(dir.FullName, "raw.dcm"));
            var (dcmtk, _) = Decode(DicomFile.Open(Path.Combine(dir.FullName, "raw.dcm")));
            Assert.Equal(after, dcmtk);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Overlays_are_kept_and_blanked_under_Clean_Graphics_when_a_rule_applies()
    {
        var file = DicomFile.Open(Corpus.Get(UsGrey).FullPath);
        var ds = file.Dataset;
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x0010), DicomVR.US, BitConverter.GetBytes((ushort)768)));
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x0011), DicomVR.US, BitConverter.GetBytes((ushort)1024)));
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x0050), DicomVR.SS, new byte[] { 1, 0, 1, 0 }));
        var bits = Enumerable.Repeat((byte)0xFF, 768 * 1024 / 8).ToArray();
        ds.Set(new DicomElement(new DicomTag(0x6000, 0x3000), DicomVR.OW, bits));
        var rect = new PixelRectangle(0, 0, 1024, 2);
        var recipe = Cleaning(new PixelCleaningRule(null, null, 768, 1024, [rect])) with
        {
            Options = [.. DeidRecipe.Research.Options, nameof(DeidOptions.CleanPixelData), nameof(DeidOptions.CleanGraphics)],
        };
        var r = new DeidEngine(recipe, TestData.Key).Deidentify(ds, file.TransferSyntax);
        var overlay = r.Dataset!.Find(new DicomTag(0x6000, 0x3000))!.Bytes.ToArray();
        Assert.All(overlay.Take(2 * 1024 / 8), b => Assert.Equal(0, b));
        Assert.All(overlay.Skip(2 * 1024 / 8), b => Assert.Equal(0xFF, b));
    }
}
