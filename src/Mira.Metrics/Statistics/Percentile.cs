namespace Mira.Metrics.Statistics;

/// <summary>Percentiles with numpy's default (linear) method.</summary>
public static class Percentile
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile of <paramref name="values"/> (any order; NaN values ignored), by
    /// linear interpolation between order statistics as <c>np.percentile</c> does by default. NaN when no value is left.
    /// </summary>
    public static double Of(IEnumerable<double> values, double percent)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).ToArray();
        if (sorted.Length == 0) return double.NaN;
        Array.Sort(sorted);
        return SegmentationMetrics.PercentileSorted(sorted, percent);
    }
}
