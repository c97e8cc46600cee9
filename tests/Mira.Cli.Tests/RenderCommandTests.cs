using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Imaging.Presentation;
using Mira.Imaging.Rendering;
using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class RenderCommandTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("mira-render-cli-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    static string CorpusPath(string p) => Path.Combine(Corpus.Root, p);

    static RenderedImage Expected(string path, int frame = 1, VoiWindow? window = null) =>
        PresentationPipeline.Render(PixelData.Open(DicomFile.Open(CorpusPath(path))), frame - 1, new RenderOptions { Window = window });

    [Fact]
    public void Writes_a_PNG_with_exactly_the_pipeline_output()
    {
        var output = Path.Combine(temp, "ct.png");
        var r = MiraProcess.Run("render", CorpusPath("dicom/modality/CT/CT_small.dcm"), "--out", output);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        var png = ImageEncoder.Decode(File.ReadAllBytes(output));
        var expected = Expected("dicom/modality/CT/CT_small.dcm");
        Assert.Equal((128, 128, RenderedLayout.Gray8), (png.Width, png.Height, png.Layout));
        Assert.Equal(expected.Pixels, png.Pixels);
    }

    [Fact]
    public void Window_and_frame_options_are_applied()
    {
        var output = Path.Combine(temp, "mr.png");
        var r = MiraProcess.Run("render", CorpusPath("dicom/modality/MR/emri_small.dcm"), "--frame", "3", "--window", "300,200,sigmoid", "-o", output);
        Assert.Equal(0, r.ExitCode);
        var expected = Expected("dicom/modality/MR/emri_small.dcm", 3, new VoiWindow(300, 200, VoiFunction.Sigmoid));
        Assert.Equal(expected.Pixels, ImageEncoder.Decode(File.ReadAllBytes(output)).Pixels);
        Assert.NotEqual(Expected("dicom/modality/MR/emri_small.dcm", 1, new VoiWindow(300, 200, VoiFunction.Sigmoid)).Pixels, expected.Pixels);
    }

    [Fact]
    public void JPEG_from_the_extension_or_format_and_scaled_to_the_size()
    {
        var byExtension = Path.Combine(temp, "us.jpg");
        var r = MiraProcess.Run("render", CorpusPath("dicom/modality/US/examples_ybr_color.dcm"), "--frame", "30", "--size", "100x100", "--quality", "80", "--out", byExtension);
        Assert.Equal(0, r.ExitCode);
        var bytes = File.ReadAllBytes(byExtension);
        Assert.Equal([0xFF, 0xD8], bytes[..2]);
        var jpeg = ImageEncoder.Decode(bytes);
        Assert.Equal((100, 75, RenderedLayout.Rgba32), (jpeg.Width, jpeg.Height, jpeg.Layout)); // 320×240 fitted into 100×100

        var byOption = Path.Combine(temp, "palette.out");
        Assert.Equal(0, MiraProcess.Run("render", CorpusPath("dicom/modality/OT/examples_palette.dcm"), "--format", "jpeg", "--out", byOption).ExitCode);
        Assert.Equal([0xFF, 0xD8], File.ReadAllBytes(byOption)[..2]);
    }

    [Theory]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--frame", "2" }, "frame 2 is out of range: the image has 1 frame(s)")]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--frame", "0" }, "--frame 0: frames are numbered from 1")]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--window", "40" }, "'40' is not a window")]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--size", "0x10" }, "--size 0x10: expected WxH")]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--format", "gif" }, "--format gif: expected png or jpeg")]
    [InlineData("dicom/modality/CT/CT_small.dcm", new[] { "--quality", "101" }, "--quality 101: expected 1 to 100")]
    [InlineData("dicom/modality/SR/highdicom_sr_document.dcm", new string[0], "the data set has no Pixel Data")]
    public void Errors_are_path_colon_reason_with_exit_1(string path, string[] options, string reason)
    {
        var output = Path.Combine(temp, "x.png");
        var full = CorpusPath(path);
        var r = MiraProcess.Run(["render", full, .. options, "--out", output]);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith($"{full}: ", r.Stderr);
        Assert.Contains(reason, r.Stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        var r = MiraProcess.Run("render", "/nonexistent/x.dcm", "--out", Path.Combine(temp, "x.png"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("/nonexistent/x.dcm: no such file", r.Stderr.TrimEnd('\n'));
    }
}
