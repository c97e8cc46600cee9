using System.Security.Cryptography;
using System.Text;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Annotations.Segmentation;
using Mira.Dicom.Values;

namespace Mira.Platform.Annotations;

/// <summary>
/// The encodings of <c>Mira.Annotations</c>: NIfTI label maps read and written on the task's series grid
/// (<see cref="LabelMapNifti"/>, the affine as dcm2niix computes it), Segmentations read back by their segments' codes
/// (<see cref="SegmentationToMasks"/>: a segment whose category and type codes are not a protocol label refuses the SEG,
/// PS3.3 §C.8.20.4) and written BINARY (overlapping labels allowed, PS3.3 §A.51) by <see cref="SegmentationWriter"/>,
/// and TID 1500 Measurement Reports (PS3.16) by <see cref="MeasurementReportWriter"/>: the form's answers, or for masks
/// the volume of every label and derived region, referencing the SEG written with them.
/// </summary>
public sealed class AnnotationEncodings : IAnnotationEncodings
{
    static ImageGrid GridOf(CaseImages images) =>
        images.SeriesInstanceUid is null
            ? throw new AnnotationException($"study {images.StudyInstanceUid} has several series and the task names none: masks need the series they lie on")
            : ImageGrid.FromSeries(images.Instances);

    static double[] SpacingOf(ImageGrid grid) => [grid.ColumnSpacing, grid.RowSpacing, grid.SliceSpacing > 0 ? grid.SliceSpacing : 1];

    public AnnotationContent ReadLabelMap(byte[] nifti, CaseImages images, Protocol protocol)
    {
        var grid = GridOf(images);
        using var input = new MemoryStream(nifti, writable: false);
        return AnnotationContent.Of(LabelMapNifti.Read(input, grid, protocol, "the NIfTI label map"), SpacingOf(grid));
    }

    public AnnotationContent ReadSegmentation(byte[] seg, CaseImages images, Protocol protocol)
    {
        var grid = GridOf(images);
        return AnnotationContent.Of(SegmentationToMasks.Read(seg, grid, protocol), SpacingOf(grid));
    }

    public IReadOnlyList<byte[]> Write(AnnotationContent content, Protocol protocol, CaseImages images, VersionDescription version)
    {
        var description = $"{version.ProtocolId} v{version.ProtocolVersion} task {version.Task} {version.Role} {version.Author} ({version.Tool})";
        if (description.Length > 64) description = description[..64];
        var objects = new List<byte[]>();
        RegionVolumes? volumes = null;
        if (content.Masks is { } masks)
        {
            var grid = GridOf(images);
            var segSeries = Uid(version, "seg-series");
            var segSop = Uid(version, "seg");
            var seg = SegmentationWriter.Write(new SegmentationRequest
            {
                Grid = grid, Protocol = protocol, Masks = masks, Type = SegmentationType.Binary,
                SeriesInstanceUid = segSeries, SopInstanceUid = segSop, Author = version.Author,
                ContentLabel = version.Role == VersionRoles.Consensus ? "CONSENSUS" : version.Role.ToUpperInvariant(),
                ContentDescription = description, SeriesDescription = description, ContentDateTime = version.Time.UtcDateTime,
            });
            objects.Add(SegmentationWriter.ToPart10(seg));
            var voxel = SpacingOf(grid);
            volumes = new RegionVolumes(masks, voxel[0] * voxel[1] * voxel[2]) { SegmentationSopInstanceUid = segSop, SegmentationSeriesInstanceUid = segSeries };
        }
        objects.Add(MeasurementReportWriter.WriteBytes(new MeasurementReportRequest
        {
            Protocol = protocol, Author = version.Author, SeriesInstanceUid = Uid(version, "sr-series"), SopInstanceUid = Uid(version, "sr"),
            SeriesDescription = description, ContentDateTime = version.Time, ReferencedInstances = images.Instances,
            Answers = content.Form, Volumes = volumes, Polygons = content.Polygons ?? [], SeriesNumber = 301,
        }));
        return objects;
    }

    public byte[] WriteLabelMap(AnnotationContent content, CaseImages images)
    {
        using var ms = new MemoryStream();
        LabelMapNifti.Write(content.Masks ?? throw new AnnotationException("a form has no label map"), GridOf(images), ms, gzip: true);
        return ms.ToArray();
    }

    /// <summary>A UID of its own per version and object (2.25 from a hash of what the version is, with a fresh nonce).</summary>
    static string Uid(VersionDescription v, string what) => DicomUid.FromHash(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"mira-annotation\n{v.Task}\n{v.Author}\n{v.Role}\n{v.Time.UtcTicks}\n{what}\n{Guid.NewGuid():N}")));
}
