using Mira.Dicom;

namespace Mira.Imaging.Volumes;

/// <summary>
/// One 2D image plane destined for a volume: a single-frame instance, one frame of a multi-frame instance, or one
/// tile of a Siemens mosaic, with the geometry and pixel-value transformation that apply to it.
/// </summary>
public sealed class DicomSlice
{
    /// <summary>File the pixels come from.</summary>
    public required string Path { get; init; }
    /// <summary>Frame index in that file (0 for single-frame instances).</summary>
    public int Frame { get; init; }
    /// <summary>For a mosaic tile: the tile index (row-major in the mosaic); −1 otherwise.</summary>
    public int MosaicTile { get; init; } = -1;
    /// <summary>For a mosaic tile: tiles per mosaic row.</summary>
    public int MosaicColumns { get; init; }

    public required string SeriesInstanceUid { get; init; }
    public string? SopInstanceUid { get; init; }
    public string? FrameOfReferenceUid { get; init; }
    public int? SeriesNumber { get; init; }
    public string? SeriesDescription { get; init; }
    public int? InstanceNumber { get; init; }

    /// <summary>Image Position (Patient): centre of the first transmitted pixel, LPS mm.</summary>
    public required double[] Position { get; init; }
    /// <summary>Image Orientation (Patient): row direction cosines then column direction cosines.</summary>
    public required double[] Orientation { get; init; }
    /// <summary>Pixel Spacing: [0] between rows (along a column), [1] between columns (along a row).</summary>
    public required double[] PixelSpacing { get; init; }
    public int Rows { get; init; }
    public int Columns { get; init; }
    public double? SliceThickness { get; init; }
    public double? SpacingBetweenSlices { get; init; }

    public double RescaleSlope { get; init; } = 1;
    public double RescaleIntercept { get; init; }

    // What may tell apart slices at the same position (4D): echoes, time points, diffusion weightings.
    public int? EchoNumber { get; init; }
    public double? EchoTime { get; init; }
    public double? TemporalPosition { get; init; }
    public double? TriggerTime { get; init; }
    public int? AcquisitionNumber { get; init; }
    public double? DiffusionBValue { get; init; }
    public double? RepetitionTime { get; init; }

    /// <summary>The unit normal of the slice plane: row cosines × column cosines.</summary>
    public double[] Normal => Cross(Orientation.AsSpan(0, 3), Orientation.AsSpan(3, 3));

    /// <summary>The key that orders slices sharing one position along the 4th dimension (absent values as NaN).</summary>
    internal double[] FourthDimensionKey =>
    [
        EchoNumber ?? double.NaN, EchoTime ?? double.NaN, TemporalPosition ?? double.NaN, TriggerTime ?? double.NaN,
        AcquisitionNumber ?? double.NaN, DiffusionBValue ?? double.NaN,
    ];

    internal static readonly string[] FourthDimensionNames = ["EchoNumbers", "EchoTime", "TemporalPosition", "TriggerTime", "AcquisitionNumber", "DiffusionBValue"];

    internal static double[] Cross(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var c = new[] { a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0] };
        var n = Math.Sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
        if (n > 0) for (var i = 0; i < 3; i++) c[i] /= n;
        return c;
    }

    internal static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    public override string ToString() => MosaicTile >= 0 ? $"{System.IO.Path.GetFileName(Path)} tile {MosaicTile}" : Frame > 0 || InstanceNumber is null ? $"{System.IO.Path.GetFileName(Path)} frame {Frame + 1}" : System.IO.Path.GetFileName(Path);
}

/// <summary>Safe attribute access for slice extraction: malformed numbers read as absent.</summary>
internal static class DatasetValues
{
    public static double[]? Doubles(DicomDataset? ds, DicomTag tag) =>
        ds is not null && ds.TryGetDoubles(tag, out var v) && v.Length > 0 ? v : null;

    public static double? Double(DicomDataset? ds, DicomTag tag) => Doubles(ds, tag) is { } v ? v[0] : null;

    public static int? Int(DicomDataset? ds, DicomTag tag) => Double(ds, tag) is { } d && Math.Abs(d) < int.MaxValue ? (int)d : null;

    public static string? String(DicomDataset? ds, DicomTag tag) =>
        ds is not null && ds.TryGetString(tag, out var s) && s.Trim() is { Length: > 0 } t ? t : null;

    /// <summary>The first item of sequence <paramref name="tag"/> in <paramref name="ds"/>, or null.</summary>
    public static DicomDataset? Item(DicomDataset? ds, DicomTag tag) => ds is not null && ds.TryGetFirstItem(tag, out var item) ? item : null;
}
