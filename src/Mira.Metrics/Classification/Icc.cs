namespace Mira.Metrics.Classification;

/// <summary>The six intraclass correlation coefficients of Shrout &amp; Fleiss, with the ANOVA mean squares.</summary>
/// <param name="Icc1_1">ICC(1,1): one-way random, single rater.</param>
/// <param name="Icc2_1">ICC(2,1): two-way random, absolute agreement, single rater.</param>
/// <param name="Icc3_1">ICC(3,1): two-way mixed, consistency, single rater.</param>
/// <param name="Icc1_k">ICC(1,k): one-way random, mean of k raters.</param>
/// <param name="Icc2_k">ICC(2,k): two-way random, absolute agreement, mean of k raters.</param>
/// <param name="Icc3_k">ICC(3,k): two-way mixed, consistency, mean of k raters.</param>
/// <param name="BetweenTargetsMs">BMS, between-targets mean square.</param>
/// <param name="WithinTargetsMs">WMS, within-targets mean square (one-way).</param>
/// <param name="BetweenJudgesMs">JMS, between-judges mean square.</param>
/// <param name="ResidualMs">EMS, residual mean square (two-way).</param>
public sealed record IccResult(double Icc1_1, double Icc2_1, double Icc3_1, double Icc1_k, double Icc2_k, double Icc3_k,
    double BetweenTargetsMs, double WithinTargetsMs, double BetweenJudgesMs, double ResidualMs, int Targets, int Judges);

/// <summary>
/// Intraclass correlation (Shrout &amp; Fleiss, "Intraclass correlations: uses in assessing rater reliability",
/// Psychol Bull 86:420–428, 1979), all six forms, from a complete targets × judges table of ratings:
/// ICC(1,1) = (BMS − WMS)/(BMS + (k−1)WMS); ICC(2,1) = (BMS − EMS)/(BMS + (k−1)EMS + k(JMS − EMS)/n);
/// ICC(3,1) = (BMS − EMS)/(BMS + (k−1)EMS); ICC(1,k) = (BMS − WMS)/BMS; ICC(2,k) = (BMS − EMS)/(BMS + (JMS − EMS)/n);
/// ICC(3,k) = (BMS − EMS)/BMS. In McGraw &amp; Wong's (1996) terms ICC(2,·) is "A" (absolute agreement, two-way
/// random) and ICC(3,·) is "C" (consistency, two-way mixed). No missing ratings.
/// </summary>
public static class Icc
{
    /// <summary>ratings[target, judge].</summary>
    public static IccResult Compute(double[,] ratings)
    {
        int n = ratings.GetLength(0), k = ratings.GetLength(1);
        if (n < 2 || k < 2) throw new ArgumentException($"the ICC needs at least 2 targets and 2 judges, got {n} × {k}");
        var rowMean = new double[n];
        var colMean = new double[k];
        var grand = 0.0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < k; j++)
            {
                var y = ratings[i, j];
                if (!double.IsFinite(y)) throw new ArgumentException($"rating [{i}, {j}] is not finite");
                rowMean[i] += y / k;
                colMean[j] += y / n;
                grand += y;
            }
        grand /= n * k;
        double ssTotal = 0, ssRows = 0, ssCols = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < k; j++) ssTotal += (ratings[i, j] - grand) * (ratings[i, j] - grand);
        for (var i = 0; i < n; i++) ssRows += k * (rowMean[i] - grand) * (rowMean[i] - grand);
        for (var j = 0; j < k; j++) ssCols += n * (colMean[j] - grand) * (colMean[j] - grand);
        var bms = ssRows / (n - 1);
        var wms = (ssTotal - ssRows) / (n * (k - 1.0));
        var jms = ssCols / (k - 1);
        var ems = (ssTotal - ssRows - ssCols) / ((n - 1.0) * (k - 1));
        return new IccResult(
            (bms - wms) / (bms + (k - 1) * wms),
            (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
            (bms - ems) / (bms + (k - 1) * ems),
            (bms - wms) / bms,
            (bms - ems) / (bms + (jms - ems) / n),
            (bms - ems) / bms,
            bms, wms, jms, ems, n, k);
    }
}
