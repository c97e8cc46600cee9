namespace Mira.Metrics.Statistics;

/// <summary>A metric in one subgroup, with its bootstrap interval and its gap to the overall figure.</summary>
/// <param name="Group">the subgroup's value (e.g. a site name); "(all)" for the overall row.</param>
/// <param name="Cases">cases in the subgroup.</param>
/// <param name="Value">the metric with its percentile interval.</param>
/// <param name="Gap">subgroup − overall, with the percentile interval of that difference over the same replicates.</param>
public sealed record SubgroupResult(string Group, int Cases, BootstrapInterval Value, BootstrapInterval Gap);

/// <summary>
/// Any metric per subgroup (site, sex, age band, manufacturer…), with a bootstrap interval for each subgroup and for
/// its gap to the overall figure.
/// </summary>
/// <remarks>
/// One stratified bootstrap serves all rows: resampling is stratified by subgroup (and by the extra
/// <c>strata</c>, e.g. the label, when given), so every replicate keeps each subgroup's size; in a replicate the
/// overall metric is computed on all resampled cases and each subgroup's on its own resampled cases, and the gap's
/// interval is the percentile interval of (subgroup − overall) across replicates, which accounts for the subgroup
/// being part of the whole.
/// </remarks>
public static class Subgroups
{
    public const string Overall = "(all)";

    /// <summary>
    /// Evaluates <paramref name="metric"/> (given case indices) overall and per distinct value of
    /// <paramref name="groups"/> (ordinal order). The first row is the overall figure (its gap is 0). With
    /// <paramref name="clusters"/> the bootstrap resamples clusters (each within one subgroup and stratum).
    /// </summary>
    public static IReadOnlyList<SubgroupResult> Evaluate(IReadOnlyList<string> groups, IReadOnlyList<int>? strata, Func<int[], double> metric,
        BootstrapOptions? options = null, IReadOnlyList<int>? clusters = null)
    {
        options ??= BootstrapOptions.Default;
        var n = groups.Count;
        if (strata is not null && strata.Count != n) throw new ArgumentException($"{strata.Count} stratum keys for {n} cases");
        var names = groups.Distinct().OrderBy(g => g, StringComparer.Ordinal).ToArray();
        var groupOf = groups.Select(g => Array.BinarySearch(names, g, StringComparer.Ordinal)).ToArray();
        // Stratum key combines subgroup and the caller's stratum.
        var extra = strata?.Distinct().OrderBy(s => s).ToArray() ?? [0];
        var keys = new int[n];
        for (var i = 0; i < n; i++) keys[i] = groupOf[i] * extra.Length + (strata is null ? 0 : Array.BinarySearch(extra, strata[i]));

        double[] All(int[] idx)
        {
            var values = new double[names.Length + 1];
            values[0] = metric(idx);
            var per = new List<int>[names.Length];
            for (var g = 0; g < names.Length; g++) per[g] = [];
            foreach (var i in idx) per[groupOf[i]].Add(i);
            for (var g = 0; g < names.Length; g++) values[g + 1] = per[g].Count == 0 ? double.NaN : metric([.. per[g]]);
            return values;
        }

        var full = All(Enumerable.Range(0, n).ToArray());
        var reps = Bootstrap.Replicates(n, keys, All, options, clusters);
        var rows = new List<SubgroupResult>();
        for (var s = 0; s <= names.Length; s++)
        {
            var values = reps.Select(r => r[s]).ToArray();
            var gaps = reps.Select(r => r[s] - r[0]).ToArray();
            rows.Add(new SubgroupResult(s == 0 ? Overall : names[s - 1], s == 0 ? n : groupOf.Count(g => g == s - 1),
                Bootstrap.Summarise(full[s], values, options.Confidence),
                Bootstrap.Summarise(full[s] - full[0], gaps, options.Confidence)));
        }
        return rows;
    }
}
