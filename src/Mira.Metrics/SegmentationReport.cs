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

    /// <summary>One <c>name TAB value</c> line per field (round-trip precision; NaN and ±∞ spelled out).</summary>
    public static string ToText(SegmentationResult r)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in Fields(r)) sb.Append(name).Append('\t').Append(Format(value)).Append('\n');
        return sb.ToString();
    }

    /// <summary>A JSON object of the fields; NaN and ±∞ (undefined values under the chosen conventions) are null.</summary>
    public static string ToJson(SegmentationResult r, bool indented = true)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented }))
        {
            w.WriteStartObject();
            foreach (var (name, value) in Fields(r))
            {
                if (!double.IsFinite(value)) w.WriteNull(name);
                else if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && name.EndsWith("_voxels", StringComparison.Ordinal)) w.WriteNumber(name, (long)value);
                else w.WriteNumber(name, value);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static string Format(double v) => double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("R", CultureInfo.InvariantCulture);
}
