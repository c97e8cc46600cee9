using System.Text.Json;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>
/// What the evaluation reads of the worker's <c>predictions.json</c> (docs/models.md, "Worker file protocol") beyond the
/// segmentation files that <see cref="PredictionFolder"/> pairs with references: the class scores of a classification
/// model, and the run's total ONNX Runtime time (what the evaluation's overhead is measured against).
/// </summary>
public sealed class WorkerPredictions
{
    WorkerPredictions(Dictionary<string, (IReadOnlyList<double>? Scores, double Seconds)> cases, double inferenceSeconds)
    {
        Cases = cases;
        InferenceSeconds = inferenceSeconds;
    }

    /// <summary>Per case that succeeded: the class scores (in class index order) and its load-to-postprocess seconds.</summary>
    public IReadOnlyDictionary<string, (IReadOnlyList<double>? Scores, double Seconds)> Cases { get; }

    /// <summary>ONNX Runtime's time over all cases (the sum of the sessions' Run calls).</summary>
    public double InferenceSeconds { get; }

    public static WorkerPredictions Read(string folder)
    {
        var path = Path.Combine(folder, PredictionFolder.PredictionsFileName);
        if (!File.Exists(path)) throw new EvaluationException($"the model worker wrote no {PredictionFolder.PredictionsFileName}");
        if (new FileInfo(path).Length > PredictionFolder.MaxPredictionsBytes) throw new EvaluationException($"{PredictionFolder.PredictionsFileName} is too large");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 16 });
            var cases = new Dictionary<string, (IReadOnlyList<double>?, double)>(StringComparer.Ordinal);
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                if (c.GetProperty("status").GetString() != "ok") continue;
                var t = c.GetProperty("timings");
                var ms = new[] { "loadMs", "preprocessMs", "inferenceMs", "postprocessMs" }.Sum(k => t.TryGetProperty(k, out var v) ? v.GetDouble() : 0);
                IReadOnlyList<double>? scores = c.TryGetProperty("scores", out var s)
                    ? [.. s.EnumerateArray().OrderBy(x => x.GetProperty("index").GetInt32()).Select(x => x.GetProperty("score").GetDouble())]
                    : null;
                cases[c.GetProperty("case").GetString()!] = (scores, ms / 1000);
            }
            return new WorkerPredictions(cases, doc.RootElement.GetProperty("totals").GetProperty("inferenceMs").GetDouble() / 1000);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new EvaluationException($"{PredictionFolder.PredictionsFileName} is not a predictions file: {e.Message}", e);
        }
    }
}
