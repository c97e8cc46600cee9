using Mira.Dicom;

namespace Mira.Server.Dicomweb;

/// <summary>
/// The SOP classes a project's STOW-RS accepts (docs/viewer.md, "Annotating"): annotation objects that reference a
/// project's images, never images. Segmentation (PS3.3 §A.51), Label Map Segmentation (PS3.3 §A.51, Supplement 243),
/// the structured reports that carry TID 1500 measurements and findings (Comprehensive 3D SR §A.35.13, Comprehensive
/// SR §A.35.3, Enhanced SR §A.35.2) and Microscopy Bulk Simple Annotations (§A.87).
/// </summary>
public static class AnnotationObjects
{
    /// <summary>Label Map Segmentation Storage (PS3.4 §B.5, added by Supplement 243; newer than the generated registry).</summary>
    public const string LabelMapSegmentationStorage = "1.2.840.10008.5.1.4.1.1.66.7";

    static readonly Dictionary<string, string> names = new(StringComparer.Ordinal)
    {
        [DicomUids.SegmentationStorage] = "Segmentation Storage",
        [LabelMapSegmentationStorage] = "Label Map Segmentation Storage",
        [DicomUids.Comprehensive3DSRStorage] = "Comprehensive 3D SR Storage",
        [DicomUids.ComprehensiveSRStorage] = "Comprehensive SR Storage",
        [DicomUids.EnhancedSRStorage] = "Enhanced SR Storage",
        [DicomUids.MicroscopyBulkSimpleAnnotationsStorage] = "Microscopy Bulk Simple Annotations Storage",
    };

    /// <summary>The accepted SOP Class UIDs.</summary>
    public static IReadOnlyCollection<string> SopClasses => names.Keys;

    public static bool IsAnnotation(string? sopClassUid) => sopClassUid is not null && names.ContainsKey(sopClassUid);

    /// <summary>True for the two segmentation SOP classes (the objects the viewer's segmentation mode stores).</summary>
    public static bool IsSegmentation(string? sopClassUid) =>
        sopClassUid is DicomUids.SegmentationStorage or LabelMapSegmentationStorage;

    /// <summary>"Name (UID)" of a SOP class, from this list or the PS3.6 registry; the UID alone when unknown.</summary>
    public static string Describe(string? sopClassUid)
    {
        if (sopClassUid is null) return "no SOP Class UID";
        var name = names.TryGetValue(sopClassUid, out var n) ? n : DicomUids.Find(sopClassUid)?.Name;
        return name is null ? sopClassUid : $"{name} ({sopClassUid})";
    }

    /// <summary>The accepted classes, named, for refusal messages.</summary>
    public static string Accepted => string.Join(", ", names.Values);
}
