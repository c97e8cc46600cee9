using System.Globalization;
using System.Text;

namespace Mira.Inference.Tests.Fixtures;

/// <summary>Manifests and package folders for tests.</summary>
internal static class TestPackages
{
    public const string LesionLabels = """[{ "value": 1, "name": "LESION", "code": { "scheme": "SCT", "code": "108369006", "meaning": "Neoplasm" } }]""";

    public static string Manifest(string task = "segmentation", string layout = "NCDHW", string intensity = """{ "source": "modality" }""",
        string output = $$"""{ "kind": "labelmap", "labels": {{LesionLabels}} }""", string resampling = "\"none\"", string modality = "CT", string? inputName = null) =>
        $$"""
        {
          "schemaVersion": "1.0", "name": "test-model", "version": "0.1.0", "task": "{{task}}", "protocol": "petct-tumour-metabolism",
          "input": { {{(inputName is null ? "" : $"\"name\": \"{inputName}\", ")}}"modality": "{{modality}}", "layout": "{{layout}}", "dtype": "float32", "resampling": {{resampling}}, "intensity": {{intensity}} },
          "output": {{output}},
          "card": {
            "summary": "a test model", "intendedUse": "tests", "intendedUsers": ["tests"], "outOfScopeUse": ["everything else"],
            "trainingReleases": [], "metrics": [], "calibration": "none", "knownFailureModes": ["all"], "licence": "Apache-2.0", "authors": ["tests"]
          }
        }
        """;

    public static string Folder(string manifest, byte[] onnx, params (string Name, byte[] Content)[] extra)
    {
        var dir = Directory.CreateTempSubdirectory("mira-inference-").FullName;
        File.WriteAllText(Path.Combine(dir, "mira-model.json"), manifest, new UTF8Encoding(false));
        File.WriteAllBytes(Path.Combine(dir, "model.onnx"), onnx);
        foreach (var (name, content) in extra) File.WriteAllBytes(Path.Combine(dir, name), content);
        return dir;
    }

    public static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
