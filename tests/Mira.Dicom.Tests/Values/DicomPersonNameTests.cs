using Mira.Dicom.Values;

namespace Mira.Dicom.Tests.Values;

public class DicomPersonNameTests
{
    [Fact]
    public void Three_groups_split_into_components()
    {
        var pn = DicomPersonName.Parse("Yamada^Tarou=山田^太郎=やまだ^たろう");
        Assert.Equal("Yamada", pn.Alphabetic.FamilyName);
        Assert.Equal("太郎", pn.Ideographic.GivenName);
        Assert.Equal("やまだ", pn.Phonetic.FamilyName);
    }

    [Theory]
    [InlineData("Doe^John^^Dr^", "Doe^John^^Dr")]
    [InlineData("Wang^XiaoDong=王^小东=", "Wang^XiaoDong=王^小东")]
    [InlineData("=王^小东", "=王^小东")]
    [InlineData("", "")]
    public void Formats_without_trailing_empty_parts(string value, string expected) =>
        Assert.Equal(expected, DicomPersonName.Parse(value).ToString());

    [Fact]
    public void Data_set_gives_typed_person_names_and_numbers()
    {
        var ds = new DicomDataset().Set(DicomTags.PatientName, "Buc^Jérôme")
            .Set(new DicomElement(DicomTags.Rows, DicomVR.US, new byte[] { 0, 2 }))
            .Set(new DicomElement(new DicomTag(0x00189087), DicomVR.FD, BitConverter.GetBytes(1000.5)));
        Assert.Equal("Jérôme", ds.GetPersonName(DicomTags.PatientName)!.Alphabetic.GivenName);
        Assert.Equal(new ushort[] { 512 }, ds.GetValues<ushort>(DicomTags.Rows));
        Assert.Equal(1000.5, ds.GetDouble(new DicomTag(0x00189087)));
        Assert.Null(ds.GetPersonName(DicomTags.ReferringPhysicianName));
    }
}
