using System.Globalization;
using System.Net;
using System.Text;

namespace Mira.Platform.Evaluations.Engine.Plots;

/// <summary>
/// A small hand-written SVG canvas with linear x and y axes: well-formed XML (every value escaped), no script, no
/// external resource, numbers in invariant culture, so a plot is the same bytes for the same data.
/// </summary>
sealed class SvgPlot
{
    const double Left = 64, Right = 20, Top = 34, Bottom = 48;
    readonly StringBuilder body = new();
    readonly double width, height, x0, x1, y0, y1;

    public SvgPlot(double width, double height, double x0, double x1, double y0, double y1)
    {
        if (!(x1 > x0)) (x0, x1) = (x0 - 0.5, x0 + 0.5);
        if (!(y1 > y0)) (y0, y1) = (y0 - 0.5, y0 + 0.5);
        (this.width, this.height, this.x0, this.x1, this.y0, this.y1) = (width, height, x0, x1, y0, y1);
    }

    public double X(double v) => Left + (v - x0) / (x1 - x0) * (width - Left - Right);
    public double Y(double v) => height - Bottom - (v - y0) / (y1 - y0) * (height - Top - Bottom);

    public static string N(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
    public static string Label(double v) => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : "–";
    public static string Escape(string s) => WebUtility.HtmlEncode(s);

    public void Axes(string title, string xLabel, string yLabel, int ticks = 5, bool yTicks = true)
    {
        body.Append($"<text x=\"{N(width / 2)}\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">{Escape(title)}</text>");
        body.Append($"<rect x=\"{N(Left)}\" y=\"{N(Top)}\" width=\"{N(width - Left - Right)}\" height=\"{N(height - Top - Bottom)}\" fill=\"none\" stroke=\"#888\"/>");
        foreach (var (xv, text) in Ticks(x0, x1, ticks))
            body.Append($"<text x=\"{N(X(xv))}\" y=\"{N(height - Bottom + 16)}\" text-anchor=\"middle\" font-size=\"11\">{Escape(text)}</text>");
        if (yTicks)
            foreach (var (yv, text) in Ticks(y0, y1, ticks))
                body.Append($"<text x=\"{N(Left - 6)}\" y=\"{N(Y(yv) + 4)}\" text-anchor=\"end\" font-size=\"11\">{Escape(text)}</text>");
        body.Append($"<text x=\"{N(Left + (width - Left - Right) / 2)}\" y=\"{N(height - 8)}\" text-anchor=\"middle\" font-size=\"12\">{Escape(xLabel)}</text>");
        body.Append($"<text transform=\"translate(14,{N(Top + (height - Top - Bottom) / 2)}) rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">{Escape(yLabel)}</text>");
    }

    /// <summary>
    /// Tick positions at a "nice" step (1, 2 or 5 × 10ᵏ, about <paramref name="count"/> of them) inside [lo, hi],
    /// labelled with as many decimals as the step needs.
    /// </summary>
    internal static IReadOnlyList<(double Value, string Text)> Ticks(double lo, double hi, int count)
    {
        var raw = (hi - lo) / Math.Max(1, count);
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        var decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        var ticks = new List<(double, string)>();
        for (var k = Math.Ceiling(lo / step - 1e-9); k * step <= hi + step * 1e-9 && ticks.Count < 50; k++)
        {
            var v = k * step;
            if (Math.Abs(v) < step * 1e-9) v = 0;
            ticks.Add((v, v.ToString("F" + decimals, CultureInfo.InvariantCulture)));
        }
        return ticks;
    }

    public void Line(double xa, double ya, double xb, double yb, string stroke, string? dash = null, double strokeWidth = 1) =>
        body.Append($"<line x1=\"{N(X(xa))}\" y1=\"{N(Y(ya))}\" x2=\"{N(X(xb))}\" y2=\"{N(Y(yb))}\" stroke=\"{stroke}\" stroke-width=\"{N(strokeWidth)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}/>");

    public void Polyline(IEnumerable<(double X, double Y)> points, string stroke)
    {
        var pts = string.Join(' ', points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => $"{N(X(p.X))},{N(Y(p.Y))}"));
        if (pts.Length > 0) body.Append($"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"/>");
    }

    public void Dot(double x, double y, string fill, string? tooltip = null, double r = 3.5)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y)) return;
        body.Append($"<circle cx=\"{N(X(x))}\" cy=\"{N(Y(y))}\" r=\"{N(r)}\" fill=\"{fill}\">");
        if (tooltip is not null) body.Append($"<title>{Escape(tooltip)}</title>");
        body.Append("</circle>");
    }

    /// <summary>Text at a data position (<paramref name="dx"/> pixels to the right).</summary>
    public void Text(double x, double y, string text, string anchor = "start", double dx = 0, int size = 11) =>
        body.Append($"<text x=\"{N(X(x) + dx)}\" y=\"{N(Y(y) + 4)}\" text-anchor=\"{anchor}\" font-size=\"{size}\">{Escape(text)}</text>");

    /// <summary>Text at a pixel position.</summary>
    public void TextAt(double px, double py, string text, string anchor = "start", int size = 11) =>
        body.Append($"<text x=\"{N(px)}\" y=\"{N(py)}\" text-anchor=\"{anchor}\" font-size=\"{size}\">{Escape(text)}</text>");

    public string ToSvg(string ariaLabel) =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" role=\"img\" aria-label=\"{Escape(ariaLabel)}\" font-family=\"sans-serif\">{body}</svg>";

    /// <summary>A range holding every finite value with 5% room; (0, 1) when there is none.</summary>
    public static (double Min, double Max) Range(IEnumerable<double> values, bool includeZero = false)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return (0, 1);
        double lo = v.Min(), hi = v.Max();
        if (includeZero) (lo, hi) = (Math.Min(lo, 0), Math.Max(hi, 0));
        var pad = hi > lo ? (hi - lo) * 0.05 : Math.Max(Math.Abs(hi) * 0.1, 0.5);
        return (lo - pad, hi + pad);
    }
}
