namespace Mira.Platform.Evaluations.Engine.Plots;

/// <summary>The empirical ROC curve with the chance diagonal and the operating points.</summary>
static class RocPlot
{
    public static string Render(string title, BinaryScoreSummary b)
    {
        var plot = new SvgPlot(420, 400, 0, 1, 0, 1);
        plot.Axes($"{title} (AUC {SvgPlot.Label(b.Auc.Estimate)} [{SvgPlot.Label(b.Auc.Lower)}, {SvgPlot.Label(b.Auc.Upper)}])",
            "1 − specificity (false-positive rate)", "sensitivity (true-positive rate)");
        plot.Line(0, 0, 1, 1, "#bbb", "4 4");
        plot.Polyline(b.Curve.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)).Append((1.0, 1.0)), "#1f5fa8");
        foreach (var op in b.OperatingPoints)
            plot.Dot(1 - op.Specificity.Value, op.Sensitivity.Value, "#c0392b",
                $"threshold {SvgPlot.Label(op.Threshold)}: sensitivity {SvgPlot.Label(op.Sensitivity.Value)}, specificity {SvgPlot.Label(op.Specificity.Value)}", 5);
        return plot.ToSvg("ROC curve");
    }
}
