using System.Text;
using System.Text.Json;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Dicom.Tests.Json;

/// <summary>Bad input gives a <see cref="DicomJsonException"/> naming the path; limits for untrusted input hold.</summary>
public class DicomJsonReaderErrorTests
{
    static readonly DicomJsonReadOptions Strict = new() { Strict = true };

    static DicomJsonException Fails(string json, DicomJsonReadOptions? options = null) =>
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(json, options));

    [Theory]
    [InlineData("""{"00081115":{"vr":"SQ","Value":[{"00081150":{"vr":"XX"}}]}}""", "00081115[0].00081150", "\"XX\" is not a valid VR")]
    [InlineData("""{"0010001G":{"vr":"PN"}}""", "0010001G", "8 hexadecimal digits")]
    [InlineData("""{"1234":{"vr":"PN"}}""", "1234", "8 hexadecimal digits")]
    [InlineData("""{"00100010":{"Value":["x"]}}""", "00100010", "no \"vr\"")]
    [InlineData("""{"00100010":{"vr":5}}""", "00100010", "\"vr\" must be a string")]
    [InlineData("""{"00100010":"Doe"}""", "00100010", "must be a JSON object")]
    [InlineData("""{"00100020":{"vr":"LO","Value":"x"}}""", "00100020", "must be an array")]
    [InlineData("""{"00100020":{"vr":"LO","Value":[5]}}""", "00100020.Value[0]", "a string (or null) expected for LO, found a number")]
    [InlineData("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":3}]}}""", "00100010.Value[0]", "PN Alphabetic must be a string")]
    [InlineData("""{"00280010":{"vr":"US","Value":[65536]}}""", "00280010.Value[0]", "not a valid US value")]
    [InlineData("""{"00280010":{"vr":"US","Value":[-1]}}""", "00280010.Value[0]", "not a valid US value")]
    [InlineData("""{"00280010":{"vr":"US","Value":[1.5]}}""", "00280010.Value[0]", "not a valid US value")]
    [InlineData("""{"00280010":{"vr":"US","Value":[null]}}""", "00280010.Value[0]", "found null")]
    [InlineData("""{"00280106":{"vr":"SS","Value":[true]}}""", "00280106.Value[0]", "found a boolean")]
    [InlineData("""{"00189089":{"vr":"FL","Value":[1e39]}}""", "00189089.Value[0]", "out of the range of FL")]
    [InlineData("""{"00180050":{"vr":"DS","Value":[1e999]}}""", "00180050.Value[0]", "DS 1e999")]
    [InlineData("""{"00209165":{"vr":"AT","Value":["0010"]}}""", "00209165.Value[0]", "8 hexadecimal digits")]
    [InlineData("""{"00209165":{"vr":"AT","Value":[1048592]}}""", "00209165.Value[0]", "found a number")]
    [InlineData("""{"00420011":{"vr":"OB","InlineBinary":"A*=="}}""", "00420011", "not valid base64")]
    [InlineData("""{"00420011":{"vr":"OB","InlineBinary":12}}""", "00420011", "must be a base64 string")]
    [InlineData("""{"00420011":{"vr":"OB","Value":[1,2]}}""", "00420011", "InlineBinary or BulkDataURI, not \"Value\"")]
    [InlineData("""{"00420011":{"vr":"OB","InlineBinary":"AA==","BulkDataURI":"x"}}""", "00420011", "only one of")]
    [InlineData("""{"7FE00010":{"vr":"OB","BulkDataURI":{}}}""", "7FE00010", "\"BulkDataURI\" must be a string")]
    [InlineData("""{"00081115":{"vr":"SQ","Value":[null]}}""", "00081115[0]", "a sequence item must be a JSON object")]
    [InlineData("""{"00081115":{"vr":"SQ","Value":{}}}""", "00081115", "must be an array of items")]
    [InlineData("""{"00081115":{"vr":"SQ","InlineBinary":"AA=="}}""", "00081115", "a sequence (SQ) has items")]
    [InlineData("""{"00100010":{"vr":"PN"},"00100010":{"vr":"PN"}}""", "00100010", "more than once")]
    [InlineData("""{"00100010":{"vr":"PN","vr":"LO"}}""", "00100010", "member \"vr\" is given more than once")]
    [InlineData("""{"FFFEE000":{"vr":"OB"}}""", "FFFEE000", "item delimiter")]
    [InlineData("""[]""", "", "a data set must be a JSON object, found an array")]
    public void Bad_input_names_the_path_and_the_problem(string json, string path, string reason)
    {
        var e = Fails(json);
        Assert.Equal(path, e.Path);
        Assert.Contains(reason, e.Message);
        Assert.StartsWith(path.Length == 0 ? reason[..5] : path + ": ", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"00100010":{"vr":"PN",}}""")]
    [InlineData("""{"00100010":{"vr":"PN"}} trailing""")]
    public void Malformed_json_is_a_DicomJsonException_not_a_JsonException(string json)
    {
        var e = Fails(json);
        Assert.Equal("", e.Path);
        Assert.StartsWith("not valid JSON", e.Message);
        if (json.Length > 0) Assert.IsAssignableFrom<JsonException>(e.InnerException);
    }

    [Theory]
    [InlineData("""{"00100020":{"vr":"LO","Value":["a\uD800"]}}""", "00100020")]
    [InlineData("""{"00081115":{"vr":"SQ","Value":[{"00100010":{"vr":"PN","Value":[{"Alphabetic":"\uDC00"}]}}]}}""", "00081115[0].00100010")]
    [InlineData("""{"00081115":{"vr":"SQ","Value":[{"\uD800":{"vr":"PN"}}]}}""", "00081115[0]")]
    [InlineData("""{"7FE00010":{"vr":"OB","BulkDataURI":"\uD800"}}""", "7FE00010")]
    public void Escaped_unpaired_surrogates_are_refused_with_the_path(string json, string path)
    {
        var e = Fails(json);
        Assert.Equal(path, e.Path);
        Assert.Contains("not valid Unicode", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"X\"]}}");
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xFF;
        var e = Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(bytes));
        Assert.Equal("00100020", e.Path);
        Assert.Contains("invalid UTF-8", e.Message);
    }

    [Theory]
    [InlineData("""{"00100010":{"vr":"PN","Value":[],"Extra":1}}""", "00100010", "unknown member \"Extra\"")]
    [InlineData("""{"00100010":{"vr":"PN","Value":["Doe^John"]}}""", "00100010.Value[0]", "must be an object")]
    [InlineData("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"A","Nickname":"B"}]}}""", "00100010.Value[0]", "unknown PN component group")]
    [InlineData("""{"00080060":{"vr":"CS","Value":["mr"]}}""", "00080060.Value[0]", "CS allows only")]
    [InlineData("""{"00200013":{"vr":"IS","Value":[3000000000]}}""", "00200013.Value[0]", "outside -2147483648..2147483647")]
    [InlineData("""{"00200013":{"vr":"IS","Value":[1.5]}}""", "00200013.Value[0]", "not an integer")]
    [InlineData("""{"00180050":{"vr":"DS","Value":["abc"]}}""", "00180050.Value[0]", "not a DS number")]
    [InlineData("""{"00280010":{"vr":"US","Value":["12"]}}""", "00280010.Value[0]", "a number expected for US, found a string \"12\"")]
    [InlineData("""{"00284000":{"vr":"LT","Value":["a","b"]}}""", "00284000", "single value")]
    [InlineData("""{"00280010":{"vr":"US","InlineBinary":"AAA="}}""", "00280010", "InlineBinary is for OB")]
    [InlineData("""{"00420011":{"vr":"OW","InlineBinary":"AAAA"}}""", "00420011", "not a whole number of 2-byte values")]
    [InlineData("""{"00420011":{"vr":"OW","Value":null}}""", "00420011", "must be an array")]
    public void Strict_mode_rejects_what_PS3_18_does_not_allow(string json, string path, string reason)
    {
        var e = Fails(json, Strict);
        Assert.Equal(path, e.Path);
        Assert.Contains(reason, e.Message);
        DicomJsonReader.Parse(json); // lenient: accepted
    }

    [Fact]
    public void Lenient_mode_keeps_what_it_can()
    {
        var ds = DicomJsonReader.Parse("""
            {"00100010":{"vr":"PN","Value":["Doe^John"],"Extra":1},"00280010":{"vr":"US","Value":["12"]},
             "00180050":{"vr":"DS","Value":["abc"]},"00200013":{"vr":"IS","Value":[1.5]},"00420011":{"vr":"OW","Value":null}}
            """);
        Assert.Equal("Doe^John", ds.GetString(DicomTags.PatientName));
        Assert.Equal(12, ds.GetInt32(DicomTags.Rows));
        Assert.Equal("abc", ds.GetString(DicomTags.SliceThickness));
        Assert.Equal("1.5", ds.GetString(DicomTags.InstanceNumber));
        Assert.Equal(0, ds.Get(new DicomTag(0x00420011)).Length);
    }

    static string Nested(int depth)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < depth; i++) sb.Append("""{"00081115":{"vr":"SQ","Value":[""");
        sb.Append("{}");
        for (var i = 0; i < depth; i++) sb.Append("]}}");
        return sb.ToString();
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var options = new DicomJsonReadOptions { MaxDepth = 3 };
        Assert.Single(DicomJsonReader.Parse(Nested(3), options));
        var e = Fails(Nested(4), options);
        Assert.Equal("00081115[0].00081115[0].00081115[0].00081115", e.Path);
        Assert.Contains("nested more than 3 deep", e.Message);
        Assert.StartsWith("not valid JSON", Fails(new string('[', 100_000), options).Message);
        Assert.Single(DicomJsonReader.Parse(Nested(50)));
    }

    [Fact]
    public void Input_larger_than_the_limit_is_refused()
    {
        var json = "{\"00100020\":{\"vr\":\"LO\",\"Value\":[\"" + new string('x', 60) + "\"]}}";
        var options = new DicomJsonReadOptions { MaxTotalSize = 50 };
        Assert.Contains("larger than the limit", Fails(json, options).Message);
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.Parse(Encoding.UTF8.GetBytes(json), options));
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(json)), options));
        Assert.Throws<DicomJsonException>(() => DicomJsonReader.ParseArray("[" + json + "]", options));
        Assert.Single(DicomJsonReader.Parse(json, DicomJsonReadOptions.Untrusted));
    }
}

/// <summary>The character set rule of <see cref="DicomJsonReadOptions.ConvertToUtf8"/> (PS3.18 §F.2, PS3.5 §6.1.2.3).</summary>
public class DicomJsonCharacterSetTests
{
    static string? CharacterSet(DicomDataset ds) => ds.GetString(DicomTags.SpecificCharacterSet);

    static DicomDataset RoundTripPart10(DicomDataset ds)
    {
        ds.Set(DicomTags.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.Set(DicomTags.SOPInstanceUID, DicomVR.UI, "1.2.3");
        return DicomFile.Read(DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian)).Dataset;
    }

    [Fact]
    public void Ascii_text_without_a_declared_set_stays_without_one() =>
        Assert.Null(CharacterSet(DicomJsonReader.Parse("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^John"}]}}""")));

    [Fact]
    public void Non_ascii_text_without_a_declared_set_becomes_utf8()
    {
        var ds = DicomJsonReader.Parse("""{"00100010":{"vr":"PN","Value":[{"Alphabetic":"Müller","Ideographic":"山田"}]}}""");
        Assert.Equal("ISO_IR 192", CharacterSet(ds));
        Assert.Equal("Müller=山田", RoundTripPart10(ds).GetString(DicomTags.PatientName));
    }

    [Fact]
    public void A_declared_set_that_can_encode_the_text_is_kept()
    {
        var ds = DicomJsonReader.Parse("""{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00100020":{"vr":"LO","Value":["Müller"]}}""");
        Assert.Equal("ISO_IR 100", CharacterSet(ds));
        Assert.Equal("Müller", RoundTripPart10(ds).GetString(DicomTags.PatientID));
    }

    [Fact]
    public void A_declared_set_that_cannot_encode_the_text_becomes_utf8_in_items_too()
    {
        var ds = DicomJsonReader.Parse("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},
             "00081115":{"vr":"SQ","Value":[{"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00100020":{"vr":"LO","Value":["山"]}}]}}
            """);
        Assert.Equal("ISO_IR 192", CharacterSet(ds));
        var item = ds.GetSequence(new DicomTag(0x00081115))!.Items[0];
        Assert.Equal("ISO_IR 192", CharacterSet(item));
        Assert.Equal("山", RoundTripPart10(ds).GetSequence(new DicomTag(0x00081115))!.Items[0].GetString(DicomTags.PatientID));
    }

    [Fact]
    public void Text_from_bulk_data_is_decoded_with_the_old_set_before_it_changes()
    {
        var options = new DicomJsonReadOptions { BulkDataResolver = _ => new byte[] { (byte)'M', 0xFC, (byte)'x' } };
        var ds = DicomJsonReader.Parse("""
            {"00080005":{"vr":"CS","Value":["ISO_IR 100"]},"00100010":{"vr":"PN","Value":[{"Alphabetic":"山"}]},
             "00104000":{"vr":"LT","BulkDataURI":"x"}}
            """, options);
        Assert.Equal("ISO_IR 192", CharacterSet(ds));
        Assert.Equal("Müx", ds.GetString(new DicomTag(0x00104000)));
    }

    [Fact]
    public void Conversion_can_be_turned_off()
    {
        var ds = DicomJsonReader.Parse("""{"00100020":{"vr":"LO","Value":["山"]}}""", new DicomJsonReadOptions { ConvertToUtf8 = false });
        Assert.Null(CharacterSet(ds));
        Assert.Equal("山", ds.GetString(DicomTags.PatientID));
    }
}
