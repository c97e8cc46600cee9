using System.Text;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Imaging.Presentation;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Imaging.Tests.Presentation;

/// <summary>
/// The pipeline against DCMTK's renderer (dcmj2pnm, Debian package dcmtk, which CI installs): first window of the
/// data set (<c>+Wi 1</c>), or the frame's value range (<c>+Wm</c>) when it has none; palette and YBR to RGB. The
/// corpus has no reference renderings of DICOM images (oracle/images holds only photos and slides), so DCMTK is the
/// reference here. Without dcmj2pnm the tests fail, naming the package.
/// </summary>
public sealed class DcmtkRenderingTests(ITestOutputHelper output) : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("mira-render-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    /// <summary>
    /// Files, and a window to ask both for instead of the data set's (null: the data set's first window, or the
    /// value range). DCMTK rounds display values down where the pipeline rounds to nearest, so samples may differ by 1
    /// (mean |Δ| up to about 0.8 on smooth images); anything more is a real difference.
    /// </summary>
    public static TheoryData<string, string?> Files() => new()
    {
        { "dicom/modality/CT/CT_small.dcm", null }, // signed, rescale, window
        // Signed, big endian, Pixel Padding Value: a window of our own, as DCMTK's +Wm range counts the padding.
        { "dicom/transfer-syntax/cornerstone/CT1_UNC.explicit_big_endian.dcm", "40,400" },
        { "dicom/modality/DX/highdicom_dx_image.dcm", null }, // MONOCHROME1
        { "dicom/dicomdir/77654033/CR1/6154", null }, // MONOCHROME1
        { "dicom/modality/PT/acrin_flt_breast_pt_1.dcm", null },
        { "dicom/modality/MR/emri_small.dcm", null },
        { "dicom/modality/MR/emri_small.dcm", "300,200" },
        { "dicom/modality/OT/examples_palette.dcm", null }, // 16-bit palette (DCMTK 3.6.7 has no segmented palettes)
        { "dicom/transfer-syntax/pydicom/SC_ybr_full_422_uncompressed.dcm", null },
        { "dicom/transfer-syntax/pydicom/SC_rgb_jpeg_dcmtk.dcm", null }, // YBR_FULL JPEG
        { "dicom/modality/SC/deid_cookie_image1.dcm", null }, // YBR_FULL_422 JPEG
        { "dicom/transfer-syntax/pydicom/JPEG-lossy.dcm", null }, // 12-bit JPEG
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Matches_dcmj2pnm(string path, string? window)
    {
        var tool = ExternalTool.Require("dcmj2pnm", "dcmtk");
        var full = Corpus.Get(path).FullPath;
        var file = DicomFile.Open(full);
        var hasWindow = file.Dataset.Contains(DicomTags.WindowCenter) && file.Dataset.Contains(DicomTags.WindowWidth);
        var pnm = Path.Combine(temp, "out.pnm");
        string[] voi = window is not null ? ["+Ww", .. window.Split(',')] : hasWindow ? ["+Wi", "1"] : ["+Wm"];
        ExternalTool.Run(tool, ["--write-raw-pnm", .. voi, full, pnm]);
        var (w, h, channels, reference) = ReadPnm(File.ReadAllBytes(pnm));

        var options = window is null ? null : new RenderOptions { Window = VoiWindow.Parse(window, out _) };
        var mine = PresentationPipeline.Render(PixelData.Open(file), 0, options);
        Assert.Equal((w, h), (mine.Width, mine.Height));
        Assert.Equal(channels == 1 ? RenderedLayout.Gray8 : RenderedLayout.Rgba32, mine.Layout);
        long sum = 0;
        var max = 0;
        for (var p = 0; p < w * h; p++)
            for (var c = 0; c < channels; c++)
            {
                var d = Math.Abs(reference[p * channels + c] - mine.Pixels[p * mine.BytesPerPixel + c]);
                sum += d;
                max = Math.Max(max, d);
            }
        var mean = (double)sum / (w * h * channels);
        output.WriteLine($"{path}: mean |Δ| {mean:0.0000}, max |Δ| {max}");
        Assert.True(mean <= 0.8 && max <= 1, $"mean |Δ| {mean:0.0000} (allowed 0.8), max |Δ| {max} (allowed 1)");
    }

    /// <summary>A binary PGM (P5) or PPM (P6) with maxval 255.</summary>
    static (int W, int H, int Channels, byte[] Pixels) ReadPnm(byte[] b)
    {
        var pos = 0;
        string Token()
        {
            while (pos < b.Length && (char.IsWhiteSpace((char)b[pos]) || b[pos] == '#'))
                if (b[pos] == '#') while (pos < b.Length && b[pos] != '\n') pos++;
                else pos++;
            var start = pos;
            while (pos < b.Length && !char.IsWhiteSpace((char)b[pos])) pos++;
            return Encoding.ASCII.GetString(b, start, pos - start);
        }
        var magic = Token();
        int w = int.Parse(Token()), h = int.Parse(Token()), maxval = int.Parse(Token());
        pos++;
        Assert.Equal(255, maxval);
        var channels = magic == "P6" ? 3 : 1;
        return (w, h, channels, b[pos..(pos + w * h * channels)]);
    }
}
