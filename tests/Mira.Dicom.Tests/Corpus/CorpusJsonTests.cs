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
        var failure = DicomJsonComparer.Judge(actual, Load(file, "pydicom"), Load(file, "dcmtk"), out var matched);
        if (Environment.GetEnvironmentVariable("MIRA_CORPUS_REPORT") is { Length: > 0 } report)
            lock (ReportLock) File.AppendAllText(report, $"{path}\t{(failure is null ? matched : "FAIL")}\n");
        Assert.True(failure is null, failure);
    }

    static readonly object ReportLock = new();

    static JsonObject? Load(CorpusFile file, string tool) =>
        Mira.Testing.Corpus.OracleJsonPath(file, tool) is { } p ? (JsonObject)JsonNode.Parse(File.ReadAllText(p))! : null;
}
