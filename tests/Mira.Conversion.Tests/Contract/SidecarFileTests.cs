using Mira.Conversion;

namespace Mira.Conversion.Tests.Contract;

public sealed class SidecarFileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-sidecar-").FullName;

    public void Dispose() => Directory.Delete(folder, true);

    string Write(string name, string text)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_json_object_of_keywords_gives_the_subject_of_every_file()
    {
        var sidecar = SidecarFile.Read(Write("meta.json", """{"PatientID": "P-001", "PatientName": "李^伟", "PatientAge": 42, "PatientComments": null, "OtherPatientIDs": ["A", "B"]}"""));
        var subject = sidecar.For("any/file.nii.gz")!;
        Assert.False(subject.IsPlaceholder);
        Assert.Equal("P-001", subject["PatientID"]);
        Assert.Equal("李^伟", subject["PatientName"]);
        Assert.Equal("42", subject["PatientAge"]);
        Assert.Equal("A\\B", subject["OtherPatientIDs"]);
    }

    [Fact]
    public void A_csv_gives_each_file_its_row_by_relative_path_or_name()
    {
        var sidecar = SidecarFile.Read(Write("meta.csv", "file,PatientID,PatientName,Laterality\r\nleft/a.jpg,P1,\"Doe^Jane, Jr\",L\nb.png,P2,,R\n"));
        Assert.Equal(2, sidecar.RowCount);
        Assert.Equal("Doe^Jane, Jr", sidecar.For("left/a.jpg")!["PatientName"]);
        Assert.Equal("R", sidecar.For("right/b.png")!["Laterality"]);
        Assert.Null(sidecar.For("b.png")!["PatientName"]);
        Assert.Null(sidecar.For("c.png"));
    }

    [Theory]
    [InlineData("meta.json", "{\"PatientID\": \"P\", \"SOPInstanceUID\": \"1.2.3\"}", "SOPInstanceUID is set by the conversion")]
    [InlineData("meta.json", "{\"PatientID\": \"P\", \"Rows\": 5}", "Rows is set by the conversion")]
    [InlineData("meta.json", "{\"PatientName\": \"X\"}", "PatientID is required")]
    [InlineData("meta.json", "{\"PatientID\": \"P\", \"PatientNmae\": \"X\"}", "'PatientNmae' is not a DICOM keyword")]
    [InlineData("meta.json", "{\"PatientID\": \"P\", \"StudyInstanceUID\": \"1.2.x\"}", "not a valid UID")]
    [InlineData("meta.json", "{\"PatientID\": \"P\", \"SpecimenDescriptionSequence\": \"x\"}", "is a sequence")]
    [InlineData("meta.json", "{\"PatientID\": ", "not valid JSON")]
    [InlineData("meta.csv", "name,PatientID\na.jpg,P", "line 1 must name the columns")]
    [InlineData("meta.csv", "file,PatientID\na.jpg,P,extra", "line 2: 3 fields where the header has 2")]
    [InlineData("meta.csv", "file,PatientID\na.jpg,P\na.jpg,Q", "line 3: a.jpg has a row already")]
    public void A_bad_sidecar_is_refused_naming_the_file_and_what_is_wrong(string name, string text, string expected)
    {
        var path = Write(name, text);
        var e = Assert.Throws<ConversionException>(() => SidecarFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Placeholders_say_they_are_placeholders_and_are_the_same_for_the_same_file()
    {
        var a = ConversionSubject.Placeholder("sha-of-file");
        Assert.True(a.IsPlaceholder);
        Assert.StartsWith(ConversionSubject.PlaceholderPrefix, a["PatientID"]);
        Assert.Equal(ConversionSubject.PlaceholderComment, a["PatientComments"]);
        Assert.Equal(a["PatientID"], ConversionSubject.Placeholder("sha-of-file")["PatientID"]);
        Assert.NotEqual(a["PatientID"], ConversionSubject.Placeholder("another")["PatientID"]);
    }
}
