namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// Distances between two histograms over the same bins (each normalised to sum 1 first, as SciPy does).
/// <list type="bullet">
/// <item><see cref="JensenShannon"/>: the Jensen–Shannon distance in base 2, √JSD with
/// JSD = ½ KL(p‖m) + ½ KL(q‖m), m = ½(p + q) — what <c>scipy.spatial.distance.jensenshannon(p, q, base=2)</c>
/// computes. It is symmetric, defined where bins are empty, and bounded by 0 (the same shape) and 1 (no common bin),
/// so one threshold serves every modality and range. The guard scores with it.</item>
/// <item><see cref="Wasserstein1"/>: the earth mover's distance between the bin centres weighted by the histograms
/// (<c>scipy.stats.wasserstein_distance(centres, centres, p, q)</c>), in modality units: how far, on average, the
/// intensities moved (≈ 300 for a study 300 HU brighter). Reported beside the score because it reads as a shift; it
/// is not bounded, so it does not make the score.</item>
/// </list>
/// </summary>
public static class HistogramDistance
{
    public static double JensenShannon(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        var (a, b) = Normalised(p, q);
        double js = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var m = (a[i] + b[i]) / 2;
            if (a[i] > 0) js += a[i] * Math.Log(a[i] / m);
            if (b[i] > 0) js += b[i] * Math.Log(b[i] / m);
        }
        return Math.Sqrt(Math.Max(0, js / 2 / Math.Log(2)));
    }

    public static double Wasserstein1(IReadOnlyList<double> p, IReadOnlyList<double> q, HistogramSpec spec)
    {
        var (a, b) = Normalised(p, q);
        if (a.Length != spec.Bins) throw new OodException($"histograms of {a.Length} bins for a spec of {spec.Bins}");
        double cp = 0, cq = 0, w = 0;
        for (var i = 0; i < a.Length - 1; i++)
        {
            cp += a[i];
            cq += b[i];
            w += Math.Abs(cp - cq) * (spec.Centre(i + 1) - spec.Centre(i));
        }
        return w;
    }

    static (double[] P, double[] Q) Normalised(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        if (p.Count != q.Count) throw new OodException($"histograms of {p.Count} and {q.Count} bins cannot be compared");
        double sp = p.Sum(), sq = q.Sum();
        if (!(sp > 0) || !(sq > 0) || p.Any(v => v < 0 || !double.IsFinite(v)) || q.Any(v => v < 0 || !double.IsFinite(v)))
            throw new OodException("a histogram must have finite, non-negative bins that do not all equal 0");
        return ([.. p.Select(v => v / sp)], [.. q.Select(v => v / sq)]);
    }
}
