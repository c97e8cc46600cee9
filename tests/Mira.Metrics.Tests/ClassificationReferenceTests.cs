using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Metrics.Tests;

/// <summary>Classification and agreement metrics against scikit-learn and independent numpy/scipy computations on seeded generated cases.</summary>
public class ClassificationReferenceTests
{
    /// <summary>n cases, prevalence about 0.3; two correlated scores in [0, 1], rounded to 2 decimals so that ties occur.</summary>
    static (int[] Labels, double[] Score, double[] Score2) Generate(ulong seed, int n)
    {
        var rng = new SplitMix64(seed);
        var labels = new int[n];
        var s = new double[n];
        var s2 = new double[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = rng.NextDouble() < 0.3 ? 1 : 0;
            var common = Gauss(ref rng);
            var a = 0.5 + 0.15 * (labels[i] == 1 ? 1 : -0.3) + 0.15 * common + 0.1 * Gauss(ref rng);
            var b = 0.5 + 0.1 * (labels[i] == 1 ? 1 : -0.2) + 0.15 * common + 0.15 * Gauss(ref rng);
            s[i] = Math.Round(Math.Clamp(a, 0, 1), 2);
            s2[i] = Math.Round(Math.Clamp(b, 0, 1), 2);
        }
        return (labels, s, s2);
    }

    static double Gauss(ref SplitMix64 rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Theory]
    [InlineData(1UL, 300)]
    [InlineData(2UL, 57)]
    [InlineData(3UL, 1000)]
    public void BinaryMetricsEqualSklearnAndDirectDeLong(ulong seed, int n)
    {
        var (y, s, s2) = Generate(seed, n);
        var e = ReferenceScript.Run("binary", ReferenceScript.Csv("label,score,score2", y.Select((l, i) => new double[] { l, s[i], s2[i] })));
        ReferenceScript.Close(e.GetProperty("auc").GetDouble(), RocAuc.Compute(y, s), what: "AUC");
        ReferenceScript.Close(e.GetProperty("auc2").GetDouble(), RocAuc.Compute(y, s2), what: "AUC 2");
        ReferenceScript.Close(e.GetProperty("ap").GetDouble(), AveragePrecision.Compute(y, s), what: "AP");
        var d = DeLong.Interval(y, s);
        ReferenceScript.Close(e.GetProperty("delong_auc").GetDouble(), d.Auc, what: "DeLong AUC");
        ReferenceScript.Close(e.GetProperty("delong_var").GetDouble(), d.Variance, 1e-10, "DeLong variance");
        ReferenceScript.Close(e.GetProperty("delong_lower").GetDouble(), d.Lower, 1e-12, "DeLong lower");
        ReferenceScript.Close(e.GetProperty("delong_upper").GetDouble(), d.Upper, 1e-12, "DeLong upper");
        var c = DeLong.Compare(y, s, s2);
        ReferenceScript.Close(e.GetProperty("diff_var").GetDouble(), c.Variance, 1e-10, "DeLong difference variance");
        ReferenceScript.Close(e.GetProperty("diff_p").GetDouble(), c.PValue, 1e-9, "DeLong p");
        ReferenceScript.Close(e.GetProperty("brier").GetDouble(), Calibration.Brier(y, s), what: "Brier");
        foreach (var bins in new[] { 10, 15 })
        {
            ReferenceScript.Close(e.GetProperty($"ece_{bins}").GetDouble(), Calibration.ExpectedCalibrationError(y, s, bins), what: $"ECE {bins}");
            var curve = Calibration.ReliabilityCurve(y, s, bins);
            var t = e.GetProperty($"curve_true_{bins}").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var p = e.GetProperty($"curve_pred_{bins}").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(t.Length, curve.Count);
            for (var i = 0; i < t.Length; i++)
            {
                ReferenceScript.Close(t[i], curve[i].ObservedFraction, what: $"curve observed {i}");
                ReferenceScript.Close(p[i], curve[i].MeanPredicted, what: $"curve predicted {i}");
            }
        }
    }

    [Theory]
    [InlineData(11UL, 200)]
    [InlineData(12UL, 40)]
    public void CohenKappasAndConfusionMatrixEqualSklearn(ulong seed, int n)
    {
        // Two raters grading 0…5 (grade 5 never used, so positions and the full range differ), rater B near A.
        var rng = new SplitMix64(seed);
        var a = new int[n];
        var b = new int[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = rng.Below(5);
            var shift = rng.NextDouble() < 0.6 ? 0 : rng.NextDouble() < 0.5 ? 1 : -1;
            b[i] = Math.Clamp(a[i] + shift, 0, 4);
        }
        var e = ReferenceScript.Run("kappa", ReferenceScript.Csv("a,b", a.Select((x, i) => new double[] { x, b[i] })));
        ReferenceScript.Close(e.GetProperty("none").GetDouble(), Kappa.Cohen(a, b), what: "kappa");
        ReferenceScript.Close(e.GetProperty("linear").GetDouble(), Kappa.Cohen(a, b, KappaWeights.Linear), what: "linear kappa");
        ReferenceScript.Close(e.GetProperty("quadratic").GetDouble(), Kappa.Cohen(a, b, KappaWeights.Quadratic), what: "QWK");
        ReferenceScript.Close(e.GetProperty("quadratic_full").GetDouble(), Kappa.Cohen(a, b, KappaWeights.Quadratic, [0, 1, 2, 3, 4, 5]), what: "QWK 0…5");
        var m = ConfusionMatrix.Compute(a, b);
        Assert.Equal(e.GetProperty("classes").EnumerateArray().Select(v => v.GetInt32()), m.Classes);
        var rows = e.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows.Length; j++) Assert.Equal(rows[i][j], m.Counts[i, j]);
    }

    [Fact]
    public void FleissKappaEqualsNumpyAndThePublishedExample()
    {
        // The worked example of Fleiss' kappa (10 subjects, 14 raters, 5 categories) as on Wikipedia's
        // "Fleiss' kappa" page: P̄ = 0.378, P̄e = 0.213, κ = 0.210.
        int[,] counts =
        {
            { 0, 0, 0, 0, 14 }, { 0, 2, 6, 4, 2 }, { 0, 0, 3, 5, 6 }, { 0, 3, 9, 2, 0 }, { 2, 2, 8, 1, 1 },
            { 7, 7, 0, 0, 0 }, { 3, 2, 6, 3, 0 }, { 2, 5, 3, 2, 2 }, { 6, 5, 2, 1, 0 }, { 0, 2, 2, 3, 7 },
        };
        var k = Kappa.Fleiss(counts);
        Assert.Equal(0.210, k, 3);
        var rows = Enumerable.Range(0, 10).Select(i => Enumerable.Range(0, 5).Select(j => (double)counts[i, j]));
        ReferenceScript.Close(ReferenceScript.Run("fleiss", ReferenceScript.Csv("", rows)).GetProperty("kappa").GetDouble(), k, what: "Fleiss");

        // Generated: 60 subjects, 6 raters, 4 categories, given as ratings per rater.
        var rng = new SplitMix64(21);
        var ratings = Enumerable.Range(0, 60).Select(_ =>
        {
            var truth = rng.Below(4);
            return (IReadOnlyList<int>)Enumerable.Range(0, 6).Select(_ => rng.NextDouble() < 0.7 ? truth : rng.Below(4)).ToArray();
        }).ToArray();
        var cats = ratings.SelectMany(r => r).Distinct().Order().ToArray();
        var table = ratings.Select(r => cats.Select(c => (double)r.Count(x => x == c)));
        ReferenceScript.Close(ReferenceScript.Run("fleiss", ReferenceScript.Csv("", table)).GetProperty("kappa").GetDouble(), Kappa.Fleiss(ratings), what: "Fleiss generated");
    }

    [Fact]
    public void IccEqualsShroutFleissTable4AndNumpy()
    {
        // Shrout & Fleiss (1979) Table 2: 6 targets rated by 4 judges; Table 4 gives the six ICCs to two decimals.
        double[,] y = { { 9, 2, 5, 8 }, { 6, 1, 3, 2 }, { 8, 4, 6, 8 }, { 7, 1, 2, 6 }, { 10, 5, 6, 9 }, { 6, 2, 4, 7 } };
        var r = Icc.Compute(y);
        Assert.Equal(0.17, r.Icc1_1, 2);
        Assert.Equal(0.29, r.Icc2_1, 2);
        Assert.Equal(0.71, r.Icc3_1, 2);
        Assert.Equal(0.44, r.Icc1_k, 2);
        Assert.Equal(0.62, r.Icc2_k, 2);
        Assert.Equal(0.91, r.Icc3_k, 2);
        Check(y, r);

        var rng = new SplitMix64(31);
        var g = new double[40, 3];
        for (var i = 0; i < 40; i++)
        {
            var t = 10 * rng.NextDouble();
            for (var j = 0; j < 3; j++) g[i, j] = t + 0.5 * j + 2 * rng.NextDouble();
        }
        Check(g, Icc.Compute(g));

        static void Check(double[,] y, IccResult r)
        {
            var rows = Enumerable.Range(0, y.GetLength(0)).Select(i => Enumerable.Range(0, y.GetLength(1)).Select(j => y[i, j]));
            var e = ReferenceScript.Run("icc", ReferenceScript.Csv("", rows));
            ReferenceScript.Close(e.GetProperty("icc1_1").GetDouble(), r.Icc1_1, what: "ICC(1,1)");
            ReferenceScript.Close(e.GetProperty("icc2_1").GetDouble(), r.Icc2_1, what: "ICC(2,1)");
            ReferenceScript.Close(e.GetProperty("icc3_1").GetDouble(), r.Icc3_1, what: "ICC(3,1)");
            ReferenceScript.Close(e.GetProperty("icc1_k").GetDouble(), r.Icc1_k, what: "ICC(1,k)");
            ReferenceScript.Close(e.GetProperty("icc2_k").GetDouble(), r.Icc2_k, what: "ICC(2,k)");
            ReferenceScript.Close(e.GetProperty("icc3_k").GetDouble(), r.Icc3_k, what: "ICC(3,k)");
        }
    }
}
