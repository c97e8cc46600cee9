using System.Globalization;
using System.Text.Json;
using Mira.Dicom.IO;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// Scores one series against a <see cref="TrainingProfile"/> (docs/deployment.md, "Out-of-distribution guard"). Each
/// parameter gives a component score cᵢ ∈ [0, 1]:
/// <list type="bullet">
/// <item>numeric (acquisition, geometry): with the training range [lo, hi] (min–max, or 5th–95th percentile) and the
/// series' values [a, b], the excess e = max(0, lo − a, b − hi) and cᵢ = min(1, e / s), s = hi − lo, or where every
/// training series held one value, s = 10 % of it;</item>
/// <item>categorical (manufacturer, model, kernel): cᵢ = 1 for a value no training series held, else 0;</item>
/// <item>histogram: the Jensen–Shannon distance d (base 2) of the series' histogram to the training mean, the allowed
/// distance t = max(the largest training series' distance, 0.1), cᵢ = min(1, max(0, d − t) / t);</item>
/// <item>modality: a modality the profile does not have scores 1 and nothing else is compared.</item>
/// </list>
/// The score is max cᵢ — the worst single deviation, so that one unseen scanner is not averaged away by a dozen
/// matching parameters — and the series is outside the validated range when the score is above the threshold
/// (default 0.25). Deterministic: the same features and profile give the same result.
/// </summary>
public static class OodScorer
{
    /// <summary>
    /// Reads one series' instances (in any order; <c>Label</c> names each in errors) on the profile's bins and scores
    /// it: what a deployment calls for each image series of an arriving study.
    /// </summary>
    public static OodResult Score(TrainingProfile profile, IEnumerable<(DicomFile File, string Label)> instances, OodOptions? options = null)
    {
        var reader = SeriesFeatureReader.For(profile);
        foreach (var (file, label) in instances) reader.Add(file, label);
        return Score(profile, reader.Finish(), options);
    }

    /// <summary>The result as JSON (camelCase, indented) to record beside the model's result.</summary>
    public static string ToJson(OodResult result) => JsonSerializer.Serialize(result, json);

    static readonly JsonSerializerOptions json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static OodResult Score(TrainingProfile profile, AcquisitionFeatures series, OodOptions? options = null)
    {
        options ??= OodOptions.Default;
        options.Validate();
        if (!profile.Modalities.TryGetValue(series.Modality, out var m))
        {
            var known = string.Join(", ", profile.Modalities.Keys);
            var reason = $"modality '{series.Modality}' was not in the training release ({known})";
            return new OodResult(series.SeriesInstanceUid, series.Modality, profile.Source, 1, options.Threshold, 1 > options.Threshold,
                [new OodComponent("modality", "categorical", 1, series.Modality, known, reason)], [reason], [], null, null);
        }
        var components = new List<OodComponent>();
        var notCompared = new List<string>();
        foreach (var name in m.Numeric.Keys.Union(series.Numeric.Keys).Order(StringComparer.Ordinal))
        {
            if (options.Ignored.Contains(name)) continue;
            var label = OodParameters.Of(name).Label;
            if (!m.Numeric.TryGetValue(name, out var range)) notCompared.Add($"{label}: the training release does not record it");
            else if (!series.Numeric.TryGetValue(name, out var value)) notCompared.Add($"{label}: the series does not record it");
            else components.Add(Numeric(name, value, range, options));
        }
        foreach (var name in m.Categorical.Keys.Union(series.Categorical.Keys).Order(StringComparer.Ordinal))
        {
            if (options.Ignored.Contains(name)) continue;
            var label = OodParameters.Of(name).Label;
            if (!m.Categorical.TryGetValue(name, out var seen)) notCompared.Add($"{label}: the training release does not record it");
            else if (!series.Categorical.TryGetValue(name, out var values)) notCompared.Add($"{label}: the series does not record it");
            else components.Add(Categorical(name, values, seen));
        }
        double? js = null, w1 = null;
        if (!options.Ignored.Contains(OodParameters.HistogramDistance))
        {
            if (series.HistogramSpec != m.HistogramSpec)
                throw new OodException($"series {series.SeriesInstanceUid} was binned with {series.HistogramSpec}, the profile's {series.Modality} histogram with {m.HistogramSpec}: read it with the profile's spec");
            if (series.Histogram is null) notCompared.Add("intensity histogram: the series has no greyscale image");
            else
            {
                js = HistogramDistance.JensenShannon(series.Histogram, m.MeanHistogram);
                w1 = HistogramDistance.Wasserstein1(series.Histogram, m.MeanHistogram, m.HistogramSpec);
                components.Add(Histogram(js.Value, w1.Value, m, options));
            }
        }
        var score = components.Count == 0 ? 0 : components.Max(c => c.Score);
        var reasons = components.Where(c => c.Reason is not null).OrderByDescending(c => c.Score).ThenBy(c => c.Parameter, StringComparer.Ordinal)
            .Select(c => c.Reason!).ToList();
        return new OodResult(series.SeriesInstanceUid, series.Modality, profile.Source, score, options.Threshold, score > options.Threshold,
            components, reasons, notCompared, js, w1);
    }

    static OodComponent Numeric(string name, NumericValue value, NumericRange range, OodOptions options)
    {
        var p = OodParameters.Of(name);
        var (lo, hi) = options.UsePercentileRange ? (range.P05, range.P95) : (range.Min, range.Max);
        var excess = Math.Max(0, Math.Max(lo - value.Min, value.Max - hi));
        if (excess <= 1e-9 * Math.Max(1, Math.Abs(hi))) excess = 0; // decimal strings parsed alike are equal; rounding is not a deviation
        var scale = hi - lo > 0 ? hi - lo : options.RelativeScaleOfFixedValues * Math.Max(Math.Abs(hi), 1e-6);
        var score = Math.Min(1, excess / scale);
        var text = OodParameters.FormatRange(value.Min, value.Max, p.Unit);
        var training = OodParameters.FormatRange(lo, hi, p.Unit);
        var reason = excess > 0 ? $"{p.Label} {text} is outside the training range {training}" : null;
        return new OodComponent(name, "numeric", score, text, training, reason);
    }

    static OodComponent Categorical(string name, IReadOnlyList<string> values, IReadOnlyList<string> seen)
    {
        var p = OodParameters.Of(name);
        var unseen = values.Where(v => !seen.Contains(v, StringComparer.Ordinal)).ToList();
        var training = string.Join(", ", seen.Take(5).Select(s => $"'{s}'")) + (seen.Count > 5 ? $" and {seen.Count - 5} more" : "");
        var reason = unseen.Count == 0 ? null
            : $"{p.Label} {string.Join(", ", unseen.Select(v => $"'{v}'"))} {(unseen.Count == 1 ? "was" : "were")} not in the training release ({training})";
        return new OodComponent(name, "categorical", unseen.Count == 0 ? 0 : 1, string.Join(", ", values), training, reason);
    }

    static OodComponent Histogram(double js, double w1, ModalityProfile m, OodOptions options)
    {
        var trained = options.UsePercentileRange ? m.HistogramDistance.P95 : m.HistogramDistance.Max;
        var allowed = Math.Max(trained, options.HistogramDistanceLimit);
        var score = js <= allowed ? 0 : Math.Min(1, (js - allowed) / allowed);
        var unit = m.HistogramSpec.Unit;
        var reason = score > 0
            ? string.Create(CultureInfo.InvariantCulture,
                $"intensity histogram distance {js:0.00} > {allowed:0.00} (Jensen–Shannon to the training mean; intensities moved by about {w1:0}{(unit.Length > 0 ? " " + unit : "")})")
            : null;
        return new OodComponent(OodParameters.HistogramDistance, "histogram", score, js.ToString("0.000", CultureInfo.InvariantCulture),
            "≤ " + allowed.ToString("0.000", CultureInfo.InvariantCulture), reason);
    }
}
