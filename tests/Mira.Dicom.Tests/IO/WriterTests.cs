using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.IO;

public class WriterTests
{
    static DicomDataset Minimal() => new DicomDataset()
        .Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7")
        .Set(DicomTags.SOPInstanceUID, "2.25.42");

    [Theory]
    [InlineData(0x00080020u, "2026-13-45")] // StudyDate: DA
    [InlineData(0x0020000Du, "1.02.3")]     // StudyInstanceUID: UI with a leading zero
    [InlineData(0x00080060u, "ct")]         // Modality: CS lower case
    [InlineData(0x00200013u, "12.5")]       // InstanceNumber: IS
    public void Invalid_values_are_refused_naming_tag_and_vr(uint tag, string value)
    {
        var ds = Minimal().Set(new DicomTag(tag), value);
        var e = Assert.Throws<DicomValueException>(() => DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Equal(new DicomTag(tag), e.Tag);
        Assert.Contains(new DicomTag(tag).ToString(), e.Message);
    }

    [Fact]
    public void Invalid_values_are_written_when_asked_to_keep_them()
    {
        var ds = Minimal().Set(DicomTags.Modality, "ct");
        var bytes = DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian, options: new DicomWriteOptions { KeepInvalidValues = true });
        Assert.Equal("ct", DicomFile.Read(bytes).Dataset.GetString(DicomTags.Modality));
    }

    [Fact]
    public void File_meta_has_a_correct_group_length_and_the_data_set_identity()
    {
        var bytes = DicomFileWriter.ToBytes(Minimal(), TransferSyntax.ImplicitVRLittleEndian);
        var file = DicomFile.Read(bytes);
        Assert.Empty(file.Warnings);
        Assert.Equal("1.2.840.10008.5.1.4.1.1.7", file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPClassUID));
        Assert.Equal("2.25.42", file.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(TransferSyntax.ImplicitVRLittleEndian.Uid, file.FileMetaInformation.GetString(DicomTags.TransferSyntaxUID));
        Assert.Equal(DicomFileWriter.ImplementationClassUid, file.FileMetaInformation.GetString(DicomTags.ImplementationClassUID));
        var groupLength = (long)file.FileMetaInformation.GetDouble(DicomTags.FileMetaInformationGroupLength)!;
        var metaEnd = 132 + 12 + groupLength;
        Assert.Equal((byte)0x08, bytes[metaEnd]); // the data set's first element, group 0008, starts right after the meta
    }

    [Fact]
    public void Group_lengths_in_the_data_set_are_recomputed()
    {
        var ds = Minimal().Set(DicomTags.PatientName, "Doe^Jane")
            .Set(new DicomElement(new DicomTag(0x00100000), DicomVR.UL, new byte[] { 99, 0, 0, 0 }));
        var file = DicomFile.Read(DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian));
        // (0010,0010) PN: 8-byte header + 8-byte value.
        Assert.Equal(16, file.Dataset.GetDouble(new DicomTag(0x00100000)));
    }

    [Fact]
    public void Text_that_the_character_set_cannot_encode_is_refused()
    {
        var ds = Minimal().Set(DicomTags.SpecificCharacterSet, "ISO_IR 100").Set(DicomTags.PatientName, "王^小东");
        var e = Assert.Throws<DicomValueException>(() => DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Equal(DicomTags.PatientName, e.Tag);
    }

    [Fact]
    public void Save_leaves_no_temporary_file_behind()
    {
        var dir = Directory.CreateTempSubdirectory("mira-save-").FullName;
        try
        {
            var path = Path.Combine(dir, "x.dcm");
            DicomFileWriter.Save(path, Minimal(), TransferSyntax.DeflatedExplicitVRLittleEndian);
            Assert.Equal("x.dcm", Path.GetFileName(Assert.Single(Directory.GetFiles(dir))));
            Assert.Equal("2.25.42", DicomFile.Open(path).Dataset.GetString(DicomTags.SOPInstanceUID));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class BulkDataWritingTests
{
    [Fact]
    public void Unresolved_bulk_data_reference_is_refused_not_written_empty()
    {
        var ds = new DicomDataset().Set(DicomTags.SOPClassUID, "1.2.3").Set(DicomTags.SOPInstanceUID, "1.2.3.4")
            .Set(new Mira.Dicom.Json.DicomBulkDataReference(DicomTags.PixelData, DicomVR.OW, "https://example.org/bulk/1"));
        var e = Assert.Throws<DicomValueException>(() => Mira.Dicom.IO.DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Contains("https://example.org/bulk/1", e.Message);
    }
}

public class LutDescriptorTests
{
    [Fact]
    public void Signed_lut_descriptor_first_value_is_written_unsigned_and_read_back()
    {
        // 40000 entries, first mapped value -100, 16 bits: SS when Pixel Representation is 1 (PS3.3 C.11.1.1).
        var bytes = new byte[6];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes, 40000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2), -100);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(4), 16);
        var ds = new DicomDataset().Set(new DicomElement(new DicomTag(0x00283002), DicomVR.SS, bytes));
        var json = Mira.Dicom.Json.DicomJsonWriter.Serialize(ds);
        Assert.Contains("[40000,-100,16]", json);
        var back = Mira.Dicom.Json.DicomJsonReader.Parse(json);
        Assert.Equal(bytes, back.Get(new DicomTag(0x00283002)).Bytes.ToArray());
    }
}

public class RawDatasetDetectionTests
{
    [Theory]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2.2")]
    public void Raw_data_set_starting_at_any_group_is_recognised(string syntaxUid)
    {
        // A data set without preamble or meta whose first element is in group 0028, not 0008.
        var ds = new DicomDataset()
            .Set(new DicomElement(DicomTags.Rows, DicomVR.US, new byte[] { 0, 2 }))
            .Set(new DicomElement(DicomTags.Columns, DicomVR.US, new byte[] { 0, 1 }))
            .Set(DicomTags.PatientID, "P1");
        var syntax = TransferSyntax.Lookup(syntaxUid);
        var ms = new MemoryStream();
        new Mira.Dicom.IO.DicomDatasetWriter(syntax).Write(ms, ds);
        var file = Mira.Dicom.IO.DicomFile.Read(ms.ToArray());
        Assert.Equal(512, file.Dataset.GetInt32(DicomTags.Rows));
        Assert.Equal("P1", file.Dataset.GetString(DicomTags.PatientID));
        Assert.Equal(syntax.IsExplicitVR, file.TransferSyntax.IsExplicitVR);
        Assert.Equal(syntax.IsLittleEndian, file.TransferSyntax.IsLittleEndian);
    }
}
