using Mira.Metrics.Agreement;
using Mira.Metrics.Classification;
using Mira.Metrics.Statistics;

namespace Mira.Metrics.Tests;

/// <summary>STAPLE on constructed readers; pairwise Dice and kappa matrices.</summary>
public class AgreementTests
{
    [Fact]
    public void StapleRecoversReaderPerformanceAndBeatsEveryReader()
    {
        // A known truth (30% foreground of 40×40×25) and five readers with known error rates.
        const int nx = 40, ny = 40, nz = 25;
        var rng = new SplitMix64(99);
        var truth = new bool[nx * ny * nz];
        for (var i = 0; i < truth.Length; i++) truth[i] = rng.NextDouble() < 0.3;
        double[] p = [0.95, 0.9, 0.7, 0.85, 0.6];
        double[] q = [0.98, 0.95, 0.99, 0.9, 0.97];
        var readers = new List<BinaryMask>();
        for (var j = 0; j < p.Length; j++)
        {
            var v = new bool[truth.Length];
            for (var i = 0; i < v.Length; i++) v[i] = truth[i] ? rng.NextDouble() < p[j] : rng.NextDouble() >= q[j];
            readers.Add(new BinaryMask(nx, ny, nz, v));
        }
        var s = Staple.Compute(readers);
        Assert.True(s.Converged);
        var accuracy = (bool[] m) => m.Select((x, i) => x == truth[i]).Count(b => b) / (double)truth.Length;
        for (var j = 0; j < p.Length; j++)
        {
            // Against the readers' empirical performance on the truth.
            var v = readers[j].Voxels;
            var sens = Enumerable.Range(0, v.Length).Count(i => truth[i] && v[i]) / (double)truth.Count(t => t);
            var spec = Enumerable.Range(0, v.Length).Count(i => !truth[i] && !v[i]) / (double)truth.Count(t => !t);
            Assert.True(Math.Abs(s.Sensitivity[j] - sens) < 0.01, $"reader {j}: sensitivity {s.Sensitivity[j]} vs {sens}");
            Assert.True(Math.Abs(s.Specificity[j] - spec) < 0.01, $"reader {j}: specificity {s.Specificity[j]} vs {spec}");
            Assert.True(accuracy(s.Consensus.Voxels) > accuracy(v));
        }
        // At convergence the M-step reproduces the parameters from the final probabilities.
        var w = s.Probability;
        for (var j = 0; j < p.Length; j++)
        {
            var v = readers[j].Voxels;
            var pj = Enumerable.Range(0, w.Length).Sum(i => v[i] ? w[i] : 0) / w.Sum();
            Assert.Equal(s.Sensitivity[j], pj, 8);
        }
    }

    [Fact]
    public void StapleOfThreeEqualReadersIsTheMajority()
    {
        // Each reader wrong on its own disjoint third of a pattern: symmetric performance, so the consensus is the vote.
        var truth = Enumerable.Range(0, 300).Select(i => i % 3 == 0).ToArray();
        var readers = Enumerable.Range(0, 3).Select(j => new BinaryMask(300, 1, 1,
            truth.Select((t, i) => i % 10 == j ? !t : t).ToArray())).ToArray();
        var s = Staple.Compute(readers);
        Assert.Equal(truth, s.Consensus.Voxels);
    }

    [Fact]
    public void PairwiseMatrices()
    {
        var a = new BinaryMask(4, 1, 1, [true, true, false, false]);
        var b = new BinaryMask(4, 1, 1, [true, false, false, false]);
        var c = new BinaryMask(4, 1, 1, [false, false, true, true]);
        var d = ReaderAgreement.DiceMatrix([a, b, c]);
        Assert.Equal(2.0 / 3, d[0, 1], 15);
        Assert.Equal(d[0, 1], d[1, 0]);
        Assert.Equal(0, d[0, 2]);
        Assert.Equal(1, d[2, 2]);
        int[] r1 = [0, 1, 2, 2, 1], r2 = [0, 1, 2, 1, 1], r3 = [2, 1, 0, 0, 1];
        var k = ReaderAgreement.KappaMatrix([r1, r2, r3], KappaWeights.Quadratic);
        Assert.Equal(Kappa.Cohen(r1, r2, KappaWeights.Quadratic, [0, 1, 2]), k[0, 1], 15);
        Assert.Equal(Kappa.Cohen(r2, r3, KappaWeights.Quadratic, [0, 1, 2]), k[2, 1], 15);
        Assert.Equal(1, k[1, 1]);
    }
}
