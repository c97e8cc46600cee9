using System.Text.Json;

namespace Mira.Dicom.Tests.Generated;

public class DicomUidsTests
{
    [Fact]
    public void Jpeg_lossless_sv1_is_a_transfer_syntax()
    {
        var info = DicomUids.Find("1.2.840.10008.1.2.4.70");
        Assert.NotNull(info);
        Assert.Equal(DicomUidType.TransferSyntax, info.Type);
        Assert.Equal("JPEGLosslessSV1", info.Keyword);
        Assert.False(info.Retired);
        Assert.Equal(DicomUids.JPEGLosslessSV1, info.Uid);
    }

    [Fact]
    public void Every_sops_json_uid_is_present_as_a_sop_class()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(StandardPaths.StandardDir, "sops.json")));
        var uids = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();
        Assert.Equal(175, uids.Count);
        foreach (var uid in uids)
        {
            var info = DicomUids.Find(uid);
            Assert.True(info is not null, $"{uid} missing");
            Assert.Equal(DicomUidType.SopClass, info.Type);
        }
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2", "ImplicitVRLittleEndian", false)]
    [InlineData("1.2.840.10008.1.2.1", "ExplicitVRLittleEndian", false)]
    [InlineData("1.2.840.10008.1.2.2", "ExplicitVRBigEndian", true)]
    [InlineData("1.2.840.10008.1.2.4.52", "JPEGExtended35", true)]
    [InlineData("1.2.840.10008.1.2.8.1", "DeflatedImageFrameCompression", false)]
    [InlineData("1.2.840.10008.1.2.4.201", "HTJ2KLossless", false)]
    [InlineData("1.2.840.10008.1.2.4.202", "HTJ2KLosslessRPCL", false)]
    [InlineData("1.2.840.10008.1.2.4.203", "HTJ2K", false)]
    [InlineData("1.2.840.10008.1.2.4.110", "JPEGXLLossless", false)]
    [InlineData("1.2.840.10008.1.2.4.112", "JPEGXL", false)]
    [InlineData("1.2.840.10008.1.2.7.1", "SMPTEST211020UncompressedProgressiveActiveVideo", false)]
    public void Transfer_syntaxes_of_table_a1_are_present(string uid, string keyword, bool retired)
    {
        var info = DicomUids.Find(uid);
        Assert.NotNull(info);
        Assert.Equal(DicomUidType.TransferSyntax, info.Type);
        Assert.Equal(keyword, info.Keyword);
        Assert.Equal(retired, info.Retired);
    }

    [Fact]
    public void Well_known_uids_have_constants()
    {
        Assert.Equal("1.2.840.10008.1.1", DicomUids.Verification);
        Assert.Equal("1.2.840.10008.3.1.1.1", DicomUids.DICOMApplicationContext);
        Assert.Equal("1.2.840.10008.1.20.1", DicomUids.StorageCommitmentPushModel);
        Assert.Equal("1.2.840.10008.5.1.4.1.2.2.2", DicomUids.StudyRootQueryRetrieveInformationModelMove);
        Assert.Equal("1.2.840.10008.1.3.10", DicomUids.MediaStorageDirectoryStorage);
        Assert.Equal("1.2.840.10008.2.16.4", DicomUids.DCM);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", DicomUids.CTImageStorage);
        Assert.Equal(DicomUidType.CodingScheme, DicomUids.Find(DicomUids.DCM)?.Type);
    }

    [Fact]
    public void Find_ignores_nul_padding_and_rejects_unknown_uids()
    {
        Assert.Equal("CTImageStorage", DicomUids.Find("1.2.840.10008.5.1.4.1.1.2\0")?.Keyword);
        Assert.Null(DicomUids.Find("1.2.3.4"));
        Assert.Null(DicomUids.Find(""));
    }

    [Fact]
    public void Uids_and_keywords_are_unique()
    {
        Assert.Equal(DicomUids.All.Count, DicomUids.All.Select(u => u.Uid).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(DicomUids.All.Count, DicomUids.All.Select(u => u.Keyword).Distinct(StringComparer.Ordinal).Count());
    }
}
