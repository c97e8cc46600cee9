using System.Globalization;

namespace Mira.Imaging.Presentation;

/// <summary>VOI LUT Function (0028,1056): how Window Center and Width map values (PS3.3 §C.11.2.1.3).</summary>
public enum VoiFunction
{
    /// <summary>LINEAR (the default): PS3.3 §C.11.2.1.2.1.</summary>
    Linear,
    /// <summary>LINEAR_EXACT: PS3.3 §C.11.2.1.3.2.</summary>
    LinearExact,
    /// <summary>SIGMOID: PS3.3 §C.11.2.1.3.1.</summary>
    Sigmoid,
}

/// <summary>A window: Window Center (0028,1050), Window Width (0028,1051) and VOI LUT Function (0028,1056).</summary>
public sealed record VoiWindow(double Center, double Width, VoiFunction Function = VoiFunction.Linear)
{
    /// <summary>
    /// Maps <paramref name="x"/> (a Modality LUT output value) into [<paramref name="yMin"/>, <paramref name="yMax"/>]
    /// with the formulas of PS3.3 §C.11.2.1.2.1 (LINEAR), §C.11.2.1.3.2 (LINEAR_EXACT) and §C.11.2.1.3.1 (SIGMOID).
    /// </summary>
    public double Apply(double x, double yMin, double yMax)
    {
        double c = Center, w = Width, range = yMax - yMin;
        switch (Function)
        {
            case VoiFunction.Linear:
                // Width 1 leaves no ramp: a threshold at c − 0.5.
                if (x <= c - 0.5 - (w - 1) / 2) return yMin;
                if (x > c - 0.5 + (w - 1) / 2) return yMax;
                return w <= 1 ? yMax : ((x - (c - 0.5)) / (w - 1) + 0.5) * range + yMin;
            case VoiFunction.LinearExact:
                if (x <= c - w / 2) return yMin;
                if (x > c + w / 2) return yMax;
                return ((x - c) / w + 0.5) * range + yMin;
            default:
                return range / (1 + Math.Exp(-4 * (x - c) / w)) + yMin;
        }
    }

    /// <summary>Whether the width is allowed for the function: ≥ 1 for LINEAR, &gt; 0 otherwise (PS3.3 §C.11.2.1.2).</summary>
    public bool IsValid => double.IsFinite(Center) && double.IsFinite(Width) && (Function == VoiFunction.Linear ? Width >= 1 : Width > 0);

    /// <summary>
    /// A VOI LUT Function value: the DICOM code strings (LINEAR, LINEAR_EXACT, SIGMOID) or the rendering query
    /// parameter spellings of PS3.18 §8.3.5.1.5 (linear, linear-exact, sigmoid), any case. Null when unknown.
    /// </summary>
    public static VoiFunction? ParseFunction(string? text) => text?.Trim().ToUpperInvariant().Replace('-', '_') switch
    {
        null or "" or "LINEAR" => VoiFunction.Linear,
        "LINEAR_EXACT" => VoiFunction.LinearExact,
        "SIGMOID" => VoiFunction.Sigmoid,
        _ => null,
    };

    /// <summary>
    /// Parses <c>center,width[,function]</c> (PS3.18 §8.3.5.1.5 <c>window=</c>, and the CLI's <c>--window</c>).
    /// Returns null and a reason when malformed.
    /// </summary>
    public static VoiWindow? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split(',');
        if (parts.Length is < 2 or > 3
            || !double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var c)
            || !double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
        {
            error = $"'{text}' is not a window: expected center,width[,function], e.g. 40,400 or 40,400,linear";
            return null;
        }
        var f = parts.Length == 3 ? ParseFunction(parts[2]) : VoiFunction.Linear;
        if (f is null)
        {
            error = $"'{parts[2].Trim()}' is not a window function: expected linear, linear-exact or sigmoid";
            return null;
        }
        var window = new VoiWindow(c, w, f.Value);
        if (!window.IsValid)
        {
            error = $"window width {parts[1].Trim()} is too small: at least 1 for linear, above 0 for linear-exact and sigmoid (PS3.3 §C.11.2.1.2)";
            return null;
        }
        return window;
    }

    public override string ToString() =>
        FormattableString.Invariant($"{Center},{Width},{Function switch { VoiFunction.LinearExact => "linear-exact", VoiFunction.Sigmoid => "sigmoid", _ => "linear" }}");
}
