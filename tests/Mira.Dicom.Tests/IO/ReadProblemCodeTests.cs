using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.IO;

/// <summary>Every warning and refusal of the reader says what kind of problem it is, so that callers never read its message.</summary>
public class ReadProblemCodeTests
{
    static string P(string p) => Path.Combine(Mira.Testing.Corpus.Root, p);

    static DicomDataset Sample() =>
        new DicomDataset().Set(DicomTags.SOPClassUID, "1.2.3").Set(DicomTags.SOPInstanceUID, "1.2.3.4").Set(DicomTags.PatientName, "Doe^John");

    [Fact]
    public void A_truncated_value_warns_with_the_truncated_code()
    {
        var file = DicomFile.Read(DicomFileWriter.ToBytes(Sample(), TransferSyntax.ExplicitVRLittleEndian)[..^3]);
        Assert.True(file.IsTruncated);
        var w = Assert.Single(file.Warnings, w => w.Code == DicomReadProblemCode.Truncated);
        Assert.Equal(DicomTags.PatientName, w.Tag);
    }

    [Fact]
    public void A_refused_truncation_carries_the_truncated_code()
    {
        var e = Assert.Throws<DicomFormatException>(() =>
            DicomFile.Read(DicomFileWriter.ToBytes(Sample(), TransferSyntax.ExplicitVRLittleEndian)[..^3], DicomReadOptions.Untrusted));
        Assert.Equal(DicomReadProblemCode.Truncated, e.Code);
    }

    [Fact]
    public void Corpus_truncations_are_coded_on_the_pixel_data()
    {
        var mr = DicomFile.Open(P("dicom/edge/MR_truncated.dcm"));
        Assert.Equal(DicomTags.PixelData, Assert.Single(mr.Warnings, w => w.Code == DicomReadProblemCode.Truncated).Tag);
        var j2k = DicomFile.Open(P("dicom/edge/emri_small_jpeg_2k_lossless_too_short.dcm"));
        Assert.Contains(j2k.Warnings, w => w.Code == DicomReadProblemCode.Truncated && w.Tag == DicomTags.PixelData);
    }

    [Fact]
    public void An_odd_length_is_coded()
    {
        var file = DicomFile.Open(P("dicom/modality/DX/highdicom_dx_image.dcm"));
        Assert.Equal(DicomTags.PixelData, Assert.Single(file.Warnings, w => w.Code == DicomReadProblemCode.OddLength).Tag);
    }

    [Fact]
    public void Bytes_that_disagree_with_the_transfer_syntax_are_coded_as_a_mismatch()
    {
        var explicitFile = DicomFile.Read(DicomFileWriter.ToBytes(Sample(), TransferSyntax.ExplicitVRLittleEndian));
        var bytes = DicomFileWriter.ToBytes(Sample(), TransferSyntax.ExplicitVRLittleEndian);
        var lying = DicomFileWriter.Compose("1.2.3", "1.2.3.4", TransferSyntax.ImplicitVRLittleEndian, bytes.AsSpan((int)explicitFile.DatasetOffset));
        var file = DicomFile.Read(lying);
        Assert.Contains(file.Warnings, w => w.Code == DicomReadProblemCode.TransferSyntaxMismatch);
        Assert.Equal("Doe^John", file.Dataset.GetString(DicomTags.PatientName));
        Assert.DoesNotContain(explicitFile.Warnings, w => w.Code == DicomReadProblemCode.TransferSyntaxMismatch);
    }

    [Fact]
    public void Input_that_is_not_dicom_is_coded_as_such()
    {
        Assert.Equal(DicomReadProblemCode.NotDicom, Assert.Throws<DicomFormatException>(() => DicomFile.Read(Array.Empty<byte>())).Code);
        Assert.Equal(DicomReadProblemCode.NotDicom, Assert.Throws<DicomFormatException>(() => DicomFile.Read("not DICOM at all, really"u8.ToArray())).Code);
        Assert.Equal(DicomReadProblemCode.NotDicom, Assert.Throws<DicomFormatException>(() => DicomFile.Open(P("dicom/edge/no_meta.dcm"))).Code);
    }

    [Fact]
    public void A_missing_preamble_and_a_missing_transfer_syntax_are_coded()
    {
        var bytes = DicomFileWriter.ToBytes(Sample(), TransferSyntax.ExplicitVRLittleEndian);
        var file = DicomFile.Read(bytes.AsMemory(128));
        Assert.Contains(file.Warnings, w => w.Code == DicomReadProblemCode.NoPreamble);
        // Preamble and DICM, then the data set without any File Meta Information: no Transfer Syntax UID (0002,0010).
        var noMeta = DicomFile.Read((byte[])[.. new byte[128], .. "DICM"u8, .. bytes.AsSpan((int)DicomFile.Read(bytes).DatasetOffset)]);
        Assert.Equal(DicomTags.TransferSyntaxUID, Assert.Single(noMeta.Warnings, w => w.Code == DicomReadProblemCode.MissingElement).Tag);
    }

    [Fact]
    public void Exceeded_limits_are_coded()
    {
        var deep = new MemoryStream();
        for (var i = 0; i < 40; i++)
        {
            deep.Write([0x08, 0x00, 0x15, 0x11, (byte)'S', (byte)'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
            deep.Write([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        }
        var e = Assert.Throws<DicomFormatException>(() => DicomDatasetReader.Read(deep.ToArray(), TransferSyntax.ExplicitVRLittleEndian, DicomReadOptions.Untrusted));
        Assert.Equal(DicomReadProblemCode.LimitExceeded, e.Code);
    }

    [Fact]
    public void Duplicate_and_out_of_order_elements_are_told_apart()
    {
        // Explicit VR LE raw data set: (0010,0010) PN, (0010,0010) again, then (0008,0060) CS after them.
        byte[] El(ushort g, ushort e, string vr, string v) =>
            [(byte)g, (byte)(g >> 8), (byte)e, (byte)(e >> 8), (byte)vr[0], (byte)vr[1], (byte)v.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(v)];
        byte[] data = [.. El(0x0010, 0x0010, "PN", "A^B "), .. El(0x0010, 0x0010, "PN", "C^D "), .. El(0x0008, 0x0060, "CS", "CT")];
        DicomDatasetReader.Read(data, TransferSyntax.ExplicitVRLittleEndian, null, out var warnings);
        Assert.Equal([DicomReadProblemCode.DuplicateElement, DicomReadProblemCode.ElementOutOfOrder], warnings.Select(w => w.Code));
    }

    [Fact]
    public void Value_errors_of_typed_access_are_coded()
    {
        var ds = new DicomDataset().Set(DicomTags.SliceThickness, DicomVR.DS, "thick");
        Assert.Equal(DicomReadProblemCode.InvalidValue, Assert.Throws<DicomFormatException>(() => ds.GetDoubles(DicomTags.SliceThickness)).Code);
    }

    [Fact]
    public void A_refusal_without_a_code_is_malformed_and_keeps_its_message()
    {
        var e = new DicomFormatException("no identifier", null, 0);
        Assert.Equal(DicomReadProblemCode.Malformed, e.Code);
        Assert.Equal("no identifier (offset 0)", e.Message);
    }
}
