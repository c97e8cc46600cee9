namespace Mira.Platform.Evaluations.Engine.Plots;

/// <summary>The reliability diagram: observed fraction against mean predicted probability per bin, with the diagonal of perfect calibration.</summary>
static class ReliabilityPlot
{
    public static string Render(string title, CalibrationSummary c)
    {
        var plot = new SvgPlot(420, 400, 0, 1, 0, 1);
        plot.Axes($"{title} (ECE {SvgPlot.Label(c.ExpectedCalibrationError)}, Brier {SvgPlot.Label(c.Brier)})", "mean predicted probability", "observed fraction");
        plot.Line(0, 0, 1, 1, "#bbb", "4 4");
        plot.Polyline(c.Reliability.Select(b => (b.MeanPredicted, b.ObservedFraction)), "#1f5fa8");
        foreach (var b in c.Reliability)
            plot.Dot(b.MeanPredicted, b.ObservedFraction, "#1f5fa8",
                $"bin ({SvgPlot.Label(b.Lower)}, {SvgPlot.Label(b.Upper)}]: {b.Count} samples, predicted {SvgPlot.Label(b.MeanPredicted)}, observed {SvgPlot.Label(b.ObservedFraction)}");
        return plot.ToSvg("reliability diagram");
    }
}
