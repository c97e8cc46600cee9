namespace Mira.Metrics.Statistics;

/// <summary>Settings of a bootstrap: number of replicates, seed and confidence level.</summary>
public sealed record BootstrapOptions(int Replicates = 2000, ulong Seed = 0, double Confidence = 0.95)
{
    public static BootstrapOptions Default { get; } = new();
}

/// <summary>A statistic on the full sample with its bootstrap percentile interval.</summary>
/// <param name="Estimate">the statistic on the original sample.</param>
/// <param name="Lower">lower percentile bound, (1 − confidence)/2 of the replicates.</param>
/// <param name="Upper">upper percentile bound, (1 + confidence)/2.</param>
/// <param name="StandardError">the standard deviation of the replicates (n − 1 denominator).</param>
/// <param name="Valid">replicates whose statistic was defined (not NaN); the interval uses only these.</param>
public sealed record BootstrapInterval(double Estimate, double Lower, double Upper, double StandardError, int Valid, int Replicates);

/// <summary>
/// Stratified, seeded, parallel nonparametric bootstrap (Efron &amp; Tibshirani, "An Introduction to the Bootstrap",
/// 1993, ch. 13, percentile interval).
/// </summary>
/// <remarks>
/// <para>Stratified: each replicate draws, within every stratum separately, as many cases as that stratum holds, with
/// replacement, so stratum sizes (e.g. positives and negatives, or subgroup sizes) are those of the sample.</para>
/// <para>Seeded and reproducible regardless of threading: replicate b uses its own SplitMix64 generator seeded from
/// (seed, b), so the replicates, and the interval, depend on the seed only, not on how many threads ran them.
/// Replicates run in parallel (<see cref="Parallel.For(int, int, Action{int})"/>).</para>
/// <para>The interval is the percentile interval of the replicates (numpy's linear percentile); replicates where the
/// statistic is undefined (NaN, e.g. an AUC of a resample without positives) are left out and counted.</para>
/// </remarks>
public static class Bootstrap
{
    /// <summary>
    /// Bootstraps one statistic. <paramref name="statistic"/> receives the case indices of a sample (a resample holds
    /// repeats) and must be thread-safe. <paramref name="strata"/>: one stratum key per case, or null for none.
    /// </summary>
    public static BootstrapInterval Run(int cases, IReadOnlyList<int>? strata, Func<int[], double> statistic, BootstrapOptions? options = null,
        IReadOnlyList<int>? clusters = null)
    {
        var r = RunMany(cases, strata, idx => [statistic(idx)], options, clusters);
        return r[0];
    }

    /// <summary>Bootstraps several statistics from the same resamples (one array of values per call).</summary>
    public static BootstrapInterval[] RunMany(int cases, IReadOnlyList<int>? strata, Func<int[], double[]> statistics, BootstrapOptions? options = null,
        IReadOnlyList<int>? clusters = null)
    {
        var reps = Replicates(cases, strata, statistics, options, clusters);
        options ??= BootstrapOptions.Default;
        var full = statistics(Enumerable.Range(0, cases).ToArray());
        var result = new BootstrapInterval[full.Length];
        for (var s = 0; s < full.Length; s++)
        {
            var column = new double[reps.Length];
            for (var b = 0; b < reps.Length; b++) column[b] = reps[b][s];
            result[s] = Summarise(full[s], column, options.Confidence);
        }
        return result;
    }

    /// <summary>
    /// The statistics of every replicate: [replicate][statistic]. With <paramref name="clusters"/> (one key per case,
    /// e.g. the patient) whole clusters are resampled — a cluster bootstrap, for cases that are not independent (two
    /// eyes, several lesions or slides of one patient): per stratum as many clusters as it holds, with replacement,
    /// each bringing all its cases. Every cluster must then lie in one stratum.
    /// </summary>
    public static double[][] Replicates(int cases, IReadOnlyList<int>? strata, Func<int[], double[]> statistics, BootstrapOptions? options = null,
        IReadOnlyList<int>? clusters = null)
    {
        options ??= BootstrapOptions.Default;
        if (cases < 1) throw new ArgumentException("the bootstrap needs at least one case");
        if (options.Replicates < 1) throw new ArgumentException("the bootstrap needs at least one replicate");
        if (strata is not null && strata.Count != cases) throw new ArgumentException($"{strata.Count} stratum keys for {cases} cases");
        if (clusters is not null && clusters.Count != cases) throw new ArgumentException($"{clusters.Count} cluster keys for {cases} cases");
        // Units: single cases, or clusters of cases; grouped by stratum.
        int[][] units;
        int[] unitStratum;
        if (clusters is null)
        {
            units = Enumerable.Range(0, cases).Select(i => new[] { i }).ToArray();
            unitStratum = Enumerable.Range(0, cases).Select(i => strata?[i] ?? 0).ToArray();
        }
        else
        {
            var byCluster = Enumerable.Range(0, cases).GroupBy(i => clusters[i]).OrderBy(g => g.Key).ToArray();
            units = byCluster.Select(g => g.ToArray()).ToArray();
            unitStratum = new int[units.Length];
            for (var u = 0; u < units.Length; u++)
            {
                var keys = units[u].Select(i => strata?[i] ?? 0).Distinct().ToArray();
                if (keys.Length > 1) throw new ArgumentException($"cluster {byCluster[u].Key} spans several strata: a cluster bootstrap needs each cluster in one stratum");
                unitStratum[u] = keys[0];
            }
        }
        var groups = Groups(units.Length, unitStratum);
        var reps = new double[options.Replicates][];
        Parallel.For(0, options.Replicates, b =>
        {
            var rng = new SplitMix64(SplitMix64.Mix(options.Seed ^ SplitMix64.Mix((ulong)b + 0x5EED)));
            var idx = new List<int>(cases);
            foreach (var g in groups)
                for (var i = 0; i < g.Length; i++) idx.AddRange(units[g[rng.Below(g.Length)]]);
            reps[b] = statistics([.. idx]);
        });
        return reps;
    }

    /// <summary>Percentile interval, standard error and valid count of replicate values.</summary>
    public static BootstrapInterval Summarise(double estimate, IReadOnlyList<double> replicates, double confidence)
    {
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence));
        var valid = replicates.Where(v => !double.IsNaN(v)).ToArray();
        if (valid.Length == 0) return new BootstrapInterval(estimate, double.NaN, double.NaN, double.NaN, 0, replicates.Count);
        Array.Sort(valid);
        var alpha = (1 - confidence) / 2;
        var mean = valid.Average();
        var se = valid.Length > 1 ? Math.Sqrt(valid.Sum(v => (v - mean) * (v - mean)) / (valid.Length - 1)) : double.NaN;
        return new BootstrapInterval(estimate, SegmentationMetrics.PercentileSorted(valid, 100 * alpha),
            SegmentationMetrics.PercentileSorted(valid, 100 * (1 - alpha)), se, valid.Length, replicates.Count);
    }

    /// <summary>Case indices grouped by stratum key, strata in ascending key order, cases in index order.</summary>
    internal static int[][] Groups(int cases, IReadOnlyList<int>? strata)
    {
        if (strata is null) return [Enumerable.Range(0, cases).ToArray()];
        return Enumerable.Range(0, cases).GroupBy(i => strata[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }
}

/// <summary>
/// SplitMix64 (Steele, Lea &amp; Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): a small,
/// fast generator whose output here is fixed by this code alone, so seeded results never change with the runtime.
/// </summary>
public struct SplitMix64(ulong seed)
{
    ulong state = seed;

    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>A uniform integer in [0, n) by Lemire's multiply-shift (bias below n/2⁶⁴).</summary>
    public int Below(int n) => (int)Math.BigMul(Next(), (ulong)n, out _);

    /// <summary>A uniform double in [0, 1) (53 random bits).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 output function (a bijective 64-bit mix).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
