using System.Text.Json;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>The short form of an evaluation kept with its row (for lists and the leaderboard); the signed report holds the rest.</summary>
public static class EvaluationSummaries
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The phase score: the mean over cases of the ranking metric (NaN when no case defines it).</summary>
    public static double Score(EvaluationResults r, string metric)
    {
        var values = r.PerCase.Select(c => c.RankingValue).Where(double.IsFinite).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }

    public static string ToJson(EvaluationRunResult run, PhaseSpec spec)
    {
        var r = run.Results;
        var structures = r.Segmentation?.Structures.Select(s => new
        {
            name = s.Structure.Name,
            metrics = s.Metrics.Select(m => new { metric = m.Metric, mean = Finite(m.Mean.Estimate), lower = Finite(m.Mean.Lower), upper = Finite(m.Mean.Upper), cases = m.Cases }),
        });
        return JsonSerializer.Serialize(new
        {
            metric = spec.RankingMetric, higherIsBetter = spec.HigherIsBetter, cases = r.Cases, patients = r.Patients,
            structures,
            auc = r.Segmentation?.Detection?.Auc is { } auc ? new { estimate = Finite(auc.Estimate), lower = Finite(auc.Lower), upper = Finite(auc.Upper) } : null,
            workerSeconds = Math.Round(run.Worker.Elapsed.TotalSeconds, 3), scoringSeconds = Math.Round(run.Scoring.TotalSeconds, 3),
            networkIsolated = run.Worker.NetworkIsolated, keyId = run.Signature.KeyId,
        }, Json);
    }

    static double? Finite(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
}
