using CsCheck;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Metrics.Tests;

/// <summary>Hand-computed cases and properties of the classification metrics, intervals and bootstrap.</summary>
public class ClassificationTests
{
    [Fact]
    public void AucCountsTiesAsHalf()
    {
        // Positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4, 0.8>0.1, 0.4=0.4, 0.4>0.1) → 3.5/4.
        Assert.Equal(0.875, RocAuc.Compute([1, 1, 0, 0], [0.8, 0.4, 0.4, 0.1]), 15);
        Assert.True(double.IsNaN(RocAuc.Compute([1, 1], [0.2, 0.3])));
    }

    [Fact]
    public void AveragePrecisionByHand()
    {
        // Ranked: + − + −: P at recall ½ is 1, at recall 1 is 2/3 → AP = ½·1 + ½·⅔.
        Assert.Equal(0.5 + 1.0 / 3, AveragePrecision.Compute([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]), 15);
    }

    [Fact]
    public void WilsonMatchesNewcombe1998()
    {
        // Newcombe, Stat Med 17:857–872 (1998), Table I, method 3 (Wilson score without continuity correction).
        Check(81, 263, 0.2553, 0.3662);
        Check(15, 148, 0.0624, 0.1605);
        Check(0, 20, 0.0000, 0.1611);
        Check(1, 29, 0.0061, 0.1718);
        static void Check(int x, int n, double lo, double hi)
        {
            var p = Wilson.Interval(x, n);
            Assert.Equal(lo, p.Lower, 4);
            Assert.Equal(hi, p.Upper, 4);
        }
    }

    [Fact]
    public void NormalQuantileAndTails()
    {
        Assert.Equal(1.959963984540054, Normal.TwoSidedZ(0.95), 14);
        Assert.Equal(2.5758293035489004, Normal.TwoSidedZ(0.99), 14);
        Assert.Equal(0.5, Normal.Cdf(0), 15);
        Assert.Equal(0.15865525393145707, Normal.Cdf(-1), 15);
        Assert.True(Math.Abs(Normal.Survival(5) / 2.866515718791939e-7 - 1) < 1e-13);
        Assert.Equal(-3.090232306167813, Normal.Quantile(0.001), 12);
    }

    [Fact]
    public void OperatingPointCountsAndIntervals()
    {
        int[] y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
        double[] s = [0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.3, 0.2, 0.1, 0.05];
        var op = OperatingPoint.AtThreshold(y, s, 0.5);
        Assert.Equal((3L, 1L, 5L, 1L), (op.TruePositives, op.FalsePositives, op.TrueNegatives, op.FalseNegatives));
        Assert.Equal(0.75, op.Sensitivity.Value);
        Assert.Equal(Wilson.Interval(5, 6), op.Specificity);
        var atSens = OperatingPoint.AtSensitivity(y, s, 1.0);
        Assert.Equal(0.3, atSens.Threshold);
        Assert.Equal(4, atSens.TruePositives);
        var atSpec = OperatingPoint.AtSpecificity(y, s, 1.0);
        Assert.Equal(0, atSpec.FalsePositives);
        Assert.Equal(2, atSpec.TruePositives);
    }

    [Fact]
    public void AucIsUnchangedByMonotoneTransforms()
    {
        var gen = Gen.Select(Gen.Int[0, 1].Array[4, 60], Gen.Int[0, 20].Array[60], Gen.Double[0.1, 5]);
        gen.Sample((labels, raw, k) =>
        {
            var scores = raw.Take(labels.Length).Select(v => (double)v).ToArray();
            if (scores.Length < labels.Length) return;
            var auc = RocAuc.Compute(labels, scores);
            var transformed = scores.Select(v => Math.Exp(k * v) - 3).ToArray();
            var t = RocAuc.Compute(labels, transformed);
            Assert.True(double.IsNaN(auc) ? double.IsNaN(t) : Math.Abs(auc - t) < 1e-15, $"{auc} vs {t}");
            var flipped = RocAuc.Compute(labels, scores.Select(v => -v).ToArray());
            if (!double.IsNaN(auc)) Assert.Equal(1 - auc, flipped, 12);
        });
    }

    [Fact]
    public void KappaIsSymmetricAndOneOnPerfectAgreement()
    {
        Gen.Int[0, 4].Array[2, 40].Select(Gen.Int[0, 4].Array[40]).Sample((a, raw) =>
        {
            var b = raw.Take(a.Length).ToArray();
            foreach (var w in Enum.GetValues<KappaWeights>())
            {
                var ab = Kappa.Cohen(a, b, w);
                var ba = Kappa.Cohen(b, a, w);
                Assert.True(double.IsNaN(ab) ? double.IsNaN(ba) : Math.Abs(ab - ba) < 1e-12);
                var self = Kappa.Cohen(a, a, w);
                Assert.True(double.IsNaN(self) || Math.Abs(self - 1) < 1e-12);
            }
        });
    }

    [Fact]
    public void BootstrapIsSeededStratifiedAndIndependentOfThreads()
    {
        var labels = Enumerable.Range(0, 50).Select(i => i % 5 == 0 ? 1 : 0).ToArray();
        var scores = Enumerable.Range(0, 50).Select(i => (i * 37 % 50) / 50.0 + (labels[i] == 1 ? 0.3 : 0)).ToArray();
        double Auc(int[] idx)
        {
            // Stratified by label: every replicate keeps exactly 10 positives.
            Assert.Equal(10, idx.Count(i => labels[i] == 1));
            return RocAuc.Compute(labels, scores, idx);
        }
        var a = Bootstrap.Run(50, labels, Auc, new BootstrapOptions(500, 7));
        var b = Bootstrap.Run(50, labels, Auc, new BootstrapOptions(500, 7));
        Assert.Equal(a, b);
        var c = Bootstrap.Run(50, labels, Auc, new BootstrapOptions(500, 8));
        Assert.NotEqual(a.Lower, c.Lower);
        Assert.Equal(RocAuc.Compute(labels, scores), a.Estimate);
        Assert.True(a.Lower < a.Estimate && a.Estimate < a.Upper);
        Assert.Equal(500, a.Valid);
        // Replicates are fixed by (seed, replicate): the first 100 of 500 equal a 100-replicate run.
        double[] One(int[] idx) => [RocAuc.Compute(labels, scores, idx)];
        var r500 = Bootstrap.Replicates(50, labels, One, new BootstrapOptions(500, 7));
        var r100 = Bootstrap.Replicates(50, labels, One, new BootstrapOptions(100, 7));
        Assert.Equal(r100.Select(r => r[0]), r500.Take(100).Select(r => r[0]));
    }

    [Fact]
    public void ClusterBootstrapResamplesWholeClusters()
    {
        // 10 patients with 3 cases and 30 with 1; every replicate holds whole patients, as many as there are.
        var patient = Enumerable.Range(0, 60).Select(i => i < 30 ? i / 3 : i - 20).ToArray();
        var reps = Bootstrap.Replicates(60, null, idx =>
        {
            foreach (var g in idx.GroupBy(i => patient[i]))
            {
                var members = Enumerable.Range(0, 60).Where(i => patient[i] == g.Key).ToArray();
                var counts = members.Select(m => g.Count(i => i == m)).Distinct().ToArray();
                Assert.Single(counts); // each member of a drawn patient appears equally often
                Assert.True(counts[0] >= 1);
            }
            return [idx.Length];
        }, new BootstrapOptions(200, 3), patient);
        Assert.Contains(reps, r => r[0] != 60); // cluster sizes differ, so replicate sizes vary
        // A cluster across two strata is refused.
        Assert.Throws<ArgumentException>(() => Bootstrap.Replicates(4, [0, 1, 0, 1], idx => [0.0], new BootstrapOptions(10), [7, 7, 8, 8]));
    }

    [Fact]
    public void SubgroupGapsAreGroupMinusOverall()
    {
        // Site "a": perfectly separated; site "b": scores unrelated to labels.
        var n = 80;
        var labels = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var site = Enumerable.Range(0, n).Select(i => i < 40 ? "a" : "b").ToArray();
        var scores = Enumerable.Range(0, n).Select(i => i < 40 ? labels[i] + 0.01 * i : ((i * 7919) % 13) / 13.0).ToArray();
        var rows = Subgroups.Evaluate(site, labels, idx => RocAuc.Compute(labels, scores, idx), new BootstrapOptions(300, 1));
        Assert.Equal(["(all)", "a", "b"], rows.Select(r => r.Group));
        Assert.Equal([80, 40, 40], rows.Select(r => r.Cases));
        Assert.Equal(1.0, rows[1].Value.Estimate);
        var overall = RocAuc.Compute(labels, scores);
        Assert.Equal(overall, rows[0].Value.Estimate);
        Assert.Equal(1.0 - overall, rows[1].Gap.Estimate, 15);
        Assert.Equal(RocAuc.Compute(labels, scores, Enumerable.Range(40, 40).ToArray()) - overall, rows[2].Gap.Estimate, 15);
        Assert.True(rows[1].Gap.Lower > 0, "site a is reliably better than the whole");
        Assert.True(rows[2].Gap.Upper < 0, "site b is reliably worse than the whole");
        Assert.Equal(0, rows[0].Gap.Estimate);
    }
}
