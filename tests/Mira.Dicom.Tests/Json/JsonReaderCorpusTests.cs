using System.Text.Json.Nodes;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Testing;

namespace Mira.Dicom.Tests.Json;

/// <summary>
/// Every corpus DICOM file that Mira reads: its JSON (InlineBinary) read back with <see cref="DicomJsonReader"/> and
/// written again is semantically the same JSON. The only difference allowed is (0008,0005) becoming ISO_IR 192 where
/// the text holds characters that the declared (or default) character set cannot encode (PS3.18 §F.2).
/// </summary>
public class JsonReaderCorpusTests
{
    public static TheoryData<string> DicomFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Mira.Testing.Corpus.DicomFiles) data.Add(f.Path);
        return data;
    }

    [Theory]
    [MemberData(nameof(DicomFiles))]
    public void Json_read_back_writes_the_same_json(string path)
    {
        var full = Mira.Testing.Corpus.Get(path).FullPath;
        DicomFile file;
        try
        {
            file = DicomFile.Open(full);
        }
        catch (Exception e) when (e is MiraException or IOException or InvalidDataException)
        {
            return; // not a file Mira reads; the reader's own tests cover it
        }
        var first = DicomJsonWriter.Serialize(file.Dataset);
        var read = DicomJsonReader.Parse(first);
        var second = DicomJsonWriter.Serialize(read);
        var converted = read.GetString(DicomTags.SpecificCharacterSet) == "ISO_IR 192";
        var diffs = DicomJsonComparer.Diff((JsonObject)JsonNode.Parse(first)!, (JsonObject)JsonNode.Parse(second)!)
            .Where(d => !(converted && (d.Path == "00080005" || d.Path.EndsWith(".00080005", StringComparison.Ordinal))))
            .ToList();
        Assert.True(diffs.Count == 0, $"{path}: {diffs.Count} difference(s):\n  " + string.Join("\n  ", diffs.Take(12)));
    }
}
