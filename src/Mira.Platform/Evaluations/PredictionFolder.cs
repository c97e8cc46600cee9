using System.Text.Json;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>Who a case belongs to and its subgroup fields, from the dataset release (or a table for offline runs).</summary>
public sealed record CaseInfo(string PatientKey, IReadOnlyDictionary<string, string> Subgroups);

/// <summary>
/// Pairs the inference output folder (<c>&lt;case&gt;.nii.gz</c>, <c>&lt;case&gt;.prob.nii.gz</c>,
/// <c>predictions.json</c>; docs/models.md, "Worker file protocol") with a folder of reference label maps
/// (<c>&lt;case&gt;.nii.gz</c>, <c>.nii</c> or <c>.mha</c>) into segmentation <see cref="EvaluationCase"/>s that
/// name files (read when scored). Inference seconds are the case's load + preprocess + inference + postprocess time. A
/// case whose inference failed, or without a reference, is refused: an evaluation scores every case of the test set.
/// Without <paramref name="info"/> for a case, its patient key is its case id (each case its own patient) and it has
/// no subgroups.
/// </summary>
public static class PredictionFolder
{
    public const string PredictionsFileName = "predictions.json";
    public const long MaxPredictionsBytes = 64L * 1024 * 1024;
    static readonly string[] ReferenceExtensions = [".nii.gz", ".nii", ".mha"];

    public static IReadOnlyList<EvaluationCase> SegmentationCases(string predictionsDir, string labelsDir, IReadOnlyDictionary<string, CaseInfo>? info = null)
    {
        var file = new FileInfo(Path.Combine(predictionsDir, PredictionsFileName));
        if (!file.Exists) throw new EvaluationException($"{predictionsDir} has no {PredictionsFileName}");
        if (file.Length > MaxPredictionsBytes) throw new EvaluationException($"{file.FullName} is larger than {MaxPredictionsBytes} bytes");
        var cases = new List<EvaluationCase>();
        var failed = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(file.FullName), new JsonDocumentOptions { MaxDepth = 16 });
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                var id = c.GetProperty("case").GetString() ?? throw new EvaluationException($"{PredictionsFileName}: a case has no name");
                if (!SafeName(id)) throw new EvaluationException($"{PredictionsFileName}: case name '{id}' is not a plain file name");
                if (c.GetProperty("status").GetString() != "ok")
                {
                    failed.Add(c.TryGetProperty("error", out var err) ? $"{id} ({err.GetString()})" : id);
                    continue;
                }
                var labelMap = NamedFile(predictionsDir, c, "labelMap", id) ?? throw new EvaluationException($"{PredictionsFileName}: case {id} has no label map");
                var reference = ReferenceExtensions.Select(e => Path.Combine(labelsDir, id + e)).FirstOrDefault(System.IO.File.Exists)
                    ?? throw new EvaluationException($"{labelsDir} has no reference label map for case {id} ({string.Join(", ", ReferenceExtensions.Select(e => id + e))})");
                var i = info?.GetValueOrDefault(id);
                cases.Add(new EvaluationCase(id, i?.PatientKey ?? id)
                {
                    Subgroups = i?.Subgroups ?? new Dictionary<string, string>(),
                    ReferencePath = reference,
                    PredictionPath = labelMap,
                    ProbabilityPath = NamedFile(predictionsDir, c, "probability", id),
                    InferenceSeconds = Seconds(c),
                });
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvaluationException($"{file.FullName} is not a predictions file: {e.Message}", e);
        }
        if (failed.Count > 0) throw new EvaluationException($"inference failed for {failed.Count} case(s): {string.Join("; ", failed)}; an evaluation scores every case");
        return cases;
    }

    static string? NamedFile(string dir, JsonElement c, string property, string id)
    {
        if (!c.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var name = v.GetString();
        if (name is null || !SafeName(name)) throw new EvaluationException($"{PredictionsFileName}: case {id}: {property} '{name}' is not a plain file name");
        var path = Path.Combine(dir, name);
        return System.IO.File.Exists(path) ? path : throw new EvaluationException($"{PredictionsFileName}: case {id}: {name} does not exist");
    }

    static double? Seconds(JsonElement c)
    {
        if (!c.TryGetProperty("timings", out var t)) return null;
        double ms = 0;
        foreach (var k in new[] { "loadMs", "preprocessMs", "inferenceMs", "postprocessMs" })
            if (t.TryGetProperty(k, out var v)) ms += v.GetDouble();
        return ms / 1000;
    }

    /// <summary>A file name without folders, "..", or odd characters.</summary>
    static bool SafeName(string s) => s.Length is > 0 and <= 200 && s != "." && s != ".." && s[0] != '.'
        && s.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-');
}
