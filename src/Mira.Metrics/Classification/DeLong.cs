using Mira.Metrics.Statistics;

namespace Mira.Metrics.Classification;

/// <summary>An AUC with its DeLong standard error and normal-theory interval.</summary>
/// <param name="Lower">AUC − z·SE, clipped to [0, 1].</param>
/// <param name="Upper">AUC + z·SE, clipped to [0, 1].</param>
public sealed record AucInterval(double Auc, double Variance, double StandardError, double Lower, double Upper, int Positives, int Negatives);

/// <summary>Two correlated AUCs on the same cases, their difference and its DeLong test.</summary>
/// <param name="Difference">AUC_A − AUC_B.</param>
/// <param name="Z">Difference / SE(Difference).</param>
/// <param name="PValue">two-sided normal p-value.</param>
public sealed record AucComparison(double AucA, double AucB, double Difference, double Variance, double StandardError,
    double Lower, double Upper, double Z, double PValue);

/// <summary>
/// DeLong's nonparametric variance of the AUC (DeLong, DeLong &amp; Clarke-Pearson, "Comparing the areas under two or
/// more correlated receiver operating characteristic curves", Biometrics 44:837–845, 1988), computed with the fast
/// mid-rank algorithm of Sun &amp; Xu ("Fast implementation of DeLong's algorithm…", IEEE Signal Processing Letters
/// 21:1389–1393, 2014) in O(N log N).
/// </summary>
/// <remarks>
/// With m positives X and n negatives Y, T_Z the mid-ranks among all cases, T_X among the positives and T_Y among the
/// negatives: the structural components are V10ᵢ = (T_Z(Xᵢ) − T_X(Xᵢ))/n and V01ⱼ = 1 − (T_Z(Yⱼ) − T_Y(Yⱼ))/m,
/// AUC = mean V10 = mean V01, and Var(AUC) = S10/m + S01/n with S10, S01 the sample variances (m − 1 and n − 1
/// denominators) of V10 and V01. For two scores the covariance matrix is S10/m + S01/n with sample covariances.
/// The interval is AUC ± z·SE on the AUC scale (as pROC's <c>ci.auc(method = "delong")</c>), clipped to [0, 1].
/// Needs at least two positives and two negatives.
/// </remarks>
public static class DeLong
{
    public static AucInterval Interval(IReadOnlyList<int> labels, IReadOnlyList<double> scores, double confidence = 0.95)
    {
        BinarySample.Check(labels, scores);
        var (v10, v01) = Components(labels, scores);
        var m = v10.Length;
        var n = v01.Length;
        var auc = v10.Average();
        var variance = Covariance(v10, v10) / m + Covariance(v01, v01) / n;
        var se = Math.Sqrt(variance);
        var z = Normal.TwoSidedZ(confidence);
        return new AucInterval(auc, variance, se, Math.Max(0, auc - z * se), Math.Min(1, auc + z * se), m, n);
    }

    /// <summary>Paired comparison of two scores on the same cases (DeLong et al. 1988, the two-curve contrast).</summary>
    public static AucComparison Compare(IReadOnlyList<int> labels, IReadOnlyList<double> scoresA, IReadOnlyList<double> scoresB, double confidence = 0.95)
    {
        BinarySample.Check(labels, scoresA);
        BinarySample.Check(labels, scoresB);
        var (a10, a01) = Components(labels, scoresA);
        var (b10, b01) = Components(labels, scoresB);
        int m = a10.Length, n = a01.Length;
        var aucA = a10.Average();
        var aucB = b10.Average();
        var varA = Covariance(a10, a10) / m + Covariance(a01, a01) / n;
        var varB = Covariance(b10, b10) / m + Covariance(b01, b01) / n;
        var cov = Covariance(a10, b10) / m + Covariance(a01, b01) / n;
        var variance = varA + varB - 2 * cov;
        var se = Math.Sqrt(Math.Max(0, variance));
        var d = aucA - aucB;
        var zc = Normal.TwoSidedZ(confidence);
        var z = se > 0 ? d / se : d == 0 ? 0 : double.PositiveInfinity * Math.Sign(d);
        var p = se > 0 ? 2 * Normal.Survival(Math.Abs(z)) : d == 0 ? 1 : 0;
        return new AucComparison(aucA, aucB, d, variance, se, d - zc * se, d + zc * se, z, p);
    }

    /// <summary>The structural components V10 (one per positive, in case order) and V01 (one per negative).</summary>
    public static (double[] V10, double[] V01) Components(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        var pos = new List<double>();
        var neg = new List<double>();
        for (var i = 0; i < labels.Count; i++) (labels[i] == 1 ? pos : neg).Add(scores[i]);
        int m = pos.Count, n = neg.Count;
        if (m < 2 || n < 2) throw new ArgumentException($"DeLong's variance needs at least 2 positives and 2 negatives, got {m} and {n}");
        var tz = BinarySample.MidRanks([.. pos, .. neg]);
        var tx = BinarySample.MidRanks(pos);
        var ty = BinarySample.MidRanks(neg);
        var v10 = new double[m];
        var v01 = new double[n];
        for (var i = 0; i < m; i++) v10[i] = (tz[i] - tx[i]) / n;
        for (var j = 0; j < n; j++) v01[j] = 1 - (tz[m + j] - ty[j]) / m;
        return (v10, v01);
    }

    static double Covariance(double[] a, double[] b)
    {
        var ma = a.Average();
        var mb = b.Average();
        var s = 0.0;
        for (var i = 0; i < a.Length; i++) s += (a[i] - ma) * (b[i] - mb);
        return s / (a.Length - 1);
    }
}
