namespace Mira.Metrics.Classification;

/// <summary>
/// Area under the ROC curve of scores for binary labels (1 = positive): the probability that a random positive
/// scores above a random negative, ties counting ½ — the Mann–Whitney U statistic divided by n₊n₋ (Hanley &amp; McNeil,
/// Radiology 143:29–36, 1982). This equals the trapezoidal area under the empirical ROC curve, as
/// <c>sklearn.metrics.roc_auc_score</c> computes it. Higher scores mean "more positive".
/// </summary>
public static class RocAuc
{
    /// <summary>The AUC; NaN when either class is absent.</summary>
    public static double Compute(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        BinarySample.Check(labels, scores);
        return FromRanks(labels, BinarySample.MidRanks(scores));
    }

    /// <summary>The AUC of a subset of cases (indices may repeat, as in a bootstrap resample).</summary>
    public static double Compute(IReadOnlyList<int> labels, IReadOnlyList<double> scores, IReadOnlyList<int> cases)
    {
        var l = new int[cases.Count];
        var s = new double[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            l[i] = labels[cases[i]];
            s[i] = scores[cases[i]];
        }
        return Compute(l, s);
    }

    internal static double FromRanks(IReadOnlyList<int> labels, double[] ranks)
    {
        long m = 0;
        var rankSum = 0.0;
        for (var i = 0; i < labels.Count; i++)
            if (labels[i] == 1)
            {
                m++;
                rankSum += ranks[i];
            }
        long n = labels.Count - m;
        if (m == 0 || n == 0) return double.NaN;
        return (rankSum - m * (m + 1) / 2.0) / ((double)m * n);
    }
}
