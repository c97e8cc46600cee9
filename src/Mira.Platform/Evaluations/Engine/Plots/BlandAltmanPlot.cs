namespace Mira.Platform.Evaluations.Engine.Plots;

/// <summary>Bland–Altman plot of volumes: difference (predicted − reference) against the mean of the two, with the bias and the limits of agreement.</summary>
static class BlandAltmanPlot
{
    public static string Render(string structure, BlandAltmanResult b)
    {
        var (xlo, xhi) = SvgPlot.Range(b.Points.Select(p => p.Mean), includeZero: true);
        var (ylo, yhi) = SvgPlot.Range(b.Points.Select(p => p.Difference).Concat([b.LowerLimit, b.UpperLimit]), includeZero: true);
        var plot = new SvgPlot(480, 400, xlo, xhi, ylo, yhi);
        plot.Axes($"{structure}: volume agreement (bias {SvgPlot.Label(b.MeanDifference)} mL)", "mean of predicted and reference (mL)", "predicted − reference (mL)");
        plot.Line(xlo, 0, xhi, 0, "#ccc");
        if (double.IsFinite(b.MeanDifference)) plot.Line(xlo, b.MeanDifference, xhi, b.MeanDifference, "#1f5fa8");
        foreach (var (limit, name) in new[] { (b.LowerLimit, "−1.96 SD"), (b.UpperLimit, "+1.96 SD") })
            if (double.IsFinite(limit))
            {
                plot.Line(xlo, limit, xhi, limit, "#c0392b", "5 4");
                plot.Text(xhi, limit, $"{name} {SvgPlot.Label(limit)}", "end", -4, 10);
            }
        foreach (var p in b.Points) plot.Dot(p.Mean, p.Difference, "#1f5fa8", $"{p.CaseId}: mean {SvgPlot.Label(p.Mean)} mL, difference {SvgPlot.Label(p.Difference)} mL");
        return plot.ToSvg($"Bland-Altman plot of {structure} volumes");
    }
}
