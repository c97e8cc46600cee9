using System.Text.Json;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>Who a case belongs to and its subgroup fields, from the dataset release (or a table for offline runs).</summary>
public sealed record CaseInfo(string PatientKey, IReadOnlyDictionary<string, string> Subgroups);

/// <summary>
/// The model worker's output folder (docs/models.md, "Worker file protocol"): <c>predictions.json</c>, read once, with
/// <c>&lt;case&gt;.nii.gz</c> and <c>&lt;case&gt;.prob.nii.gz</c> beside it. It becomes evaluation cases: label maps paired
/// with a folder of reference label maps (<c>&lt;case&gt;.nii.gz</c>, <c>.nii</c> or <c>.mha</c>), or class scores. A case's
/// inference seconds are its load + preprocess + inference + postprocess time; <see cref="InferenceSeconds"/> is ONNX
/// Runtime's own time over the run (what the evaluation's overhead is measured against). A case whose inference failed
/// refuses the whole folder: an evaluation scores every case of the test set. Without a <see cref="CaseInfo"/> for a
/// case, its patient key is its case id (each case its own patient) and it has no subgroups.
/// </summary>
public sealed class PredictionFolder
{
    public const string PredictionsFileName = "predictions.json";
    public const long MaxPredictionsBytes = 64L * 1024 * 1024;
    static readonly string[] ReferenceExtensions = [".nii.gz", ".nii", ".mha"];

    /// <summary>One succeeded case as predictions.json lists it (files as full paths).</summary>
    sealed record Predicted(string Id, string? LabelMap, string? Probability, IReadOnlyList<double>? Scores, double? Seconds);

    readonly IReadOnlyList<Predicted> cases;

    PredictionFolder(string folder, IReadOnlyList<Predicted> cases, double inferenceSeconds)
    {
        Folder = folder;
        this.cases = cases;
        InferenceSeconds = inferenceSeconds;
    }

    public string Folder { get; }

    /// <summary>ONNX Runtime's time over all cases (<c>totals.inferenceMs</c>, else the cases' inference times summed).</summary>
    public double InferenceSeconds { get; }

    /// <summary>The ids of the cases the worker predicted.</summary>
    public IEnumerable<string> CaseIds => cases.Select(c => c.Id);

    /// <summary>The full path of a predicted case's label map, or null when the worker wrote none for it.</summary>
    public string? LabelMapOf(string caseId) => cases.FirstOrDefault(c => c.Id == caseId)?.LabelMap;

    /// <summary>Reads <c>predictions.json</c>; refused when it is too large, not a predictions file, names an odd or absent file, or lists a failed case.</summary>
    public static PredictionFolder Read(string predictionsDir)
    {
        var file = new FileInfo(Path.Combine(predictionsDir, PredictionsFileName));
        if (!file.Exists) throw new EvaluationException($"{predictionsDir} has no {PredictionsFileName}");
        if (file.Length > MaxPredictionsBytes) throw new EvaluationException($"{file.FullName} is larger than {MaxPredictionsBytes} bytes");
        var cases = new List<Predicted>();
        var failed = new List<string>();
        double? totalMs;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file.FullName), new JsonDocumentOptions { MaxDepth = 16 });
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                var id = c.GetProperty("case").GetString() ?? throw new EvaluationException($"{PredictionsFileName}: a case has no name");
                if (!SafeName(id)) throw new EvaluationException($"{PredictionsFileName}: case name '{id}' is not a plain file name");
                if (c.GetProperty("status").GetString() != "ok")
                {
                    failed.Add(c.TryGetProperty("error", out var err) ? $"{id} ({err.GetString()})" : id);
                    continue;
                }
                IReadOnlyList<double>? scores = c.TryGetProperty("scores", out var s)
                    ? [.. s.EnumerateArray().OrderBy(x => x.GetProperty("index").GetInt32()).Select(x => x.GetProperty("score").GetDouble())]
                    : null;
                cases.Add(new Predicted(id, NamedFile(predictionsDir, c, "labelMap", id), NamedFile(predictionsDir, c, "probability", id), scores, Seconds(c)));
            }
            totalMs = doc.RootElement.TryGetProperty("totals", out var t) && t.TryGetProperty("inferenceMs", out var ms) ? ms.GetDouble() : null;
            totalMs ??= doc.RootElement.GetProperty("cases").EnumerateArray()
                .Sum(c => c.TryGetProperty("timings", out var tc) && tc.TryGetProperty("inferenceMs", out var v) ? v.GetDouble() : 0);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvaluationException($"{file.FullName} is not a predictions file: {e.Message}", e);
        }
        if (failed.Count > 0) throw new EvaluationException($"inference failed for {failed.Count} case(s): {string.Join("; ", failed)}; an evaluation scores every case");
        return new PredictionFolder(predictionsDir, cases, totalMs.Value / 1000);
    }

    /// <summary>Reads the folder and pairs its label maps with the references (see the class summary).</summary>
    public static IReadOnlyList<EvaluationCase> SegmentationCases(string predictionsDir, string labelsDir, IReadOnlyDictionary<string, CaseInfo>? info = null) =>
        Read(predictionsDir).SegmentationCases(labelsDir, info);

    /// <summary>The predicted label maps paired with the references in <paramref name="labelsDir"/>.</summary>
    public IReadOnlyList<EvaluationCase> SegmentationCases(string labelsDir, IReadOnlyDictionary<string, CaseInfo>? info = null) =>
        [.. cases.Select(c =>
        {
            var labelMap = c.LabelMap ?? throw new EvaluationException($"{PredictionsFileName}: case {c.Id} has no label map");
            var reference = ReferenceExtensions.Select(e => Path.Combine(labelsDir, c.Id + e)).FirstOrDefault(File.Exists)
                ?? throw new EvaluationException($"{labelsDir} has no reference label map for case {c.Id} ({string.Join(", ", ReferenceExtensions.Select(e => c.Id + e))})");
            var i = info?.GetValueOrDefault(c.Id);
            return new EvaluationCase(c.Id, i?.PatientKey ?? c.Id)
            {
                Subgroups = i?.Subgroups ?? new Dictionary<string, string>(),
                ReferencePath = reference, PredictionPath = labelMap, ProbabilityPath = c.Probability, InferenceSeconds = c.Seconds,
            };
        })];

    /// <summary>The predicted class scores with each case's reference class.</summary>
    public IReadOnlyList<EvaluationCase> ClassificationCases(IReadOnlyDictionary<string, (CaseInfo Info, int ReferenceClass)> references) =>
        [.. cases.Select(c =>
        {
            var scores = c.Scores ?? throw new EvaluationException($"case {c.Id}: the model gave no class scores");
            if (!references.TryGetValue(c.Id, out var r)) throw new EvaluationException($"case {c.Id}: no reference class");
            return new EvaluationCase(c.Id, r.Info.PatientKey) { Subgroups = r.Info.Subgroups, ReferenceClass = r.ReferenceClass, ClassScores = scores, InferenceSeconds = c.Seconds };
        })];

    static string? NamedFile(string dir, JsonElement c, string property, string id)
    {
        if (!c.TryGetProperty(property, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        var name = v.GetString();
        if (name is null || !SafeName(name)) throw new EvaluationException($"{PredictionsFileName}: case {id}: {property} '{name}' is not a plain file name");
        var path = Path.Combine(dir, name);
        return File.Exists(path) ? path : throw new EvaluationException($"{PredictionsFileName}: case {id}: {name} does not exist");
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
