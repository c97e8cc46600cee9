using System.Text.Json;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>One case as the model worker reported it: the files it wrote, class scores, and the seconds it took (load to post-processing).</summary>
public sealed record WorkerCase(string Case, string? LabelMap, string? Probability, IReadOnlyList<double>? Scores, double Seconds, double InferenceSeconds);

/// <summary>
/// The worker's <c>predictions.json</c> (docs/models.md, "Worker file protocol") as the evaluation reads it: per case the
/// files, class scores and timings, and the run's total ONNX Runtime time (what the evaluation's overhead is measured
/// against). A case the model failed on fails the evaluation, naming the (pseudonymous) case.
/// </summary>
public sealed class WorkerPredictions
{
    readonly Dictionary<string, WorkerCase> cases;

    WorkerPredictions(Dictionary<string, WorkerCase> cases, double inferenceSeconds, double wallSeconds)
    {
        this.cases = cases;
        InferenceSeconds = inferenceSeconds;
        WallSeconds = wallSeconds;
    }

    /// <summary>ONNX Runtime's time over all cases (the sum of the sessions' Run calls).</summary>
    public double InferenceSeconds { get; }

    /// <summary>The worker's own wall time (package load to the last file written).</summary>
    public double WallSeconds { get; }

    public WorkerCase For(string caseId) =>
        cases.TryGetValue(caseId, out var c) ? c : throw new EvaluationException($"case {caseId}: the model worker reported nothing for it");

    public const string FileName = "predictions.json";

    public static WorkerPredictions Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new EvaluationException($"the model worker wrote no {FileName}");
        if (new FileInfo(path).Length > 256L << 20) throw new EvaluationException($"{FileName} is larger than 256 MiB");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 32 });
        var root = doc.RootElement;
        var cases = new Dictionary<string, WorkerCase>(StringComparer.Ordinal);
        var failed = new List<string>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var id = c.GetProperty("case").GetString() ?? throw new EvaluationException($"{FileName}: a case without an id");
            if (c.TryGetProperty("status", out var status) && status.GetString() != "ok")
            {
                failed.Add(id);
                continue;
            }
            var t = c.GetProperty("timings");
            double Ms(string name) => t.TryGetProperty(name, out var v) ? v.GetDouble() : 0;
            IReadOnlyList<double>? scores = c.TryGetProperty("scores", out var s)
                ? [.. s.EnumerateArray().OrderBy(x => x.GetProperty("index").GetInt32()).Select(x => x.GetProperty("score").GetDouble())]
                : null;
            cases[id] = new WorkerCase(id, Str(c, "labelMap"), Str(c, "probability"), scores,
                (Ms("loadMs") + Ms("preprocessMs") + Ms("inferenceMs") + Ms("postprocessMs")) / 1000, Ms("inferenceMs") / 1000);
        }
        if (failed.Count > 0)
            throw new EvaluationException($"the model failed on {failed.Count} case(s): {string.Join(", ", failed.Take(5))}{(failed.Count > 5 ? ", …" : "")}");
        var totals = root.GetProperty("totals");
        return new WorkerPredictions(cases, totals.GetProperty("inferenceMs").GetDouble() / 1000, totals.GetProperty("wallMs").GetDouble() / 1000);
    }

    static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
