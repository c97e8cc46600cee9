namespace Mira.Dicom.Tests;

public class DicomTagTests
{
    [Fact]
    public void Formats_as_group_and_element() => Assert.Equal("(0010,0010)", new DicomTag(0x0010, 0x0010).ToString());

    [Fact]
    public void Private_data_element_names_its_creator() =>
        Assert.Equal(new DicomTag(0x00290010), new DicomTag(0x00291008).PrivateCreatorTag);
}
