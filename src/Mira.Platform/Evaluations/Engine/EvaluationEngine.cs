using Mira.Metrics;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>
/// Scores a model's predictions on a test set: per-case metrics, summaries with 95% bootstrap intervals that resample
/// patients, subgroups with gaps, calibration, operating points, speed, volumes and the worst cases. Pure: no
/// database, no inference; the platform's evaluation job and <c>mira eval offline</c> both call it. The same inputs
/// give the same results (cases are ordered by id, the bootstrap is seeded).
/// </summary>
public static class EvaluationEngine
{
    /// <summary>Per-case segmentation metrics in the summaries and the report, in this order.</summary>
    public static IReadOnlyList<string> SegmentationMetricNames { get; } =
        ["dice", "hd95_mm", "hausdorff_mm", "surface_dice", "reference_ml", "predicted_ml", "volume_difference_ml"];

    public static EvaluationResults Evaluate(IEnumerable<EvaluationCase> cases, EvaluationSpec spec)
    {
        var list = cases.OrderBy(c => c.CaseId, StringComparer.Ordinal).ToArray();
        Validate(list, spec);
        var patientNames = list.Select(c => c.PatientKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var patients = list.Select(c => Array.BinarySearch(patientNames, c.PatientKey, StringComparer.Ordinal)).ToArray();
        var options = new BootstrapOptions(spec.BootstrapReplicates, spec.BootstrapSeed, spec.Confidence);
        return spec.Task == EvaluationTask.Segmentation
            ? SegmentationEvaluation.Run(list, patients, patientNames.Length, spec, options)
            : ClassificationEvaluation.Run(list, patients, patientNames.Length, spec, options);
    }

    /// <summary>Whether larger values of the ranking metric are better.</summary>
    public static bool HigherIsBetter(string metric) => metric switch
    {
        "dice" or "surface_dice" or "reference_class_score" => true,
        "hd95_mm" or "hausdorff_mm" => false,
        _ => throw new EvaluationException($"unknown ranking metric '{metric}' (dice, surface_dice, hd95_mm, hausdorff_mm, reference_class_score)"),
    };

    /// <summary>The value of a per-case segmentation metric.</summary>
    public static double Metric(SegmentationResult r, string metric) => metric switch
    {
        "dice" => r.Dice,
        "hd95_mm" => r.Hd95MaxOfDirectedMm,
        "hausdorff_mm" => r.HausdorffMm,
        "surface_dice" => r.SurfaceDice,
        "reference_ml" => r.ReferenceVolumeMm3 / 1000,
        "predicted_ml" => r.PredictionVolumeMm3 / 1000,
        "volume_difference_ml" => r.VolumeDifferenceMm3 / 1000,
        _ => throw new EvaluationException($"unknown segmentation metric '{metric}'"),
    };

    static void Validate(EvaluationCase[] cases, EvaluationSpec spec)
    {
        if (cases.Length == 0) throw new EvaluationException("no cases to evaluate");
        if (spec.Labels.Count == 0) throw new EvaluationException("the spec names no labels");
        if (spec.Labels.Select(l => l.Value).Distinct().Count() != spec.Labels.Count) throw new EvaluationException("the spec repeats a label value");
        var names = spec.Labels.Select(l => l.Name).Concat(spec.Regions.Select(r => r.Name)).ToArray();
        if (names.Any(string.IsNullOrWhiteSpace)) throw new EvaluationException("every label and region needs a name");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Length) throw new EvaluationException("the spec repeats a label or region name");
        foreach (var r in spec.Regions)
            if (r.Values.Count == 0) throw new EvaluationException($"region {r.Name} has no label values");
        if (spec.Task == EvaluationTask.Segmentation && spec.Labels.Select(l => l.Value).Concat(spec.Regions.SelectMany(r => r.Values)).Contains(0))
            throw new EvaluationException("label value 0 is the background of a label map and is not scored");
        if (spec.BootstrapReplicates is < 1 or > 100_000) throw new EvaluationException($"bootstrap replicates must lie in 1…100000, got {spec.BootstrapReplicates}");
        if (!(spec.Confidence > 0 && spec.Confidence < 1)) throw new EvaluationException($"confidence must lie in (0, 1), got {spec.Confidence}");
        if (spec.CalibrationBins is < 1 or > 1000) throw new EvaluationException($"calibration bins must lie in 1…1000, got {spec.CalibrationBins}");
        if (spec.CalibrationVoxelsPerCase < 1 || spec.CalibrationMarginVoxels < 0) throw new EvaluationException("calibration sampling needs a positive voxel count and a margin ≥ 0");
        if (spec.FailureCases < 0 || spec.MaxParallelCases < 1) throw new EvaluationException("failure cases must be ≥ 0 and parallel cases ≥ 1");
        if (spec.EmptyMasks is not ("default" or "brats")) throw new EvaluationException($"empty-mask conventions are 'default' or 'brats', not '{spec.EmptyMasks}'");
        foreach (var t in spec.Thresholds)
            if (!double.IsFinite(t)) throw new EvaluationException($"operating-point threshold {t} is not a number");
        HigherIsBetter(spec.Ranking);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in cases)
        {
            if (string.IsNullOrWhiteSpace(c.CaseId)) throw new EvaluationException("a case has no id");
            if (string.IsNullOrWhiteSpace(c.PatientKey)) throw new EvaluationException($"case {c.CaseId} has no patient key");
            if (!ids.Add(c.CaseId)) throw new EvaluationException($"case id {c.CaseId} appears twice");
        }
    }

    /// <summary>The worst <paramref name="count"/> cases by ranking value (undefined values last), ties by case id.</summary>
    internal static FailureCase[] Worst(IReadOnlyList<CaseResult> cases, bool higherIsBetter, int count) =>
        cases.OrderBy(c => double.IsNaN(c.RankingValue) ? 1 : 0)
            .ThenBy(c => higherIsBetter ? c.RankingValue : -c.RankingValue)
            .ThenBy(c => c.CaseId, StringComparer.Ordinal)
            .Take(count).Select(c => new FailureCase(c.CaseId, c.RankingValue)).ToArray();

    /// <summary>
    /// Per subgroup field (every field any case has; a case without it is in "(missing)"), each metric overall and per
    /// group with gaps (<see cref="Subgroups.Evaluate"/>). Patients are resampled unless one patient's cases fall in
    /// several groups of the field; then cases are (the field's "resampling" says which).
    /// </summary>
    internal static SubgroupSummary[] SubgroupsOf(IReadOnlyList<CaseResult> cases, int[] patients, IReadOnlyList<(string Name, Func<int[], double> Metric)> metrics,
        BootstrapOptions options)
    {
        var fields = cases.SelectMany(c => c.Subgroups.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var rows = new List<SubgroupSummary>();
        foreach (var field in fields)
        {
            var groups = cases.Select(c => c.Subgroups.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v) ? v : "(missing)").ToArray();
            var patientsSplit = Enumerable.Range(0, cases.Count).GroupBy(i => patients[i]).Any(g => g.Select(i => groups[i]).Distinct(StringComparer.Ordinal).Count() > 1);
            foreach (var (name, metric) in metrics)
                rows.Add(new SubgroupSummary(field, name, patientsSplit ? "cases" : "patients",
                    Subgroups.Evaluate(groups, null, metric, options, patientsSplit ? null : patients)));
        }
        return [.. rows];
    }
}
