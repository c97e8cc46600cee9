using System.Text.Json.Nodes;
using CsCheck;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Testing;

namespace Mira.Dicom.Tests.Json;

/// <summary>
/// Property tests: random data sets survive DICOM JSON (PS3.18 Annex F) → data set → JSON, and Part 10 in each
/// uncompressed transfer syntax (PS3.5 §A.1–A.5) → DicomFile.Read → JSON, compared semantically.
/// </summary>
public class JsonRoundTripPropertyTests
{
    internal static JsonObject Json(DicomDataset ds) => (JsonObject)JsonNode.Parse(DicomJsonWriter.Serialize(ds))!;

    internal static void AssertSameJson(JsonObject expected, JsonObject actual, string what)
    {
        var diffs = DicomJsonComparer.Diff(expected, actual);
        Assert.True(diffs.Count == 0, $"{what}: {diffs.Count} difference(s):\n  " + string.Join("\n  ", diffs.Take(10)));
    }

    [Fact]
    public void Json_to_dataset_to_json_is_unchanged() =>
        RandomDatasets.TopLevel.Sample(g =>
        {
            var json = DicomJsonWriter.Serialize(g.Dataset);
            var read = DicomJsonReader.Parse(json, new DicomJsonReadOptions { Strict = true });
            AssertSameJson(Json(g.Dataset), Json(read), "JSON round trip");
        }, iter: 500);

    public static TheoryData<string> Syntaxes() =>
    [
        TransferSyntax.ExplicitVRLittleEndian.Uid,
        TransferSyntax.ImplicitVRLittleEndian.Uid,
        TransferSyntax.ExplicitVRBigEndian.Uid,
        TransferSyntax.DeflatedExplicitVRLittleEndian.Uid,
    ];

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Json_to_part10_to_json_is_unchanged(string syntaxUid)
    {
        var syntax = TransferSyntax.Lookup(syntaxUid);
        RandomDatasets.TopLevel.Sample(g =>
        {
            var expected = Json(g.Dataset);
            var fromJson = DicomJsonReader.Parse(expected.ToJsonString());
            var bytes = DicomFileWriter.ToBytes(fromJson, syntax);
            var file = DicomFile.Read(bytes);
            AssertSameJson(expected, Json(file.Dataset), $"{syntax.Name} round trip");
        }, iter: 300);
    }

    [Theory]
    [MemberData(nameof(Syntaxes))]
    public void Json_to_part10_with_defined_length_sequences_is_unchanged(string syntaxUid)
    {
        var syntax = TransferSyntax.Lookup(syntaxUid);
        var options = new DicomWriteOptions { DefinedLengthSequences = true };
        RandomDatasets.TopLevel.Sample(g =>
        {
            var expected = Json(g.Dataset);
            var file = DicomFile.Read(DicomFileWriter.ToBytes(DicomJsonReader.Parse(expected.ToJsonString()), syntax, options: options));
            AssertSameJson(expected, Json(file.Dataset), $"{syntax.Name} (defined lengths) round trip");
        }, iter: 200);
    }
}
