using System.Text;
using System.Text.Json;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// A <see cref="TrainingProfile"/> as JSON (camelCase, indented, keys in ordinal order): <c>format</c>
/// (<c>mira-ood-profile</c>), <c>version</c> (1), <c>source</c>, and <c>modalities</c> → per modality <c>series</c>,
/// <c>histogramSpec</c> {low, high, bins, unit}, <c>meanHistogram</c>, <c>histogramDistance</c>, <c>numeric</c> →
/// {series, min, max, p05, median, p95}, <c>categorical</c> → values. Reading checks the format, the version and every
/// value, and refuses with the path of what is wrong; a profile of another version is recomputed from its release.
/// </summary>
public static class TrainingProfileJson
{
    /// <summary>A profile larger than this is refused before it is parsed.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    static readonly JsonSerializerOptions options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        MaxDepth = 16,
    };

    public static string ToJson(TrainingProfile profile) => JsonSerializer.Serialize(profile, options);

    public static TrainingProfile FromJson(string json)
    {
        if (Encoding.UTF8.GetByteCount(json) > MaxBytes) throw new OodException($"training profile: larger than {MaxBytes} bytes");
        TrainingProfile? profile;
        try { profile = JsonSerializer.Deserialize<TrainingProfile>(json, options); }
        catch (JsonException e) { throw new OodException($"training profile: not a profile ({e.Path}: {e.Message})", e); }
        if (profile is null) throw new OodException("training profile: null");
        Validate(profile);
        return profile;
    }

    static void Validate(TrainingProfile p)
    {
        if (p.Format != TrainingProfile.FormatName) throw new OodException($"training profile: format '{p.Format}' is not '{TrainingProfile.FormatName}'");
        if (p.Version != TrainingProfile.CurrentVersion)
            throw new OodException($"training profile: version {p.Version} is not read by this Mira (version {TrainingProfile.CurrentVersion}); recompute it from {p.Source}");
        if (p.Modalities is not { Count: > 0 }) throw new OodException("training profile: $.modalities is empty");
        foreach (var (modality, m) in p.Modalities)
        {
            var at = $"training profile: $.modalities.{modality}";
            if (m is null || m.HistogramSpec is null || m.MeanHistogram is null || m.HistogramDistance is null || m.Numeric is null || m.Categorical is null)
                throw new OodException($"{at}: a member is missing");
            if (m.Series < 1) throw new OodException($"{at}.series: {m.Series}");
            m.HistogramSpec.Validate($"{at}.histogramSpec");
            if (m.MeanHistogram.Count != m.HistogramSpec.Bins) throw new OodException($"{at}.meanHistogram: {m.MeanHistogram.Count} bins, the spec says {m.HistogramSpec.Bins}");
            if (m.MeanHistogram.Any(v => !double.IsFinite(v) || v < 0) || Math.Abs(m.MeanHistogram.Sum() - 1) > 1e-6)
                throw new OodException($"{at}.meanHistogram: not a normalised histogram (finite, non-negative, summing to 1)");
            CheckRange($"{at}.histogramDistance", m.HistogramDistance);
            foreach (var (name, r) in m.Numeric) CheckRange($"{at}.numeric.{name}", r);
            foreach (var (name, values) in m.Categorical)
                if (values is null || values.Any(string.IsNullOrEmpty)) throw new OodException($"{at}.categorical.{name}: an empty value");
        }
    }

    static void CheckRange(string at, NumericRange? r)
    {
        if (r is null) throw new OodException($"{at}: missing");
        double[] all = [r.Min, r.Max, r.P05, r.Median, r.P95];
        if (all.Any(v => !double.IsFinite(v)) || r.Min > r.Max || r.Series < 1)
            throw new OodException($"{at}: not a range (finite min ≤ max over at least one series)");
    }
}
