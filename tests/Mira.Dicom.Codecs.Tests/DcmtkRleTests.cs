using Mira.Dicom.IO;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>
/// Mira's RLE encoder against DCMTK's decoder (dcmdrle) and DCMTK's encoder (dcmcrle) against Mira's decoder.
/// DCMTK (Debian package dcmtk, which tools/test.sh installs) must be installed; without it the tests fail, saying so.
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

    [Theory]
    [MemberData(nameof(Files))]
    public void Dcmdrle_decodes_what_Mira_encodes_to_the_original_pixels(string path)
    {
        var dcmdrle = ExternalTool.Require("dcmdrle", "dcmtk");
        var source = PixelData.Open(DicomFile.Open(Corpus.Get(path).FullPath));
        var expected = PixelArray.From(source).Sha256();
        var rle = Path.Combine(temp, "mira-rle.dcm");
        DicomFileWriter.Save(rle, PixelDataTranscoder.Transcode(source, TransferSyntax.Lookup(Rle.RleCodec.Uid)), TransferSyntax.Lookup(Rle.RleCodec.Uid),
            options: new DicomWriteOptions { KeepInvalidValues = true }); // corpus files carry invalid values (dates, UIDs) the writer refuses by default
        var decoded = Path.Combine(temp, "dcmtk-decoded.dcm");
        ExternalTool.Run(dcmdrle, rle, decoded);
        var byDcmtk = DicomFile.Open(decoded);
        Assert.False(byDcmtk.TransferSyntax.IsEncapsulated);
        Assert.Equal(expected, PixelArray.From(PixelData.Open(byDcmtk)).Sha256());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Mira_decodes_what_dcmcrle_encodes_to_the_original_pixels(string path)
    {
        var dcmcrle = ExternalTool.Require("dcmcrle", "dcmtk");
        var original = DicomFile.Open(Corpus.Get(path).FullPath);
        if (original.TransferSyntax.IsEncapsulated) { output.WriteLine($"{path} is already encapsulated; dcmcrle takes native input"); return; }
        var expected = PixelArray.From(PixelData.Open(original)).Sha256();
        var rle = Path.Combine(temp, "dcmtk-rle.dcm");
        ExternalTool.Run(dcmcrle, Corpus.Get(path).FullPath, rle);
        var file = DicomFile.Open(rle);
        Assert.Equal(Rle.RleCodec.Uid, file.TransferSyntax.Uid);
        Assert.Equal(expected, PixelArray.From(PixelData.Open(file)).Sha256());
    }
}
