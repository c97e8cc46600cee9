using System.Text.Json.Nodes;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Testing;

namespace Mira.Dicom.Tests.Corpus;

/// <summary>
/// Every corpus DICOM file that pydicom or dcmtk parses: Mira's PS3.18 JSON equals one of the oracles
/// under the corpus comparison rules.
/// </summary>
public class CorpusJsonTests
{
    public static TheoryData<string> ParsableFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Mira.Testing.Corpus.DicomFiles)
            if (Mira.Testing.Corpus.Summary.TryGetValue(f.Path, out var row) && (row.DcmtkParses || row.PydicomParses) && !f.Path.EndsWith("no_meta.dcm", StringComparison.Ordinal))
                data.Add(f.Path);
        return data;
    }

    internal static JsonObject MiraJson(string fullPath)
    {
        var file = DicomFile.Open(fullPath);
        return (JsonObject)JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!;
    }

    [Theory]
    [MemberData(nameof(ParsableFiles))]
    public void Json_model_equals_an_oracle(string path)
    {
        var file = Mira.Testing.Corpus.Get(path);
        var actual = MiraJson(file.FullPath);
        var report = new List<string>();
        foreach (var tool in new[] { "pydicom", "dcmtk" })
        {
            if (Mira.Testing.Corpus.OracleJsonPath(file, tool) is not { } p) continue;
            var expected = (JsonObject)JsonNode.Parse(File.ReadAllText(p))!;
            var diffs = DicomJsonComparer.Diff(expected, actual);
            if (diffs.Count == 0) return;
            report.Add($"{tool}: {diffs.Count} difference(s):\n  " + string.Join("\n  ", diffs.Take(12)));
        }
        Assert.Fail(report.Count == 0 ? "no oracle JSON" : string.Join("\n", report));
    }
}
