using System.Diagnostics;
using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>
/// Mira's RLE encoder against DCMTK's decoder (dcmdrle) and DCMTK's encoder (dcmcrle) against Mira's decoder.
/// DCMTK (Debian package dcmtk) must be installed; without it the tests say so in their output and pass.
/// </summary>
public sealed class DcmtkRleTests(ITestOutputHelper output) : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("mira-rle-").FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    /// <summary>8-bit grey and RGB, 16-bit signed and unsigned, RGB 16-bit multi-frame, 32-bit multi-frame, planar RGB, big endian.</summary>
    public static TheoryData<string> Files() =>
    [
        "dicom/modality/US/deid_us_greyscale_image.dcm",
        "dicom/modality/US/US1_UNCR.dcm",
        "dicom/modality/CT/CT_small.dcm",
        "dicom/modality/MR/emri_small.dcm",
        "dicom/transfer-syntax/pydicom/SC_rgb_rle_16bit_2frame.dcm",
        "dicom/modality/RT/rtdose.dcm",
        "dicom/transfer-syntax/pydicom/ExplVR_BigEnd.dcm",
        "dicom/transfer-syntax/cornerstone/CT1_UNC.explicit_big_endian.dcm",
        "dicom/edge/SC_rgb_small_odd.dcm",
    ];

    static bool HasTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    static void RunTool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), $"{tool} did not finish");
        Assert.True(p.ExitCode == 0, $"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Dcmdrle_decodes_what_Mira_encodes_to_the_original_pixels(string path)
    {
        if (!HasTool("dcmdrle")) { output.WriteLine("dcmdrle is not installed (apt-get install dcmtk): not compared"); return; }
        var source = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath));
        var expected = PixelArray.From(source).Sha256();
        var rle = Path.Combine(temp, "mira-rle.dcm");
        DicomFileWriter.Save(rle, PixelDataTranscoder.Transcode(source, TransferSyntax.Lookup(Rle.RleCodec.Uid)), TransferSyntax.Lookup(Rle.RleCodec.Uid),
            options: new DicomWriteOptions { KeepInvalidValues = true }); // corpus files carry invalid values (dates, UIDs) the writer refuses by default
        var decoded = Path.Combine(temp, "dcmtk-decoded.dcm");
        RunTool("dcmdrle", rle, decoded);
        var byDcmtk = DicomFile.Open(decoded);
        Assert.False(byDcmtk.TransferSyntax.IsEncapsulated);
        Assert.Equal(expected, PixelArray.From(PixelData.Open(byDcmtk)).Sha256());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Mira_decodes_what_dcmcrle_encodes_to_the_original_pixels(string path)
    {
        if (!HasTool("dcmcrle")) { output.WriteLine("dcmcrle is not installed (apt-get install dcmtk): not compared"); return; }
        var original = DicomFile.Open(Corpus.Get(path).FullPath);
        if (original.TransferSyntax.IsEncapsulated) { output.WriteLine($"{path} is already encapsulated; dcmcrle takes native input"); return; }
        var expected = PixelArray.From(PixelData.Open(original)).Sha256();
        var rle = Path.Combine(temp, "dcmtk-rle.dcm");
        RunTool("dcmcrle", Corpus.Get(path).FullPath, rle);
        var file = DicomFile.Open(rle);
        Assert.Equal(Rle.RleCodec.Uid, file.TransferSyntax.Uid);
        Assert.Equal(expected, PixelArray.From(PixelData.Open(file)).Sha256());
    }
}
