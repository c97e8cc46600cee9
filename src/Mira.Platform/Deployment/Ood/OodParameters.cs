using System.Globalization;

namespace Mira.Platform.Deployment.Ood;

/// <summary>How a parameter is named in reasons and how its values are written.</summary>
public sealed record OodParameter(string Name, string Label, string Unit);

/// <summary>
/// The parameters the guard compares, by name (the keys of <see cref="AcquisitionFeatures.Numeric"/> and
/// <see cref="AcquisitionFeatures.Categorical"/> and of a <see cref="ModalityProfile"/>).
/// </summary>
public static class OodParameters
{
    // Acquisition (numeric).
    public const string Kvp = "kvp";
    public const string SliceThickness = "sliceThickness";
    public const string MagneticFieldStrength = "magneticFieldStrength";
    public const string RepetitionTime = "repetitionTime";
    public const string EchoTime = "echoTime";
    public const string Rows = "rows";
    public const string Columns = "columns";
    public const string Slices = "slices";
    // Geometry (numeric): voxel size (x along a row, y along a column, z between slice planes) and extent.
    public const string VoxelSizeX = "voxelSizeX";
    public const string VoxelSizeY = "voxelSizeY";
    public const string VoxelSizeZ = "voxelSizeZ";
    public const string ExtentX = "extentX";
    public const string ExtentY = "extentY";
    public const string ExtentZ = "extentZ";
    // Categorical.
    public const string Manufacturer = "manufacturer";
    public const string ManufacturerModelName = "manufacturerModelName";
    public const string ConvolutionKernel = "convolutionKernel";
    // The intensity histogram's distance to the training mean (a numeric component of the score).
    public const string HistogramDistance = "histogramDistance";

    static readonly Dictionary<string, OodParameter> known = new OodParameter[]
    {
        new(Kvp, "kVp", "kV"),
        new(SliceThickness, "slice thickness", "mm"),
        new(MagneticFieldStrength, "magnetic field strength", "T"),
        new(RepetitionTime, "repetition time", "ms"),
        new(EchoTime, "echo time", "ms"),
        new(Rows, "rows", ""),
        new(Columns, "columns", ""),
        new(Slices, "number of slices", ""),
        new(VoxelSizeX, "voxel size x (between columns)", "mm"),
        new(VoxelSizeY, "voxel size y (between rows)", "mm"),
        new(VoxelSizeZ, "spacing between slices", "mm"),
        new(ExtentX, "extent x", "mm"),
        new(ExtentY, "extent y", "mm"),
        new(ExtentZ, "extent z", "mm"),
        new(Manufacturer, "manufacturer", ""),
        new(ManufacturerModelName, "manufacturer's model name", ""),
        new(ConvolutionKernel, "convolution kernel", ""),
        new(HistogramDistance, "intensity histogram distance", ""),
    }.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The parameter named <paramref name="name"/>; an unknown name is its own label.</summary>
    public static OodParameter Of(string name) => known.TryGetValue(name, out var p) ? p : new OodParameter(name, name, "");

    /// <summary>A value as reasons write it: up to three decimals, invariant culture, with the unit.</summary>
    public static string Format(double value, string unit)
    {
        var text = Math.Round(value, 3).ToString("0.0##", CultureInfo.InvariantCulture);
        return unit.Length == 0 ? text : text + " " + unit;
    }

    /// <summary>A range as reasons write it: <c>1.0–2.5 mm</c>, or one value when both ends are equal.</summary>
    public static string FormatRange(double low, double high, string unit) =>
        Math.Round(low, 3) == Math.Round(high, 3) ? Format(low, unit)
            : Math.Round(low, 3).ToString("0.0##", CultureInfo.InvariantCulture) + "–" + Format(high, unit);
}
