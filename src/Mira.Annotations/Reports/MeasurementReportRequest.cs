using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;

namespace Mira.Annotations.Reports;

/// <summary>
/// What a TID 1500 Measurement Report says and about which images. At least one of <see cref="Answers"/>,
/// <see cref="Polygons"/> and <see cref="Volumes"/> must hold something (an empty report is refused).
/// </summary>
public sealed record MeasurementReportRequest
{
    public required Protocol Protocol { get; init; }

    /// <summary>The reader (TID 1003 Person Observer Name), a DICOM person name such as "Zhang^Wei".</summary>
    public required string Author { get; init; }

    /// <summary>The author's role in this read (TID 1003 "Person Observer's Role in this Procedure", CID 7453), if given.</summary>
    public CodedConcept? AuthorRole { get; init; }

    /// <summary>
    /// The observer is a device (an AI model) rather than <see cref="Author"/>: TID 1002 Observer Type Device with the
    /// TID 1004 identifying attributes. The author is then not written.
    /// </summary>
    public DeviceObserver? Device { get; init; }

    public required string SeriesInstanceUid { get; init; }
    public required string SopInstanceUid { get; init; }
    public int SeriesNumber { get; init; } = 1;
    public int InstanceNumber { get; init; } = 1;
    public string? SeriesDescription { get; init; }

    /// <summary>Content Date and Time of the report (the read's time).</summary>
    public required DateTimeOffset ContentDateTime { get; init; }

    /// <summary>
    /// The headers of the images the report is about (pixel data not needed), all of one study: patient and study
    /// attributes are copied from them, and they make the Image Library and the Current Requested Procedure Evidence.
    /// </summary>
    public required IReadOnlyList<DicomDataset> ReferencedInstances { get; init; }

    /// <summary>Procedure reported (TID 1500 row 4); "Imaging procedure" (SCT 363679005) when not given.</summary>
    public CodedConcept? ProcedureReported { get; init; }

    /// <summary>The form's answers, written as qualitative evaluations (and NUM for number fields).</summary>
    public FormAnswers? Answers { get; init; }

    /// <summary>Regions drawn on 2D images, written as TID 1410 planar ROI measurement groups.</summary>
    public IReadOnlyList<PolygonAnnotation> Polygons { get; init; } = [];

    /// <summary>Masks whose volumes are measured (TID 1411 volumetric ROI groups), per label and derived region.</summary>
    public RegionVolumes? Volumes { get; init; }

    /// <summary>COMPLETE (true) or PARTIAL (PS3.3 §C.17.2.3 Completion Flag).</summary>
    public bool Complete { get; init; } = true;

    /// <summary>For a reviewed consensus: who verified it (the report is then VERIFIED, §C.17.2.2); null for UNVERIFIED.</summary>
    public ReportVerifier? VerifiedBy { get; init; }
}

/// <summary>The verifying observer of a VERIFIED report (PS3.3 Table C.17-2 Verifying Observer Sequence).</summary>
public sealed record ReportVerifier(string Name, string Organization, DateTimeOffset DateTime);

/// <summary>
/// The masks of a read on the referenced images' grid, the volume of one voxel in mm³ (from the image geometry), and
/// optionally the SEG that holds them (in the images' study): its SOP Instance UID, its Series Instance UID and, per label value, its segment number. Without
/// <see cref="SegmentNumbers"/>, segments are numbered as Mira's SEG writers do: the non-empty labels in ascending
/// value order, from 1.
/// </summary>
public sealed record RegionVolumes(LabelMasks Masks, double VoxelVolumeMm3)
{
    public string? SegmentationSopInstanceUid { get; init; }
    public string? SegmentationSeriesInstanceUid { get; init; }
    public IReadOnlyDictionary<int, int>? SegmentNumbers { get; init; }

    internal int? SegmentNumberOf(int label)
    {
        if (SegmentationSopInstanceUid is null || Masks.Count(label) == 0) return null;
        if (SegmentNumbers is not null) return SegmentNumbers.TryGetValue(label, out var n) ? n : null;
        var rank = 0;
        foreach (var l in Masks.Labels)
        {
            if (Masks.Count(l) == 0) continue;
            rank++;
            if (l == label) return rank;
        }
        return null;
    }
}

/// <summary>A device observer (PS3.16 TID 1004): its UID, name, manufacturer and model name (e.g. an AI model and version).</summary>
public sealed record DeviceObserver(string Uid, string Name, string Manufacturer, string ModelName);
