using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.Corpus;

/// <summary>Every name listed in ../shared/corpus/dicom/charset/FileInfo.txt decodes exactly from the real files.</summary>
public class CharacterSetCorpusTests
{
    [Theory]
    [InlineData("chrArab.dcm", "قباني^لنزار")]
    [InlineData("chrFren.dcm", "Buc^Jérôme")]
    [InlineData("chrFrenMulti.dcm", "Buc^Jérôme")]
    [InlineData("chrGerm.dcm", "Äneas^Rüdiger")]
    [InlineData("chrGreek.dcm", "Διονυσιος")]
    [InlineData("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう")]
    [InlineData("chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")]
    [InlineData("chrHbrw.dcm", "שרון^דבורה")]
    [InlineData("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동")]
    [InlineData("chrRuss.dcm", "Люкceмбypг")]
    [InlineData("chrX1.dcm", "Wang^XiaoDong=王^小東=")]
    [InlineData("chrX2.dcm", "Wang^XiaoDong=王^小东=")]
    public void Patient_name_decodes_as_FileInfo_lists(string file, string expected)
    {
        var ds = DicomFile.Open(Path.Combine(Mira.Testing.Corpus.Root, "dicom", "charset", file)).Dataset;
        Assert.Equal(expected, ds.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void Sequence_item_with_its_own_character_set_decodes_with_it()
    {
        // chrSQEncoding: the data set is ISO_IR 192; an item of (0032,1064) declares ISO 2022 IR 13 / IR 87.
        var ds = DicomFile.Open(Path.Combine(Mira.Testing.Corpus.Root, "dicom", "charset", "chrSQEncoding.dcm")).Dataset;
        var item = ds.GetSequence(new DicomTag(0x00321064))!.Items[0];
        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", item.GetString(DicomTags.PatientName));
    }
}
