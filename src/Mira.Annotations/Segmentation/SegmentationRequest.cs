using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;

namespace Mira.Annotations.Segmentation;

/// <summary>Segmentation Type (0062,0001) of a written Segmentation, PS3.3 §C.8.20.2.</summary>
public enum SegmentationType
{
    /// <summary>Segmentation Storage, one bit per pixel, one frame per segment and slice; segments may overlap.</summary>
    Binary,

    /// <summary>Label Map Segmentation Storage (1.2.840.10008.5.1.4.1.1.66.7): one frame per slice whose values are segment numbers; no overlap.</summary>
    LabelMap,

    /// <summary>Segmentation Storage, PROBABILITY, 8 bits per pixel, Maximum Fractional Value 255 (from probability maps).</summary>
    Fractional,
}

/// <summary>
/// What <see cref="SegmentationWriter"/> writes: one read (<see cref="Masks"/>, or <see cref="Probabilities"/> for
/// <see cref="SegmentationType.Fractional"/>) on the images it was drawn on (<see cref="Grid"/>), labelled by
/// <see cref="Protocol"/>; the UIDs are the caller's (the platform keeps them stable across exports).
/// </summary>
public sealed record SegmentationRequest
{
    public required ImageGrid Grid { get; init; }
    public required Protocol Protocol { get; init; }

    /// <summary>The read's masks, keyed by protocol label value (BINARY and LABELMAP).</summary>
    public LabelMasks? Masks { get; init; }

    /// <summary>FRACTIONAL: a probability in [0, 1] per voxel of the grid, keyed by protocol label value.</summary>
    public IReadOnlyDictionary<int, float[]>? Probabilities { get; init; }

    public SegmentationType Type { get; init; } = SegmentationType.Binary;

    public required string SeriesInstanceUid { get; init; }
    public required string SopInstanceUid { get; init; }
    public int SeriesNumber { get; init; } = 300;
    public int InstanceNumber { get; init; } = 1;

    /// <summary>Content Creator Name (0070,0084), a person name (PN: "Family^Given"); empty when null.</summary>
    public string? Author { get; init; }

    /// <summary>Content Label (0070,0080), a code string: upper case letters, digits, space and underscore, at most 16.</summary>
    public string ContentLabel { get; init; } = "READ";

    public string? ContentDescription { get; init; }
    public string? SeriesDescription { get; init; }

    /// <summary>Segment Algorithm Type (0062,0008): MANUAL, SEMIAUTOMATIC or AUTOMATIC; the latter two need <see cref="AlgorithmName"/>.</summary>
    public string AlgorithmType { get; init; } = "MANUAL";

    public string? AlgorithmName { get; init; }

    /// <summary>
    /// The algorithm that made the segments (a model): written in each segment as the Segmentation Algorithm
    /// Identification Sequence (0062,0007) with the Algorithm Identification Macro (PS3.3 Table 10-19). Null writes none.
    /// </summary>
    public AlgorithmIdentification? Algorithm { get; init; }

    /// <summary>Content Date and Time; the time of writing (UTC) when null.</summary>
    public DateTime? ContentDateTime { get; init; }

    /// <summary>BINARY and FRACTIONAL: leave out frames with no foreground (the usual form; a LABELMAP always has every slice).</summary>
    public bool OmitEmptyFrames { get; init; } = true;
}

/// <summary>
/// The Algorithm Identification Macro (PS3.3 Table 10-19): the family (CID 7162, e.g. (123110, DCM, "Artificial
/// Intelligence")), name, version, and optionally parameters and source (who provides it).
/// </summary>
public sealed record AlgorithmIdentification(CodedConcept Family, string Name, string Version, string? Parameters = null, string? Source = null)
{
    /// <summary>(123110, DCM, "Artificial Intelligence"), CID 7162.</summary>
    public static CodedConcept ArtificialIntelligence { get; } = new("DCM", "123110", "Artificial Intelligence", "standard");
}
