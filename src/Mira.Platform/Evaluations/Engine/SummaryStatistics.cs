using Mira.Metrics;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Platform.Evaluations.Engine;

/// <summary>Summaries over cases built on Mira.Metrics: means with bootstrap intervals by patient, ROC, Bland–Altman, speed.</summary>
static class SummaryStatistics
{
    /// <summary>The mean of the finite values among <paramref name="cases"/> (a resample may repeat a case); NaN when none.</summary>
    public static double FiniteMean(IReadOnlyList<double> values, int[] cases)
    {
        double sum = 0;
        var n = 0;
        foreach (var i in cases)
        {
            var v = values[i];
            if (!double.IsFinite(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>
    /// The finite mean of every column with its percentile interval, all from the same resamples of patients
    /// (<see cref="Bootstrap.RunMany"/> with the patients as clusters).
    /// </summary>
    public static MetricSummary[] Means(IReadOnlyList<(string Metric, double[] Values)> columns, int[] patients, BootstrapOptions options)
    {
        var n = patients.Length;
        var intervals = Bootstrap.RunMany(n, null, idx => columns.Select(c => FiniteMean(c.Values, idx)).ToArray(), options, patients);
        return columns.Select((c, i) =>
        {
            var undefined = c.Values.Count(v => !double.IsFinite(v));
            return new MetricSummary(c.Metric, n - undefined, undefined, intervals[i]);
        }).ToArray();
    }

    /// <summary>The empirical ROC curve: (0, 0) at +∞, then one point per distinct score, descending.</summary>
    public static IReadOnlyList<RocPoint> RocCurve(IReadOnlyList<int> truth, IReadOnlyList<double> scores)
    {
        var positives = truth.Count(t => t == 1);
        var negatives = truth.Count - positives;
        var order = Enumerable.Range(0, truth.Count).OrderByDescending(i => scores[i]).ToArray();
        var curve = new List<RocPoint> { new(double.PositiveInfinity, 0, 0) };
        int tp = 0, fp = 0;
        for (var k = 0; k < order.Length; k++)
        {
            if (truth[order[k]] == 1) tp++;
            else fp++;
            if (k + 1 < order.Length && scores[order[k + 1]] == scores[order[k]]) continue;
            curve.Add(new RocPoint(scores[order[k]], negatives == 0 ? double.NaN : (double)fp / negatives, positives == 0 ? double.NaN : (double)tp / positives));
        }
        return curve;
    }

    /// <summary>AUC with its bootstrap interval by patient, ROC curve, operating points and optionally calibration of a binary score.</summary>
    public static BinaryScoreSummary BinaryScores(string score, string truthName, int[] truth, double[] scores, int[] patients, EvaluationSpec spec,
        BootstrapOptions options, bool calibrate)
    {
        var auc = Bootstrap.Run(truth.Length, null, idx => RocAuc.Compute(truth, scores, idx), options, patients);
        var points = spec.Thresholds.Select(t => OperatingPoint.AtThreshold(truth, scores, t, spec.Confidence)).ToArray();
        return new BinaryScoreSummary(score, truthName, truth.Count(t => t == 1), truth.Count(t => t == 0), auc, RocCurve(truth, scores), points,
            calibrate ? Calibrate(truth, scores, spec.CalibrationBins, $"one score per case ({truth.Length} cases)") : null);
    }

    public static CalibrationSummary Calibrate(IReadOnlyList<int> truth, IReadOnlyList<double> probabilities, int bins, string sampling) =>
        new(truth.Count, sampling, Calibration.Brier(truth, probabilities), Calibration.ExpectedCalibrationError(truth, probabilities, bins), bins,
            Calibration.ReliabilityCurve(truth, probabilities, bins));

    /// <summary>Bland–Altman of predicted against reference volumes (mL) over all cases (both empty: a point at 0, 0).</summary>
    public static BlandAltmanResult BlandAltman(IReadOnlyList<string> caseIds, IReadOnlyList<double> referenceMl, IReadOnlyList<double> predictedMl)
    {
        var points = new List<BlandAltmanPoint>();
        for (var i = 0; i < caseIds.Count; i++)
            points.Add(new BlandAltmanPoint(caseIds[i], (referenceMl[i] + predictedMl[i]) / 2, predictedMl[i] - referenceMl[i]));
        var n = points.Count;
        var mean = n == 0 ? double.NaN : points.Average(p => p.Difference);
        var sd = n < 2 ? double.NaN : Math.Sqrt(points.Sum(p => (p.Difference - mean) * (p.Difference - mean)) / (n - 1));
        return new BlandAltmanResult(n, mean, sd, mean - 1.96 * sd, mean + 1.96 * sd, points);
    }

    /// <summary>Inference seconds per case: mean, median, 95th percentile (numpy's linear), max and total; null when no case was timed.</summary>
    public static SpeedSummary? Speed(IEnumerable<double?> seconds)
    {
        var s = seconds.Where(x => x is not null).Select(x => x!.Value).ToArray();
        if (s.Length == 0) return null;
        foreach (var x in s)
            if (!(x >= 0) || !double.IsFinite(x)) throw new EvaluationException($"inference time {x} s is not a non-negative number");
        Array.Sort(s);
        return new SpeedSummary(s.Length, s.Average(), SegmentationMetrics.PercentileSorted(s, 50), SegmentationMetrics.PercentileSorted(s, 95), s[^1], s.Sum());
    }
}
