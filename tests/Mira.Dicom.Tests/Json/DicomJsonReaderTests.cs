using System.Text;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Dicom.Tests.Json;

/// <summary>Values of the DICOM JSON Model (PS3.18 §F.2) read into elements.</summary>
public class DicomJsonReaderTests
{
    static DicomDataset Parse(string json, DicomJsonReadOptions? options = null) => DicomJsonReader.Parse(json, options);

    static byte[] BytesOf(DicomDataset ds, uint tag) => ds.Get(new DicomTag(tag)).Bytes.ToArray();

    [Fact]
    public void Person_name_with_three_component_groups()
    {
        var ds = Parse("""
            {"00100010":{"vr":"PN","Value":[{"Alphabetic":"Yamada^Tarou","Ideographic":"山田^太郎","Phonetic":"やまだ^たろう"}]}}
            """);
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", ds.GetString(DicomTags.PatientName));
    }

    [Theory]
    [InlineData("""{"Alphabetic":"Doe^John"}""", "Doe^John")]
    [InlineData("""{"Ideographic":"I"}""", "=I")]
    [InlineData("""{"Alphabetic":"A","Phonetic":"P"}""", "A==P")]
    [InlineData("""{"Phonetic":"P"}""", "==P")]
    [InlineData("""{"Alphabetic":"A","Ideographic":"","Phonetic":""}""", "A")]
    [InlineData("""{}""", "")]
    public void Person_name_groups_join_with_equals_and_drop_trailing_empty_groups(string value, string expected)
    {
        var ds = Parse("{\"00100010\":{\"vr\":\"PN\",\"Value\":[" + value + "]}}");
        Assert.Equal([expected], ds.Get(DicomTags.PatientName).TextValues!);
    }

    [Fact]
    public void Null_entries_are_empty_values_and_absent_value_is_empty()
    {
        var ds = Parse("""
            {"00080060":{"vr":"CS"},"00100020":{"vr":"LO","Value":["a",null,"b"]},"00100021":{"vr":"LO","Value":[]},
             "00100010":{"vr":"PN","Value":[null,{"Alphabetic":"X"}]},"00280010":{"vr":"US"}}
            """);
        Assert.Equal(["a", "", "b"], ds.GetStrings(DicomTags.PatientID));
        Assert.Empty(ds.GetStrings(DicomTags.Modality));
        Assert.Empty(ds.GetStrings(DicomTags.IssuerOfPatientID));
        Assert.Equal(["", "X"], ds.GetStrings(DicomTags.PatientName));
        Assert.Equal(0, ds.Get(DicomTags.Rows).Length);
    }

    [Fact]
    public void Numbers_for_DS_and_IS_become_number_strings()
    {
        var ds = Parse("""
            {"00180050":{"vr":"DS","Value":[1.5,1e-20,3,-0.25,3.141592653589793238]},
             "00200013":{"vr":"IS","Value":[42,-7,5.0]},
             "00281050":{"vr":"DS","Value":["  001.50 ","3.14159265358979323846"]},
             "00200012":{"vr":"IS","Value":["+12"]}}
            """);
        Assert.Equal(["1.5", "1E-20", "3", "-0.25", "3.14159265358979"], ds.GetStrings(DicomTags.SliceThickness));
        Assert.Equal(["42", "-7", "5"], ds.GetStrings(DicomTags.InstanceNumber));
        Assert.Equal(["001.50", "3.14159265358979"], ds.GetStrings(DicomTags.WindowCenter));
        Assert.Equal(["+12"], ds.GetStrings(DicomTags.AcquisitionNumber));
    }

    [Fact]
    public void Binary_numbers_become_little_endian_bytes()
    {
        var ds = Parse("""
            {"00280010":{"vr":"US","Value":[1,65535]},"00280106":{"vr":"SS","Value":[-2]},
             "00181310":{"vr":"UL","Value":[4294967295]},"00186020":{"vr":"SL","Value":[-1]},
             "00189087":{"vr":"FD","Value":[1.5,"NaN","-Infinity"]},"00189089":{"vr":"FL","Value":[0.1]},
             "0040A162":{"vr":"UV","Value":[18446744073709551615]},"0040A161":{"vr":"SV","Value":[-9223372036854775808]}}
            """);
        Assert.Equal([1, 0, 0xFF, 0xFF], BytesOf(ds, 0x00280010));
        Assert.Equal([0xFE, 0xFF], BytesOf(ds, 0x00280106));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF], BytesOf(ds, 0x00181310));
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF], BytesOf(ds, 0x00186020));
        var fd = Mira.Dicom.Values.DicomBinary.GetDoubles(BytesOf(ds, 0x00189087));
        Assert.Equal(1.5, fd[0]);
        Assert.True(double.IsNaN(fd[1]));
        Assert.Equal(double.NegativeInfinity, fd[2]);
        Assert.Equal(0.1f, Mira.Dicom.Values.DicomBinary.GetSingles(BytesOf(ds, 0x00189089))[0]);
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 8), BytesOf(ds, 0x0040A162));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0x80], BytesOf(ds, 0x0040A161));
    }

    [Fact]
    public void Attribute_tags_are_group_then_element()
    {
        var ds = Parse("""{"00209165":{"vr":"AT","Value":["00100010","7FE00010"]}}""");
        Assert.Equal([0x10, 0x00, 0x10, 0x00, 0xE0, 0x7F, 0x10, 0x00], BytesOf(ds, 0x00209165));
        Assert.Equal([DicomTags.PatientName, DicomTags.PixelData], ds.GetTags(new DicomTag(0x00209165)));
    }

    [Fact]
    public void Inline_binary_is_base64()
    {
        var ds = Parse("""{"00420011":{"vr":"OB","InlineBinary":"AQIDBA=="},"7FE00010":{"vr":"OW","InlineBinary":""}}""");
        Assert.Equal([1, 2, 3, 4], BytesOf(ds, 0x00420011));
        Assert.Equal(0, ds.Get(DicomTags.PixelData).Length);
    }

    [Fact]
    public void Bulk_data_uri_is_resolved_when_a_resolver_is_given()
    {
        var asked = new List<string>();
        var options = new DicomJsonReadOptions
        {
            BulkDataResolver = uri =>
            {
                asked.Add(uri);
                return new byte[] { 9, 8, 7, 6 };
            },
        };
        var ds = Parse("""{"7FE00010":{"vr":"OW","BulkDataURI":"http://host/bulk/1"}}""", options);
        Assert.Equal(["http://host/bulk/1"], asked);
        Assert.IsNotType<DicomBulkDataReference>(ds.Get(DicomTags.PixelData));
        Assert.Equal([9, 8, 7, 6], BytesOf(ds, 0x7FE00010));
    }

    [Fact]
    public void Bulk_data_uri_without_a_resolver_is_kept_and_written_back()
    {
        const string json = """{"00287FE0":{"vr":"UR","BulkDataURI":"http://host/bulk/text"},"7FE00010":{"vr":"OB","BulkDataURI":"http://host/bulk/1"}}""";
        var ds = Parse(json);
        var reference = Assert.IsType<DicomBulkDataReference>(ds.Get(DicomTags.PixelData));
        Assert.Equal("http://host/bulk/1", reference.Uri);
        Assert.Equal(0, reference.Length);
        Assert.Equal(json, DicomJsonWriter.Serialize(ds));
        Assert.Equal([1, 2], reference.Resolve(_ => new byte[] { 1, 2 }).Bytes.ToArray());
        var renamed = DicomJsonWriter.Serialize(ds, new DicomJsonWriteOptions { BulkDataUri = e => e.Tag == DicomTags.PixelData ? "other" : null });
        Assert.Contains("\"BulkDataURI\":\"other\"", renamed);
        Assert.Contains("\"BulkDataURI\":\"http://host/bulk/text\"", renamed);
    }

    [Fact]
    public void A_resolver_failure_names_the_element()
    {
        var options = new DicomJsonReadOptions { BulkDataResolver = _ => throw new IOException("gone") };
        var e = Assert.Throws<DicomJsonException>(() => Parse("""{"00081115":{"vr":"SQ","Value":[{"7FE00010":{"vr":"OB","BulkDataURI":"x"}}]}}""", options));
        Assert.Equal("00081115[0].7FE00010", e.Path);
        Assert.Contains("gone", e.Message);
        Assert.IsType<IOException>(e.InnerException);
    }

    [Fact]
    public void Sequences_nest_and_items_link_to_their_parent()
    {
        var ds = Parse("""
            {"00081115":{"vr":"SQ","Value":[{"00081150":{"vr":"UI","Value":["1.2.3"]},
              "00081199":{"vr":"SQ","Value":[{"00081155":{"vr":"UI","Value":["1.2.3.4"]}}]}},{}]},
             "00081140":{"vr":"SQ"},"00081250":{"vr":"SQ","Value":[]}}
            """);
        var sq = ds.GetSequence(new DicomTag(0x00081115))!;
        Assert.Equal(2, sq.Items.Count);
        Assert.Same(sq, sq.Items[0].Parent);
        Assert.Equal("1.2.3.4", sq.Items[0].GetSequence(new DicomTag(0x00081199))!.Items[0].GetString(new DicomTag(0x00081155)));
        Assert.Empty(sq.Items[1]);
        Assert.Empty(ds.GetSequence(new DicomTag(0x00081140))!.Items);
        Assert.Empty(ds.GetSequence(new DicomTag(0x00081250))!.Items);
    }

    [Fact]
    public void Keys_out_of_order_give_a_sorted_data_set_and_lower_case_hex_is_accepted_unless_strict()
    {
        var ds = Parse("""{"00100020":{"vr":"LO","Value":["2"]},"0008103e":{"vr":"LO","Value":["s"]}}""");
        Assert.Equal([new DicomTag(0x0008103E), DicomTags.PatientID], ds.Select(e => e.Tag));
        var e = Assert.Throws<DicomJsonException>(() => Parse("""{"0008103e":{"vr":"LO"}}""", new DicomJsonReadOptions { Strict = true }));
        Assert.Equal("0008103e", e.Path);
    }

    [Fact]
    public void Parse_accepts_utf8_with_a_byte_order_mark_and_streams()
    {
        var utf8 = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller"}]}}""")).ToArray();
        Assert.Equal("Müller", DicomJsonReader.Parse(utf8).GetString(DicomTags.PatientName));
        Assert.Equal("Müller", DicomJsonReader.Read(new MemoryStream(utf8)).GetString(DicomTags.PatientName));
    }

    [Fact]
    public void Arrays_of_data_sets_are_read_with_indexed_paths()
    {
        const string json = """[{"0020000D":{"vr":"UI","Value":["1.2"]}},{"0020000D":{"vr":"UI","Value":["1.3"]}}]""";
        var list = DicomJsonReader.ParseArray(json);
        Assert.Equal(["1.2", "1.3"], list.Select(d => d.GetString(DicomTags.StudyInstanceUID)));
        Assert.Equal(2, DicomJsonReader.ReadArray(new MemoryStream(Encoding.UTF8.GetBytes(json))).Count);
        Assert.Equal(2, DicomJsonReader.ParseArray(Encoding.UTF8.GetBytes(json)).Count);
        var e = Assert.Throws<DicomJsonException>(() => DicomJsonReader.ParseArray("""[{},{"0020000D":{"vr":"UI","Value":[1]}}]"""));
        Assert.Equal("[1].0020000D.Value[0]", e.Path);
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.ParseArray("{}"));
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.ParseArray("[3]"));
    }
}
