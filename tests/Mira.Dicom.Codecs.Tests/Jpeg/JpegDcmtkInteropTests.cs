using System.Diagnostics;
using Mira.Dicom.Codecs.Jpeg;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

/// <summary>
/// Interoperability with dcmtk (dcmcjpeg / dcmdjpeg, IJG libjpeg 6b inside), generated at test time into a temporary folder.
/// </summary>
public sealed class JpegDcmtkInteropTests(ITestOutputHelper output) : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("mira-jpeg-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    static void Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool} (is dcmtk installed?)");
        var err = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result}");
    }

    /// <summary>Native Pixel Data without the padding byte of an odd-length value.</summary>
    static byte[] NativePixels(string path)
    {
        var ds = DicomFile.Open(path).Dataset;
        var f = PixelFormat.From(ds);
        return ds.Get(DicomTags.PixelData).Bytes[..(int)(f.FrameLength * f.NumberOfFrames)].ToArray();
    }

    string Compress(string source, string name, params string[] options)
    {
        var path = Path.Combine(temp, name + ".dcm");
        Run("dcmcjpeg", [.. options, source, path]);
        return path;
    }

    string Decompress(string source, params string[] options)
    {
        var path = Path.Combine(temp, Path.GetFileNameWithoutExtension(source) + "-dcmdjpeg" + string.Join("", options) + ".dcm");
        Run("dcmdjpeg", [.. options, "+px", source, path]);
        return path;
    }

    public static TheoryData<string, int> LosslessCases()
    {
        var d = new TheoryData<string, int>();
        foreach (var f in new[] { "dicom/modality/CT/CT_small.dcm", "dicom/modality/MR/prostate_mri_tcia.dcm", "dicom/modality/SC/NEMA_VL1_UNC.dcm", "dicom/modality/DX/highdicom_dx_image.dcm" })
            for (var sv = 1; sv <= 7; sv++) d.Add(f, sv);
        return d;
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public void Dcmcjpeg_lossless_with_every_predictor_decodes_to_the_native_pixels(string corpusPath, int predictor)
    {
        var source = Corpus.Get(corpusPath).FullPath;
        var jpeg = Compress(source, $"sv{predictor}", "+el", "+sv", predictor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var (pixels, _) = JpegTestSupport.DecodeAll(jpeg, new JpegCodec());
        Assert.Equal(NativePixels(source), pixels);
        Assert.Equal(NativePixels(Decompress(jpeg)), pixels);
    }

    [Fact]
    public void Dcmcjpeg_lossless_with_a_point_transform_decodes_like_dcmdjpeg()
    {
        var source = Corpus.Get("dicom/modality/MR/prostate_mri_tcia.dcm").FullPath;
        var jpeg = Compress(source, "pt3", "+el", "+sv", "4", "+pt", "3");
        var (pixels, _) = JpegTestSupport.DecodeAll(jpeg, new JpegCodec());
        Assert.Equal(NativePixels(Decompress(jpeg)), pixels);
    }

    public static TheoryData<string, string> LossyCases() => new()
    {
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", "+eb +s2" },   // 4:2:2, YBR_FULL_422, h2v1 fancy upsampling
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", "+eb +n1" },   // 4:1:1, h4v1 replication
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", "+eb +s4" },   // 4:4:4 YCbCr
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", "+eb +cr" },   // RGB components
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", "+ee +q 75" }, // extended, 8-bit
        { "dicom/modality/US/US1_UNCR.dcm", "+eb +s2 +q 40" },
        { "dicom/modality/DX/highdicom_dx_image.dcm", "+eb +q 95" }, // odd size grey
        { "dicom/modality/MR/prostate_mri_tcia.dcm", "+ee" },  // 12-bit, process 4
        { "dicom/modality/MR/prostate_mri_tcia.dcm", "+ee +q 30" },
    };

    [Theory]
    [MemberData(nameof(LossyCases))]
    public void Dcmcjpeg_lossy_decodes_exactly_like_dcmdjpeg(string corpusPath, string options)
    {
        var source = Corpus.Get(corpusPath).FullPath;
        var jpeg = Compress(source, "lossy" + options.Replace(" ", ""), options.Split(' '));
        var (asStored, format) = JpegTestSupport.DecodeAll(jpeg, new JpegCodec());
        var reference = NativePixels(Decompress(jpeg, "+cn"));
        output.WriteLine($"{options}: {format.PhotometricInterpretation}, max |diff| vs dcmdjpeg +cn = {MaxAbsDiff(reference, asStored, format)}");
        Assert.Equal(reference, asStored);
        if (format.SamplesPerPixel == 3)
        {
            var (rgb, rgbFormat) = JpegTestSupport.DecodeAll(jpeg, new JpegCodec(JpegColorOutput.ConvertYbrToRgb));
            Assert.Equal(NativePixels(Decompress(jpeg)), rgb);
            if (format.PhotometricInterpretation == "YBR_FULL") Assert.Equal("RGB", rgbFormat.PhotometricInterpretation);
        }
    }

    internal static int MaxAbsDiff(byte[] a, byte[] b, PixelFormat f)
    {
        if (a.Length != b.Length) return int.MaxValue;
        var max = 0;
        if (f.BytesPerSample == 1)
            for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        else
            for (var i = 0; i + 1 < a.Length; i += 2) max = Math.Max(max, Math.Abs((a[i] | a[i + 1] << 8) - (b[i] | b[i + 1] << 8)));
        return max;
    }

    public static TheoryData<string, int> EncoderCases() => new()
    {
        { "dicom/modality/CT/CT_small.dcm", 0 },             // 16-bit signed
        { "dicom/modality/MR/prostate_mri_tcia.dcm", 0 },    // 12-bit
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", 0 },         // 8-bit RGB
        { "dicom/modality/DX/highdicom_dx_image.dcm", 0 },    // 8-bit grey, odd size
        { "dicom/modality/MR/prostate_mri_tcia.dcm", 176 },  // restart every line
        { "dicom/modality/SC/NEMA_VL1_UNC.dcm", 756 * 3 },
    };

    [Theory]
    [MemberData(nameof(EncoderCases))]
    public void Mira_SV1_files_decode_with_dcmdjpeg_to_the_original_pixels(string corpusPath, int restartInterval)
    {
        var source = Corpus.Get(corpusPath).FullPath;
        var file = DicomFile.Open(source);
        var ds = file.Dataset;
        var format = PixelFormat.From(ds);
        var native = ds.Get(DicomTags.PixelData).Bytes[..(int)format.FrameLength];
        var jpeg = JpegLosslessEncoder.Encode(native.Span, format, predictor: 1, restartInterval: restartInterval);
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [0], [new DicomFragment(jpeg)]));
        var path = Path.Combine(temp, "mira-sv1.dcm");
        DicomFileWriter.Save(path, ds, TransferSyntax.Lookup(JpegCodec.LosslessSV1));
        output.WriteLine($"{corpusPath}: {native.Length} -> {jpeg.Length} bytes");
        Assert.Equal(native.ToArray(), NativePixels(Decompress(path)));
        var (ours, _) = JpegTestSupport.DecodeAll(path, new JpegCodec());
        Assert.Equal(native.ToArray(), ours);
    }
}
