using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Segmentation;

/// <summary>How <see cref="DicomSegReader"/> reads a Segmentation.</summary>
public sealed record DicomSegReadOptions
{
    /// <summary>
    /// FRACTIONAL segmentations: a pixel is foreground when its value is at least this fraction of Maximum
    /// Fractional Value (0062,000E). The default 0.5 thresholds at half the maximum (128 of 255 is foreground,
    /// 127 is not).
    /// </summary>
    public double FractionalThreshold { get; init; } = 0.5;

    /// <summary>
    /// Largest distance (mm) a frame position may lie off its slice of the grid, and off the line through the
    /// first frame along the slice normal.
    /// </summary>
    public double PositionTolerance { get; init; } = 0.01;

    /// <summary>Largest number of slices the grid may have (frames far apart along the normal with nothing between).</summary>
    public int MaxSlices { get; init; } = 16384;

    public static DicomSegReadOptions Default { get; } = new();
}

/// <summary>
/// Reads DICOM Segmentation instances (Segmentation IOD, PS3.3 §A.51; Segmentation Image Module §C.8.20.2;
/// Multi-frame Functional Groups §C.7.6.16) of patient-frame images onto a regular voxel grid.
/// <list type="bullet">
/// <item>Segments come from the Segment Sequence (0062,0002): Segment Number, Segment Label, Segment Algorithm Type
/// and Name, Segmented Property Category and Type codes.</item>
/// <item>Segmentation Type (0062,0001) BINARY: a set bit is foreground. FRACTIONAL: a value at or above
/// <see cref="DicomSegReadOptions.FractionalThreshold"/> × Maximum Fractional Value (0062,000E) is foreground
/// (default half the maximum). LABELMAP (Label Map Segmentation Storage 1.2.840.10008.5.1.4.1.1.66.7): the pixel
/// value is the segment number.</item>
/// <item>Each frame's segment is the Referenced Segment Number (0062,000B) of its Segment Identification Sequence
/// (0062,000A) (per-frame, or shared); its place is Image Position (Patient) (0020,0032) in the Plane Position
/// Sequence (0020,9113); orientation and pixel spacing come from the Plane Orientation Sequence (0020,9116) and the
/// Pixel Measures Sequence (0028,9110), per-frame or shared, and must be the same for every frame. The Derivation
/// Image Sequence is not needed and not read.</item>
/// <item>Grid: i along the row direction (first three values of Image Orientation (Patient)), j along the column
/// direction, k along row × column. Distinct frame positions are sorted along k; the slice spacing comes from the
/// positions: every position must lie a whole number of slice steps from the first (within
/// <see cref="DicomSegReadOptions.PositionTolerance"/>), the step being Spacing Between Slices (0018,0088) when the
/// positions agree with it, else the smallest gap between positions. Slices no frame covers (a SEG usually stores only
/// slices that hold a segment) are left empty. A single slice takes Spacing Between Slices, else Slice Thickness,
/// else 1 mm.</item>
/// <item>Refused, with the attribute and frame named: a missing or inconsistent functional group, a segment number not
/// in the Segment Sequence, two frames of one segment on one slice, frames shifted in-plane or off the normal
/// (tilted or tiled), uneven slice positions, slide-microscopy SEGs (frames placed in a Total Pixel Matrix by the Plane
/// Position (Slide) Sequence (0048,021A) rather than in patient coordinates).</item>
/// </list>
/// </summary>
public static class DicomSegReader
{
    /// <summary>Segmentation Storage.</summary>
    public const string SegmentationStorage = DicomUids.SegmentationStorage;
    /// <summary>Label Map Segmentation Storage (Supplement 243).</summary>
    public const string LabelMapSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.7";

    public static bool IsSegmentationSopClass(string? sopClassUid) => sopClassUid is SegmentationStorage or LabelMapSegmentationStorage;

    /// <summary>
    /// The SOP Class UID of <paramref name="path"/> when it parses as DICOM (null when it does not, or has none);
    /// reads no pixel data.
    /// </summary>
    public static string? ProbeSopClass(string path)
    {
        try
        {
            var file = DicomFile.Open(path, new DicomReadOptions { StopBeforePixelData = true });
            return DatasetValues.String(file.Dataset, DicomTags.SOPClassUID) ?? DatasetValues.String(file.FileMetaInformation, DicomTags.MediaStorageSOPClassUID);
        }
        catch (Exception e) when (e is MiraException or IOException or InvalidDataException or UnauthorizedAccessException or EndOfStreamException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="path"/> is a DICOM file of a Segmentation SOP Class.</summary>
    public static bool IsSegmentation(string path) => File.Exists(path) && IsSegmentationSopClass(ProbeSopClass(path));

    public static DicomSegmentation Read(string path, DicomSegReadOptions? options = null)
    {
        DicomFile file;
        try { file = DicomFile.Open(path); }
        catch (Exception e) when (e is MiraException or IOException or InvalidDataException or UnauthorizedAccessException or EndOfStreamException)
        {
            throw new ImagingException($"{path}: {e.Message}", e);
        }
        return Read(file.Dataset, file.TransferSyntax, path, options);
    }

    /// <summary>
    /// Reads a Segmentation dataset; <paramref name="source"/> names it in messages. The steps (kind, segments,
    /// fractional values, frame size, per-frame geometry, slice grid, pixels) are those of <see cref="SegmentationReading"/>.
    /// </summary>
    public static DicomSegmentation Read(DicomDataset ds, TransferSyntax syntax, string source, DicomSegReadOptions? options = null) =>
        new SegmentationReading(ds, syntax, source, options ?? DicomSegReadOptions.Default).Run();
}
