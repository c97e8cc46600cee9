using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mira.Metrics;

/// <summary>Text and JSON forms of a <see cref="SegmentationResult"/> (what <c>mira metrics seg</c> prints).</summary>
public static class SegmentationReport
{
    /// <summary>The fields in print order: JSON name and value.</summary>
    public static IReadOnlyList<(string Name, double Value)> Fields(SegmentationResult r) =>
    [
        ("dice", r.Dice),
        ("jaccard", r.Jaccard),
        ("hausdorff_mm", r.HausdorffMm),
        ("hd95_pooled_mm", r.Hd95PooledMm),
        ("hd95_max_of_directed_mm", r.Hd95MaxOfDirectedMm),
        ("assd_mm", r.AssdMm),
        ("surface_dice", r.SurfaceDice),
        ("surface_dice_tolerance_mm", r.ToleranceMm),
        ("reference_voxels", r.ReferenceVoxels),
        ("prediction_voxels", r.PredictionVoxels),
        ("intersection_voxels", r.IntersectionVoxels),
        ("reference_volume_mm3", r.ReferenceVolumeMm3),
        ("prediction_volume_mm3", r.PredictionVolumeMm3),
        ("volume_difference_mm3", r.VolumeDifferenceMm3),
        ("relative_volume_difference", r.RelativeVolumeDifference),
        ("reference_surface_voxels", r.ReferenceSurfaceVoxels),
        ("prediction_surface_voxels", r.PredictionSurfaceVoxels),
    ];

    /// <summary>
    /// The lesion-wise (BraTS 2023) and autoPET fields, when computed: lesionwise_dice, lesionwise_hd95_mm,
    /// lesionwise_tp/fn/fp_lesions, autopet_fpv_ml, autopet_fnv_ml.
    /// </summary>
    public static IReadOnlyList<(string Name, double Value)> Fields(Lesions.LesionWiseResult? lesionWise, Lesions.AutoPetResult? autoPet)
    {
        var f = new List<(string, double)>();
        if (lesionWise is { } l)
            f.AddRange([("lesionwise_dice", l.Dice), ("lesionwise_hd95_mm", l.Hd95Mm), ("lesionwise_tp_lesions", l.TruePositives),
                ("lesionwise_fn_lesions", l.FalseNegatives), ("lesionwise_fp_lesions", l.FalsePositives)]);
        if (autoPet is { } a) f.AddRange([("autopet_fpv_ml", a.FalsePositiveVolumeMl), ("autopet_fnv_ml", a.FalseNegativeVolumeMl)]);
        return f;
    }

    /// <summary>One <c>name TAB value</c> line per field (round-trip precision; NaN and ±∞ spelled out).</summary>
    public static string ToText(SegmentationResult r, IEnumerable<(string Name, double Value)>? extra = null)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in Fields(r).Concat(extra ?? [])) sb.Append(name).Append('\t').Append(Format(value)).Append('\n');
        return sb.ToString();
    }

    /// <summary>A JSON object of the fields; NaN and ±∞ (undefined values under the chosen conventions) are null.</summary>
    public static string ToJson(SegmentationResult r, bool indented = true, IEnumerable<(string Name, double Value)>? extra = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented })) Write(w, r, extra);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// One JSON object per label, under the label's number: <c>{"1": {...}, "2": {...}}</c>
    /// (<c>mira metrics seg --labels</c>).
    /// </summary>
    public static string ToJson(IReadOnlyList<(int Label, SegmentationResult Result, IReadOnlyList<(string Name, double Value)> Extra)> perLabel, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            foreach (var (label, r, extra) in perLabel)
            {
                w.WritePropertyName(label.ToString(CultureInfo.InvariantCulture));
                Write(w, r, extra);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static void Write(Utf8JsonWriter w, SegmentationResult r, IEnumerable<(string Name, double Value)>? extra)
    {
        w.WriteStartObject();
        foreach (var (name, value) in Fields(r).Concat(extra ?? []))
        {
            if (!double.IsFinite(value)) w.WriteNull(name);
            else if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && (name.EndsWith("_voxels", StringComparison.Ordinal) || name.EndsWith("_lesions", StringComparison.Ordinal))) w.WriteNumber(name, (long)value);
            else w.WriteNumber(name, value);
        }
        w.WriteEndObject();
    }

    static string Format(double v) => double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("R", CultureInfo.InvariantCulture);
}
