namespace Mira.Platform.Evaluations.Engine.Plots;

/// <summary>A forest plot of one subgroup field: each group's value with its interval, the overall value as a vertical line.</summary>
static class ForestPlot
{
    public static string Render(SubgroupSummary g)
    {
        var rows = g.Rows;
        var (lo, hi) = SvgPlot.Range(rows.SelectMany(r => new[] { r.Value.Estimate, r.Value.Lower, r.Value.Upper }));
        var height = 90 + 26 * rows.Count;
        // y runs over row slots: row i at y = rows − i (top to bottom).
        var plot = new SvgPlot(560, height, lo, hi, 0, rows.Count + 1);
        plot.Axes($"{g.Metric} by {g.Field} (resampling {g.Resampling})", g.Metric, "", ticks: 4, yTicks: false);
        var overall = rows[0].Value.Estimate;
        if (double.IsFinite(overall)) plot.Line(overall, 0, overall, rows.Count + 1, "#999", "3 3");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var y = rows.Count - i;
            if (double.IsFinite(r.Value.Lower) && double.IsFinite(r.Value.Upper)) plot.Line(r.Value.Lower, y, r.Value.Upper, y, "#1f5fa8", strokeWidth: 2);
            plot.Dot(r.Value.Estimate, y, i == 0 ? "#000" : "#1f5fa8",
                $"{r.Group}: {SvgPlot.Label(r.Value.Estimate)} [{SvgPlot.Label(r.Value.Lower)}, {SvgPlot.Label(r.Value.Upper)}], gap {SvgPlot.Label(r.Gap.Estimate)}", 4.5);
            plot.TextAt(plot.X(lo) + 4, plot.Y(y) - 7, $"{r.Group} (n={r.Cases})", size: 10);
        }
        return plot.ToSvg($"forest plot of {g.Metric} by {g.Field}");
    }
}
