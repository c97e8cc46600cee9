using System.Text.Json.Serialization;

namespace Mira.Platform.Deployment.Ood;

/// <summary>A numeric attribute of a series: the smallest and largest value its images hold (equal in most series).</summary>
public sealed record NumericValue(double Min, double Max)
{
    /// <summary>The middle of the series' values: what a profile's percentiles are taken over.</summary>
    [JsonIgnore] public double Mid => (Min + Max) / 2;

    public static NumericValue Of(double v) => new(v, v);
}

/// <summary>
/// What the out-of-distribution guard knows of one image series (<see cref="SeriesFeatureReader"/>):
/// <list type="bullet">
/// <item><see cref="Numeric"/>: acquisition parameters where the images hold them (<c>kvp</c>, <c>sliceThickness</c>,
/// <c>magneticFieldStrength</c>, <c>repetitionTime</c>, <c>echoTime</c>, <c>rows</c>, <c>columns</c>) and the geometry
/// (<c>slices</c>: distinct plane positions; <c>voxelSizeX</c>/<c>Y</c> from Pixel Spacing, <c>voxelSizeZ</c> the median
/// gap between plane positions along the slice normal; <c>extentX</c>/<c>Y</c>/<c>Z</c> in mm), see
/// <see cref="OodParameters"/>;</item>
/// <item><see cref="Categorical"/>: the distinct values of Manufacturer, Manufacturer's Model Name and Convolution
/// Kernel;</item>
/// <item><see cref="Histogram"/>: the voxel values in modality units binned by <see cref="HistogramSpec"/>, normalised to
/// sum 1 (null for colour images: they have no modality units).</item>
/// </list>
/// </summary>
public sealed record AcquisitionFeatures(
    string SeriesInstanceUid, string Modality, int Images,
    IReadOnlyDictionary<string, NumericValue> Numeric, IReadOnlyDictionary<string, IReadOnlyList<string>> Categorical,
    HistogramSpec HistogramSpec, IReadOnlyList<double>? Histogram, long Voxels, IReadOnlyList<string> Notes);
