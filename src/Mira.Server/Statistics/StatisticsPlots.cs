using Mira.Platform.Statistics;
using ScottPlot;

namespace Mira.Server.Statistics;

/// <summary>
/// The statistics page's plots, drawn on the server with ScottPlot 5 as SVG (Skia's SVG canvas: labels are XML-escaped
/// <c>&lt;text&gt;</c>, so the browser draws them with its own fonts). Bars of studies per value; the project plot
/// sets instances copied beside annotation tasks completed.
/// </summary>
public static class StatisticsPlots
{
    public const int Width = 720, Height = 360;

    /// <summary>The plot names of <c>GET /statistics/plots/{name}.svg</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["modality", "site", "source", "month", "domain", "projects"];

    /// <summary>The plot's SVG document, or null for an unknown name.</summary>
    public static string? Render(string name, IntakeStatistics s) => name switch
    {
        "modality" => Bars("Studies per modality", "studies", s.ByModality.Select(b => (b.Key, (double)b.Studies))),
        "site" => Bars("Studies per site (Institution Name)", "studies", s.BySite.Select(b => (b.Key, (double)b.Studies))),
        "source" => Bars("Studies per intake route", "studies", s.BySource.Select(b => (b.Key, (double)b.Studies))),
        "month" => Bars("Studies per month (Study Date)", "studies", s.ByMonth.Select(b => (b.Key, (double)b.Studies))),
        "domain" => Bars("Studies copied into projects, per disease domain", "studies", s.ByDomain.Select(b => (b.Key, (double)b.Studies))),
        "projects" => Progress(s.Projects),
        _ => null,
    };

    static string Bars(string title, string unit, IEnumerable<(string Label, double Value)> values)
    {
        var items = values.ToList();
        var plot = NewPlot(title, unit);
        if (items.Count == 0) return Empty(plot);
        var bars = plot.Add.Bars(items.Select(i => i.Value).ToArray());
        bars.Color = Colors.SteelBlue;
        bars.ValueLabelStyle.FontSize = 11;
        foreach (var bar in bars.Bars) bar.Label = bar.Value.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        Categories(plot, items.Select((i, k) => ((double)k, i.Label)));
        return plot.GetSvgXml(Width, Height);
    }

    static string Progress(IReadOnlyList<ProjectProgress> projects)
    {
        var plot = NewPlot("Projects: instances copied and annotation tasks completed", "count");
        if (projects.Count == 0) return Empty(plot);
        var bars = new List<Bar>();
        for (var k = 0; k < projects.Count; k++)
        {
            bars.Add(new Bar { Position = 3 * k, Value = projects[k].Instances, FillColor = Colors.SteelBlue, Label = projects[k].Instances.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            bars.Add(new Bar { Position = 3 * k + 1, Value = projects[k].AnnotationTasksCompleted, FillColor = Colors.DarkOrange,
                Label = projects[k].AnnotationTasksCompleted.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        plot.Add.Bars(bars);
        Categories(plot, projects.Select((p, k) => (3.0 * k + 0.5, p.Id)));
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "instances copied", FillColor = Colors.SteelBlue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "annotation tasks completed", FillColor = Colors.DarkOrange });
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetSvgXml(Width, Height);
    }

    static Plot NewPlot(string title, string unit)
    {
        var plot = new Plot();
        plot.Title(title, size: 14);
        plot.YLabel(unit, size: 12);
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return plot;
    }

    static void Categories(Plot plot, IEnumerable<(double Position, string Label)> ticks)
    {
        var list = ticks.ToList();
        plot.Axes.Bottom.SetTicks([.. list.Select(t => t.Position)], [.. list.Select(t => Shorten(t.Label))]);
        if (list.Count > 6 || list.Any(t => t.Label.Length > 12))
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        }
        plot.HideGrid();
    }

    static string Empty(Plot plot)
    {
        plot.Add.Annotation("no data yet", Alignment.MiddleCenter);
        return plot.GetSvgXml(Width, Height);
    }

    static string Shorten(string label) => label.Length <= 28 ? label : label[..27] + "…";
}
