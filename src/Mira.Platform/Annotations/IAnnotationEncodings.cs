using Mira.Annotations.Protocols;
using Mira.Dicom;

namespace Mira.Platform.Annotations;

/// <summary>The images of a task's case in the project's research archive (one series for masks), as stored.</summary>
public sealed record CaseImages(string StudyInstanceUid, string? SeriesInstanceUid, IReadOnlyList<DicomDataset> Instances);

/// <summary>Who made a version and how, written into its DICOM objects (Content Creator, series description…).</summary>
public sealed record VersionDescription(long Task, string Author, string Role, string ProtocolId, int ProtocolVersion, string Tool, DateTimeOffset Time);

/// <summary>
/// How annotation content becomes files and DICOM objects and back (<c>Mira.Annotations</c>: the SEG writer and reader,
/// the TID 1500 SR writer, NIfTI label maps). The service reads every body through here and stores every version's
/// objects in the project's research archive.
/// </summary>
public interface IAnnotationEncodings
{
    /// <summary>A NIfTI label map (<c>.nii</c> or <c>.nii.gz</c> bytes) as masks on the case's image grid.</summary>
    /// <exception cref="Mira.Annotations.Reads.AnnotationException">Not NIfTI, another grid, a label the protocol lacks.</exception>
    AnnotationContent ReadLabelMap(byte[] nifti, CaseImages images, Protocol protocol);

    /// <summary>A DICOM Segmentation (Part 10 bytes) as masks; its segments' codes must be the protocol's.</summary>
    /// <exception cref="Mira.Annotations.Reads.AnnotationException">Not a SEG of these images, or segments the protocol does not define.</exception>
    AnnotationContent ReadSegmentation(byte[] seg, CaseImages images, Protocol protocol);

    /// <summary>The DICOM objects (Part 10 bytes) that store a version: a SEG for masks, a TID 1500 SR for measurements and forms.</summary>
    IReadOnlyList<byte[]> Write(AnnotationContent content, Protocol protocol, CaseImages images, VersionDescription version);

    /// <summary>Masks as a gzip-compressed NIfTI label map with the images' affine (as dcm2niix computes it).</summary>
    byte[] WriteLabelMap(AnnotationContent content, CaseImages images);
}
