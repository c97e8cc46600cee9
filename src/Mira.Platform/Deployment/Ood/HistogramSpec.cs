using System.Text.Json.Serialization;

namespace Mira.Platform.Deployment.Ood;

/// <summary>
/// The fixed range and bins of a modality's intensity histogram, in modality units (after Rescale Slope and Intercept,
/// PS3.3 §C.11.1.1.2). Values below <see cref="Low"/> count in the first bin and values from <see cref="High"/> up in
/// the last, so every voxel is counted (air below −1024 HU, metal above 3071 HU). A profile keeps the spec it was made
/// with, and a study is always binned with its profile's spec.
/// </summary>
public sealed record HistogramSpec(double Low, double High, int Bins, string Unit)
{
    public const int MaxBins = 4096;

    [JsonIgnore] public double BinWidth => (High - Low) / Bins;

    /// <summary>The centre of bin <paramref name="i"/>.</summary>
    public double Centre(int i) => Low + (i + 0.5) * BinWidth;

    /// <summary>The bin of a value (clamped to the first and last); −1 for NaN.</summary>
    public int BinOf(double value)
    {
        if (double.IsNaN(value)) return -1;
        if (value < Low) return 0;
        var i = (value - Low) / BinWidth;
        return i >= Bins ? Bins - 1 : (int)i;
    }

    /// <summary>Throws <see cref="OodException"/> naming <paramref name="where"/> when the spec is unusable.</summary>
    public void Validate(string where)
    {
        if (!double.IsFinite(Low) || !double.IsFinite(High) || High <= Low)
            throw new OodException($"{where}: histogram range {Low}…{High} is not an increasing finite range");
        if (Bins is < 2 or > MaxBins) throw new OodException($"{where}: {Bins} histogram bins (2 to {MaxBins})");
    }

    /// <summary>
    /// The default spec of a modality: CT −1024…3072 HU in 64 bins of 64 HU; MR 0…4096 in 64 bins (MR values have no
    /// absolute unit: the histogram compares a scanner's and protocol's scaling with the training release's); PT
    /// 0…65536 Bq/ml in 64 bins; anything else 0…65536 in 64 bins.
    /// </summary>
    public static HistogramSpec For(string modality) => modality switch
    {
        "CT" => new(-1024, 3072, 64, "HU"),
        "MR" => new(0, 4096, 64, ""),
        "PT" => new(0, 65536, 64, "Bq/ml"),
        _ => new(0, 65536, 64, ""),
    };
}

/// <summary>Counts of voxel values in the bins of a <see cref="HistogramSpec"/>: one array of longs, whatever the series' size.</summary>
public sealed class IntensityHistogram(HistogramSpec spec)
{
    readonly long[] counts = new long[spec.Bins];

    public HistogramSpec Spec => spec;
    public long Total { get; private set; }

    public void Add(double value)
    {
        var bin = spec.BinOf(value);
        if (bin < 0) return;
        counts[bin]++;
        Total++;
    }

    /// <summary>The counts divided by their total (sums to 1); throws when nothing was counted.</summary>
    public double[] Normalised(string where)
    {
        if (Total == 0) throw new OodException($"{where}: no voxel values to make a histogram of");
        return [.. counts.Select(c => (double)c / Total)];
    }
}
