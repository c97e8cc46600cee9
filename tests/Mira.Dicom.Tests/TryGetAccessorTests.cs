using Mira.Dicom.IO;

namespace Mira.Dicom.Tests;

/// <summary>The TryGet* accessors answer false where Get* would throw on a malformed value, and agree with Get* otherwise.</summary>
public class TryGetAccessorTests
{
    static DicomDataset Sample() => new DicomDataset()
        .Set(DicomTags.PatientName, "Doe^John")
        .Set(DicomTags.ImageType, "ORIGINAL", "PRIMARY")
        .Set(DicomTags.SliceThickness, DicomVR.DS, "2.5")
        .Set(DicomTags.ImagePositionPatient, DicomVR.DS, "1", "-2.5", "3e1")
        .Set(DicomTags.InstanceNumber, DicomVR.IS, "7")
        .Set(DicomTags.PixelSpacing, DicomVR.DS, "one", "1")
        .Set(new DicomElement(DicomTags.Rows, DicomVR.US, new byte[] { 0x00, 0x02 }))
        .Set(new DicomElement(DicomTags.Columns, DicomVR.US, new byte[] { 0x00, 0x02, 0x01 }))
        .Set(new DicomSequence(DicomTags.ReferencedImageSequence, [new DicomDataset().Set(DicomTags.ReferencedSOPInstanceUID, "1.2.3")]));

    [Fact]
    public void Well_formed_values_read_as_Get_reads_them()
    {
        var ds = Sample();
        Assert.True(ds.TryGetString(DicomTags.PatientName, out var name));
        Assert.Equal(ds.GetString(DicomTags.PatientName), name);
        Assert.True(ds.TryGetStrings(DicomTags.ImageType, out var type));
        Assert.Equal(ds.GetStrings(DicomTags.ImageType), type);
        Assert.True(ds.TryGetDouble(DicomTags.SliceThickness, out var t));
        Assert.Equal(2.5, t);
        Assert.True(ds.TryGetDoubles(DicomTags.ImagePositionPatient, out var pos));
        Assert.Equal(ds.GetDoubles(DicomTags.ImagePositionPatient), pos);
        Assert.True(ds.TryGetInt32(DicomTags.InstanceNumber, out var n));
        Assert.Equal(7, n);
        Assert.True(ds.TryGetUInt16(DicomTags.Rows, out var rows));
        Assert.Equal((ushort)512, rows);
        Assert.True(ds.TryGetDouble(DicomTags.Rows, out var rowsAsDouble));
        Assert.Equal(512, rowsAsDouble);
        Assert.True(ds.TryGetSequence(DicomTags.ReferencedImageSequence, out var seq));
        Assert.Same(ds.GetSequence(DicomTags.ReferencedImageSequence), seq);
        Assert.True(ds.TryGetFirstItem(DicomTags.ReferencedImageSequence, out var item));
        Assert.Equal("1.2.3", item.GetString(DicomTags.ReferencedSOPInstanceUID));
    }

    [Fact]
    public void Malformed_values_give_false_where_Get_throws()
    {
        var ds = Sample();
        Assert.Throws<DicomFormatException>(() => ds.GetDoubles(DicomTags.PixelSpacing));
        Assert.False(ds.TryGetDoubles(DicomTags.PixelSpacing, out var spacing));
        Assert.Empty(spacing);
        Assert.False(ds.TryGetDouble(DicomTags.PixelSpacing, out _));
        Assert.Throws<DicomFormatException>(() => ds.GetValues<ushort>(DicomTags.Columns));
        Assert.False(ds.TryGetUInt16(DicomTags.Columns, out _));
        Assert.Throws<InvalidOperationException>(() => ds.GetDoubles(DicomTags.PatientName));
        Assert.False(ds.TryGetDoubles(DicomTags.PatientName, out _));
        Assert.False(ds.TryGetInt32(DicomTags.PatientName, out _));
    }

    [Fact]
    public void Absent_elements_and_wrong_kinds_give_false()
    {
        var ds = Sample();
        Assert.False(ds.TryGetString(DicomTags.StudyDescription, out var s));
        Assert.Null(s);
        Assert.False(ds.TryGetStrings(DicomTags.StudyDescription, out _));
        Assert.False(ds.TryGetString(DicomTags.Rows, out _)); // binary, not text
        Assert.False(ds.TryGetString(DicomTags.ReferencedImageSequence, out _));
        Assert.False(ds.TryGetValue<ushort>(DicomTags.PatientName, out _));
        Assert.False(ds.TryGetSequence(DicomTags.PatientName, out _));
        Assert.False(ds.TryGetFirstItem(DicomTags.PatientName, out _));
    }

    [Fact]
    public void An_empty_text_element_has_values_but_no_first_value()
    {
        var ds = new DicomDataset().Set(new DicomElement(DicomTags.StudyDescription, DicomVR.LO, ReadOnlyMemory<byte>.Empty));
        Assert.True(ds.TryGetStrings(DicomTags.StudyDescription, out var values));
        Assert.Empty(values);
        Assert.False(ds.TryGetString(DicomTags.StudyDescription, out _));
    }

    [Fact]
    public void Numbers_out_of_int_range_are_not_int32()
    {
        var ds = new DicomDataset().Set(DicomTags.InstanceNumber, DicomVR.IS, "99999999999");
        Assert.True(ds.TryGetDouble(DicomTags.InstanceNumber, out _));
        Assert.False(ds.TryGetInt32(DicomTags.InstanceNumber, out _));
    }

    [Fact]
    public void A_lazy_value_beyond_the_end_of_its_source_gives_false()
    {
        // A 300 KB value left in its source (lazy), then the source shrinks: loading it is a truncation.
        var big = new byte[300 * 1024];
        var bytes = DicomFileWriter.ToBytes(new DicomDataset().Set(DicomTags.SOPClassUID, "1.2.3").Set(DicomTags.SOPInstanceUID, "1.2.3.4")
            .Set(new DicomElement(DicomTags.RedPaletteColorLookupTableData, DicomVR.OW, big)), TransferSyntax.ExplicitVRLittleEndian);
        var source = new MemoryByteSource(bytes.AsMemory(0, bytes.Length - 1000));
        var file = DicomFile.Read(new MemoryStream(bytes), null, source);
        Assert.True(file.Dataset.Get(DicomTags.RedPaletteColorLookupTableData).IsLazy);
        Assert.Throws<DicomFormatException>(() => file.Dataset.GetValues<ushort>(DicomTags.RedPaletteColorLookupTableData));
        Assert.False(file.Dataset.TryGetValues<ushort>(DicomTags.RedPaletteColorLookupTableData, out _));
    }
}
