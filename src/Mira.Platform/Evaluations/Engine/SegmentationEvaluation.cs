using System.Runtime.ExceptionServices;
using Mira.Metrics;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>The segmentation half of <see cref="EvaluationEngine"/>.</summary>
static class SegmentationEvaluation
{
    public static EvaluationResults Run(EvaluationCase[] cases, int[] patients, int patientCount, EvaluationSpec spec, BootstrapOptions options)
    {
        var structures = spec.Labels.Select(l => new ScoredStructure(l.Name, [l.Value], false))
            .Concat(spec.Regions.Select(r => new ScoredStructure(r.Name, r.Values.Distinct().Order().ToArray(), true))).ToArray();
        var conventions = spec.EmptyMasks == "brats" ? EmptyMaskConventions.BraTS : EmptyMaskConventions.Default;
        var scores = new SegmentationCaseScore[cases.Length];
        var errors = new Exception?[cases.Length];
        Parallel.For(0, cases.Length, new ParallelOptions { MaxDegreeOfParallelism = spec.MaxParallelCases }, i =>
        {
            try
            {
                scores[i] = SegmentationCaseScorer.Score(cases[i], structures, spec, conventions);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        // The first failing case in id order is reported, as itself, whatever order the threads ran in.
        if (errors.FirstOrDefault(e => e is not null) is { } error) ExceptionDispatchInfo.Throw(error);
        var withProbability = scores.Count(s => s.DetectionScore is not null);
        if (withProbability != 0 && withProbability != cases.Length)
            throw new EvaluationException($"{withProbability} of {cases.Length} cases have a probability map (first without: {cases[Array.FindIndex(scores, s => s.DetectionScore is null)].CaseId}); give one for every case or none");

        var higher = EvaluationEngine.HigherIsBetter(spec.Ranking);
        var perCase = cases.Select((c, i) => new CaseResult(c.CaseId, c.PatientKey, c.Subgroups, scores[i].Structures, scores[i].DetectionScore,
            scores[i].ReferencePositive, null, c.InferenceSeconds, RankingValue(scores[i].Structures, spec.Ranking))).ToArray();

        var columns = new List<(string, double[])>();
        foreach (var (s, si) in structures.Select((s, si) => (s, si)))
            foreach (var m in EvaluationEngine.SegmentationMetricNames)
                columns.Add(($"{s.Name}/{m}", perCase.Select(c => EvaluationEngine.Metric(c.Structures![si], m)).ToArray()));
        var means = SummaryStatistics.Means(columns, patients, options);
        var ids = perCase.Select(c => c.CaseId).ToArray();
        var metricsPerStructure = EvaluationEngine.SegmentationMetricNames.Count;
        var summaries = structures.Select((s, si) => new StructureSummary(s,
            means.Skip(si * metricsPerStructure).Take(metricsPerStructure).Select(m => m with { Metric = m.Metric[(s.Name.Length + 1)..] }).ToArray(),
            SummaryStatistics.BlandAltman(ids, perCase.Select(c => c.Structures![si].ReferenceVolumeMm3 / 1000).ToArray(),
                perCase.Select(c => c.Structures![si].PredictionVolumeMm3 / 1000).ToArray()))).ToArray();

        CalibrationSummary? voxels = null;
        BinaryScoreSummary? detection = null;
        if (withProbability > 0)
        {
            var labels = scores.SelectMany(s => s.CalibrationLabels).ToArray();
            var probs = scores.SelectMany(s => s.CalibrationProbabilities).ToArray();
            voxels = SummaryStatistics.Calibrate(labels, probs, spec.CalibrationBins,
                $"voxels of the box holding reference and predicted foreground plus {spec.CalibrationMarginVoxels} voxels on each side (the whole volume when both are empty), " +
                $"at an even stride of at most {spec.CalibrationVoxelsPerCase} voxels per case; truth: reference voxel in any scored label");
            detection = SummaryStatistics.BinaryScores("largest foreground probability of the case", "reference holds a scored label",
                perCase.Select(c => c.ReferencePositive == true ? 1 : 0).ToArray(), perCase.Select(c => c.DetectionScore!.Value).ToArray(), patients, spec, options, calibrate: false);
        }

        var ranking = perCase.Select(c => c.RankingValue).ToArray();
        var subgroups = EvaluationEngine.SubgroupsOf(perCase, patients, [(spec.Ranking, idx => SummaryStatistics.FiniteMean(ranking, idx))], options);
        return new EvaluationResults(spec, cases.Length, patientCount, structures, perCase, new SegmentationSummary(summaries, voxels, detection), null,
            subgroups, SummaryStatistics.Speed(cases.Select(c => c.InferenceSeconds)), higher, EvaluationEngine.Worst(perCase, higher, spec.FailureCases));
    }

    /// <summary>
    /// The ranking metric of a case: its mean over the scored structures. An infinite distance (one mask empty under
    /// the default conventions) makes the case's value infinite, the worst possible.
    /// </summary>
    static double RankingValue(IReadOnlyList<SegmentationResult> structures, string metric) =>
        structures.Select(r => EvaluationEngine.Metric(r, metric)).Average();
}
