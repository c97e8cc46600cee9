using System.Text.Json.Serialization;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// A parameter over the training series: the smallest and largest value any series held, and robust percentiles
/// (5th, 50th, 95th; linear interpolation between order statistics, NumPy's default) of the series' middle values.
/// </summary>
public sealed record NumericRange(int Series, double Min, double Max, double P05, double Median, double P95)
{
    [JsonIgnore] public double Width => Max - Min;

    public static NumericRange Of(IReadOnlyList<NumericValue> values)
    {
        if (values.Count == 0) throw new OodException("a range of no values");
        var mids = values.Select(v => v.Mid).Order().ToList();
        return new NumericRange(values.Count, values.Min(v => v.Min), values.Max(v => v.Max), Percentile(mids, 0.05), Percentile(mids, 0.5), Percentile(mids, 0.95));
    }

    /// <summary>The <paramref name="q"/> quantile of ascending <paramref name="sorted"/> values (NumPy's "linear" method).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>
/// What the training release showed of one modality: its series count, the histogram spec and the mean of the series'
/// normalised histograms, the range of the series' Jensen–Shannon distances to that mean, the range of every numeric
/// parameter some series held, and every categorical value seen.
/// </summary>
public sealed record ModalityProfile(
    int Series, HistogramSpec HistogramSpec, IReadOnlyList<double> MeanHistogram, NumericRange HistogramDistance,
    IReadOnlyDictionary<string, NumericRange> Numeric, IReadOnlyDictionary<string, IReadOnlyList<string>> Categorical);

/// <summary>
/// The training profile of a model: per modality what its training release's series looked like
/// (<see cref="ModalityProfile"/>). It is a pure function of the series' features (the same release gives the same
/// profile, byte for byte in JSON, <see cref="TrainingProfileJson"/>), versioned, stored beside a model and recomputed
/// from the release when the version changes. <see cref="Source"/> says what it was made from (e.g.
/// <c>release:&lt;id&gt;</c>).
/// </summary>
public sealed record TrainingProfile(string Format, int Version, string Source, IReadOnlyDictionary<string, ModalityProfile> Modalities)
{
    public const string FormatName = "mira-ood-profile";
    public const int CurrentVersion = 1;

    /// <summary>The profile of <paramref name="series"/> (at least one); every series of a modality must use the same histogram spec.</summary>
    public static TrainingProfile Build(IEnumerable<AcquisitionFeatures> series, string source)
    {
        var modalities = new SortedDictionary<string, ModalityProfile>(StringComparer.Ordinal);
        foreach (var group in series.GroupBy(s => s.Modality, StringComparer.Ordinal))
            modalities[group.Key] = BuildModality(group.Key, [.. group]);
        if (modalities.Count == 0) throw new OodException($"{source}: no series to make a training profile of");
        return new TrainingProfile(FormatName, CurrentVersion, source, modalities);
    }

    static ModalityProfile BuildModality(string modality, List<AcquisitionFeatures> series)
    {
        var spec = series[0].HistogramSpec;
        if (series.FirstOrDefault(s => s.HistogramSpec != spec) is { } other)
            throw new OodException($"series {other.SeriesInstanceUid} ({modality}) was binned with another histogram spec than series {series[0].SeriesInstanceUid}");
        var histograms = series.Where(s => s.Histogram is not null).Select(s => s.Histogram!).ToList();
        if (histograms.Count == 0) throw new OodException($"no {modality} series of the training release has a greyscale histogram");
        var mean = new double[spec.Bins];
        foreach (var h in histograms)
            for (var i = 0; i < mean.Length; i++) mean[i] += h[i];
        for (var i = 0; i < mean.Length; i++) mean[i] /= histograms.Count;
        var distances = NumericRange.Of([.. histograms.Select(h => NumericValue.Of(HistogramDistance.JensenShannon(h, mean)))]);
        var numeric = new SortedDictionary<string, NumericRange>(StringComparer.Ordinal);
        foreach (var name in series.SelectMany(s => s.Numeric.Keys).Distinct())
            numeric[name] = NumericRange.Of([.. series.Where(s => s.Numeric.ContainsKey(name)).Select(s => s.Numeric[name])]);
        var categorical = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in series.SelectMany(s => s.Categorical.Keys).Distinct())
            categorical[name] = [.. series.Where(s => s.Categorical.ContainsKey(name)).SelectMany(s => s.Categorical[name]).Distinct().Order(StringComparer.Ordinal)];
        return new ModalityProfile(series.Count, spec, mean, distances, numeric, categorical);
    }
}
