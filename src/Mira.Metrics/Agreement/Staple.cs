namespace Mira.Metrics.Agreement;

/// <summary>STAPLE's result: the consensus, each voxel's probability of being foreground, and each rater's performance.</summary>
/// <param name="Sensitivity">per rater, p_j = P(rater says 1 | truth 1).</param>
/// <param name="Specificity">per rater, q_j = P(rater says 0 | truth 0).</param>
/// <param name="Prior">the fixed foreground prior: the mean fraction of foreground over raters.</param>
public sealed record StapleResult(BinaryMask Consensus, double[] Probability, double[] Sensitivity, double[] Specificity, double Prior, int Iterations, bool Converged);

/// <summary>
/// Binary STAPLE (Warfield, Zou &amp; Wells, "Simultaneous truth and performance level estimation (STAPLE)", IEEE TMI
/// 23:903–921, 2004): expectation–maximisation of each rater's sensitivity p_j and specificity q_j with the hidden
/// true segmentation, under a fixed global prior f (the mean foreground fraction of the raters).
/// </summary>
/// <remarks>
/// E-step: Wᵢ = f·aᵢ / (f·aᵢ + (1 − f)·bᵢ) with aᵢ = Πⱼ p_j^Dᵢⱼ (1 − p_j)^(1−Dᵢⱼ) and bᵢ = Πⱼ q_j^(1−Dᵢⱼ) (1 − q_j)^Dᵢⱼ.
/// M-step: p_j = Σᵢ WᵢDᵢⱼ / ΣᵢWᵢ, q_j = Σᵢ (1 − Wᵢ)(1 − Dᵢⱼ) / Σᵢ(1 − Wᵢ). Starts from p = q = 0.99 and stops when no
/// parameter moves by more than the tolerance. The consensus is Wᵢ ≥ 0.5. Voxels with the same decisions share W,
/// so the iterations run over the distinct decision patterns (up to 30 raters), not over voxels.
/// </remarks>
public static class Staple
{
    public static StapleResult Compute(IReadOnlyList<BinaryMask> raters, double tolerance = 1e-10, int maxIterations = 1000)
    {
        var r = raters.Count;
        if (r < 2 || r > 30) throw new ArgumentException($"STAPLE here takes 2 to 30 raters, got {r}");
        var first = raters[0];
        foreach (var m in raters)
            if (m.Nx != first.Nx || m.Ny != first.Ny || m.Nz != first.Nz) throw new ArgumentException("raters' masks differ in size");
        var n = first.Length;
        var pattern = new int[n];
        for (var j = 0; j < r; j++)
        {
            var v = raters[j].Voxels;
            for (var i = 0; i < n; i++)
                if (v[i]) pattern[i] |= 1 << j;
        }
        var counts = new Dictionary<int, long>();
        foreach (var p in pattern) counts[p] = counts.GetValueOrDefault(p) + 1;
        var patterns = counts.Keys.Order().ToArray();
        var weight = patterns.Select(p => (double)counts[p]).ToArray();
        var prior = patterns.Select((p, k) => weight[k] * System.Numerics.BitOperations.PopCount((uint)p)).Sum() / ((double)n * r);

        var sens = Enumerable.Repeat(0.99, r).ToArray();
        var spec = Enumerable.Repeat(0.99, r).ToArray();
        var w = new double[patterns.Length];
        var iterations = 0;
        var converged = false;
        while (iterations < maxIterations && !converged)
        {
            iterations++;
            EStep(patterns, sens, spec, prior, w);
            double sumW = 0, sumNotW = 0;
            var pNum = new double[r];
            var qNum = new double[r];
            for (var k = 0; k < patterns.Length; k++)
            {
                sumW += weight[k] * w[k];
                sumNotW += weight[k] * (1 - w[k]);
                for (var j = 0; j < r; j++)
                {
                    if ((patterns[k] >> j & 1) == 1) pNum[j] += weight[k] * w[k];
                    else qNum[j] += weight[k] * (1 - w[k]);
                }
            }
            var change = 0.0;
            for (var j = 0; j < r; j++)
            {
                var p = sumW > 0 ? pNum[j] / sumW : sens[j];
                var q = sumNotW > 0 ? qNum[j] / sumNotW : spec[j];
                change = Math.Max(change, Math.Max(Math.Abs(p - sens[j]), Math.Abs(q - spec[j])));
                sens[j] = p;
                spec[j] = q;
            }
            converged = change <= tolerance;
        }
        EStep(patterns, sens, spec, prior, w);
        var byPattern = new Dictionary<int, double>();
        for (var k = 0; k < patterns.Length; k++) byPattern[patterns[k]] = w[k];
        var probability = new double[n];
        var consensus = new bool[n];
        for (var i = 0; i < n; i++)
        {
            probability[i] = byPattern[pattern[i]];
            consensus[i] = probability[i] >= 0.5;
        }
        return new StapleResult(new BinaryMask(first.Nx, first.Ny, first.Nz, consensus, first.Spacing[0], first.Spacing[1], first.Spacing[2]),
            probability, sens, spec, prior, iterations, converged);
    }

    static void EStep(int[] patterns, double[] sens, double[] spec, double prior, double[] w)
    {
        for (var k = 0; k < patterns.Length; k++)
        {
            // In logs: a product of many probabilities near 0 or 1 would underflow.
            double la = Math.Log(prior), lb = Math.Log(1 - prior);
            for (var j = 0; j < sens.Length; j++)
            {
                var d = (patterns[k] >> j & 1) == 1;
                la += Math.Log(d ? sens[j] : 1 - sens[j]);
                lb += Math.Log(d ? 1 - spec[j] : spec[j]);
            }
            w[k] = double.IsNegativeInfinity(la) ? 0 : double.IsNegativeInfinity(lb) ? 1 : 1 / (1 + Math.Exp(lb - la));
        }
    }
}
