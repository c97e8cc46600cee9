using Mira.Testing;

namespace Mira.Cli.Tests;

public sealed class PixelsCommandTests
{
    static string CorpusPath(string p) => Path.Combine(Corpus.Root, p);

    [Fact]
    public void Prints_shape_dtype_syntax_and_the_oracle_hash_per_file()
    {
        string[] files =
        [
            "dicom/transfer-syntax/pydicom/MR_small_RLE.dcm",
            "dicom/modality/SEG/dcmqi_liver_seg.dcm",
            "dicom/transfer-syntax/pydicom/SC_rgb_rle_16bit_2frame.dcm",
            "dicom/modality/PM/parametric_map_float.dcm",
            "dicom/transfer-syntax/dcm_qa_ts/9_j2k_lossless_gdcm.dcm", // OpenJPEG, registered at start-up
        ];
        var r = MiraProcess.Run(["pixels", "--sha256", .. files.Select(CorpusPath)]);
        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Length, lines.Length);
        for (var i = 0; i < files.Length; i++)
        {
            var o = PixelOracles.Get(files[i])!.Pydicom;
            var c = lines[i].Split('\t');
            Assert.Equal(CorpusPath(files[i]), c[0]);
            Assert.Equal(o.ShapeText, c[1]);
            Assert.Equal(o.DType, c[2]);
            Assert.Equal(PixelOracles.Get(files[i])!.TransferSyntax, c[3]);
            Assert.Equal(o.Sha256, c[4]);
        }
    }

    [Fact]
    public void Without_sha256_prints_no_hash()
    {
        var r = MiraProcess.Run("pixels", CorpusPath("dicom/modality/CT/CT_small.dcm"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal([CorpusPath("dicom/modality/CT/CT_small.dcm"), "(128, 128)", "int16", "1.2.840.10008.1.2.1"], r.Stdout.TrimEnd('\n').Split('\t'));
    }

    [Fact]
    public void Files_that_fail_are_reported_on_stderr_with_exit_1_and_the_rest_still_printed()
    {
        var truncated = CorpusPath("dicom/edge/MR_truncated.dcm");
        var noPixels = CorpusPath("dicom/modality/SR/highdicom_sr_document.dcm");
        var j2k = CorpusPath("dicom/edge/JPEG2000-embedded-sequence-delimiter.dcm");
        var good = CorpusPath("dicom/transfer-syntax/pydicom/MR_small.dcm");
        var r = MiraProcess.Run("pixels", "--sha256", truncated, noPixels, j2k, good, "/nonexistent/x.dcm");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"{truncated}: ", r.Stderr);
        Assert.Contains($"{noPixels}: the data set has no Pixel Data", r.Stderr);
        Assert.Contains($"{j2k}: JPEG 2000: SIZ describes a 3722445056×1024 image", r.Stderr); // damaged codestream
        Assert.Contains("/nonexistent/x.dcm: no such file", r.Stderr);
        Assert.StartsWith(good + "\t(64, 64)\tint16\t", r.Stdout);
        Assert.EndsWith("88617aaa46138fb1b6e2a951e762d962382354d69f47f8c04d4abff2f6a6a63e", r.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void Decode_only_takes_folders_and_prints_one_summary_line()
    {
        var dir = CorpusPath("dicom/dicomdir/77654033/CT2");
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length;
        var r = MiraProcess.Run("pixels", "--decode-only", dir, CorpusPath("dicom/transfer-syntax/pydicom/SC_rgb_rle_16bit_2frame.dcm"));
        Assert.Equal(0, r.ExitCode);
        // 16×16 CT frames (16-bit) plus one 2-frame 100×100 RGB 16-bit RLE file.
        Assert.Equal($"decoded {files + 1} files, {files + 2} frames, {files * 16 * 16 * 2 + 2 * 100 * 100 * 3 * 2} bytes", r.Stdout.TrimEnd('\n'));
    }
}
