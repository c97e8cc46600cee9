using Mira.Metrics.Statistics;

namespace Mira.Metrics.Classification;

/// <summary>
/// A binary decision at a threshold (score ≥ threshold → positive) with Wilson intervals for its proportions.
/// </summary>
public sealed record OperatingPointResult(double Threshold, long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives,
    Proportion Sensitivity, Proportion Specificity, Proportion PositivePredictiveValue, Proportion NegativePredictiveValue, Proportion Accuracy);

/// <summary>Sensitivity, specificity, PPV, NPV and accuracy at operating points, each with a Wilson interval (<see cref="Wilson"/>).</summary>
public static class OperatingPoint
{
    /// <summary>The decision "score ≥ <paramref name="threshold"/>".</summary>
    public static OperatingPointResult AtThreshold(IReadOnlyList<int> labels, IReadOnlyList<double> scores, double threshold, double confidence = 0.95)
    {
        BinarySample.Check(labels, scores);
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var positive = scores[i] >= threshold;
            if (labels[i] == 1) { if (positive) tp++; else fn++; }
            else if (positive) fp++;
            else tn++;
        }
        return new OperatingPointResult(threshold, tp, fp, tn, fn,
            Wilson.Interval(tp, tp + fn, confidence), Wilson.Interval(tn, tn + fp, confidence),
            Wilson.Interval(tp, tp + fp, confidence), Wilson.Interval(tn, tn + fn, confidence),
            Wilson.Interval(tp + tn, tp + tn + fp + fn, confidence));
    }

    /// <summary>
    /// The highest threshold (among the observed scores) whose sensitivity is at least <paramref name="sensitivity"/>
    /// — the most specific operating point meeting that sensitivity.
    /// </summary>
    public static OperatingPointResult AtSensitivity(IReadOnlyList<int> labels, IReadOnlyList<double> scores, double sensitivity, double confidence = 0.95)
    {
        BinarySample.Check(labels, scores);
        var pos = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 1).Select(i => scores[i]).OrderByDescending(s => s).ToArray();
        if (pos.Length == 0) throw new ArgumentException("no positive case");
        if (!(sensitivity > 0 && sensitivity <= 1)) throw new ArgumentOutOfRangeException(nameof(sensitivity));
        var needed = (int)Math.Ceiling(sensitivity * pos.Length - 1e-9);
        return AtThreshold(labels, scores, pos[Math.Max(needed, 1) - 1], confidence);
    }

    /// <summary>
    /// The lowest threshold (among the observed scores, or just above the highest) whose specificity is at least
    /// <paramref name="specificity"/> — the most sensitive operating point meeting that specificity.
    /// </summary>
    public static OperatingPointResult AtSpecificity(IReadOnlyList<int> labels, IReadOnlyList<double> scores, double specificity, double confidence = 0.95)
    {
        BinarySample.Check(labels, scores);
        var neg = Enumerable.Range(0, labels.Count).Where(i => labels[i] == 0).Select(i => scores[i]).OrderByDescending(s => s).ToArray();
        if (neg.Length == 0) throw new ArgumentException("no negative case");
        if (!(specificity >= 0 && specificity <= 1)) throw new ArgumentOutOfRangeException(nameof(specificity));
        // At most floor((1 − spec)·n) negatives may score ≥ threshold; the threshold sits just above the next one.
        var allowed = (int)Math.Floor((1 - specificity) * neg.Length + 1e-9);
        var threshold = allowed >= neg.Length ? scores.Min() : Math.BitIncrement(neg[allowed]);
        return AtThreshold(labels, scores, threshold, confidence);
    }
}
