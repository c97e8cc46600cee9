using Mira.Annotations.Reads;
using Mira.Dicom;

namespace Mira.Annotations.Reports;

/// <summary>One referenced image as an annotation sees it: identity, size, frames and, when known, pixel spacing.</summary>
public sealed record ReferencedImage(
    string SopClassUid, string SopInstanceUid, string SeriesInstanceUid, string StudyInstanceUid,
    int Columns, int Rows, int Frames, (double Row, double Column)? PixelSpacingMm, DicomDataset Header)
{
    /// <summary>
    /// Reads a header. Pixel Spacing (0028,0030) at the top level, else in the Shared Functional Groups' Pixel Measures
    /// (PS3.3 §C.8.12.4 for whole-slide images, Table C.7.6.16-2); absent on a photograph without calibration.
    /// </summary>
    public static ReferencedImage From(DicomDataset header, int index)
    {
        string Need(DicomTag tag, string name) => header.GetString(tag) is { Length: > 0 } s ? s : throw new AnnotationException($"referenced instance {index + 1} has no {name}");
        var sop = Need(DicomTags.SOPInstanceUID, "SOP Instance UID");
        var spacing = header.GetDoubles(DicomTags.PixelSpacing);
        if (spacing.Length < 2 && header.TryGetFirstItem(DicomTags.SharedFunctionalGroupsSequence, out var shared)
            && shared.TryGetFirstItem(DicomTags.PixelMeasuresSequence, out var measures))
            spacing = measures.GetDoubles(DicomTags.PixelSpacing);
        (double, double)? mm = spacing.Length >= 2 && spacing[0] > 0 && spacing[1] > 0 && double.IsFinite(spacing[0]) && double.IsFinite(spacing[1]) ? (spacing[0], spacing[1]) : null;
        // Vertices are in the referenced frame's pixel matrix (Columns x Rows); on a tiled slide level that is one tile.
        return new ReferencedImage(
            Need(DicomTags.SOPClassUID, "SOP Class UID"), sop, Need(DicomTags.SeriesInstanceUID, "Series Instance UID"), Need(DicomTags.StudyInstanceUID, "Study Instance UID"),
            header.GetInt32(DicomTags.Columns) ?? 0, header.GetInt32(DicomTags.Rows) ?? 0, Math.Max(1, header.GetInt32(DicomTags.NumberOfFrames) ?? 1), mm, header);
    }

    /// <summary>Refuses a polygon on a frame the image does not have, or with a vertex outside the frame's pixel matrix.</summary>
    public void Check(PolygonAnnotation p, string what)
    {
        if (p.Frame < 1 || p.Frame > Frames) throw new AnnotationException($"{what}: frame {p.Frame} of {SopInstanceUid}, which has {Frames} frame(s)");
        if (Columns <= 0 || Rows <= 0) return;
        foreach (var v in p.Points)
            if (v.X < 0 || v.Y < 0 || v.X > Columns || v.Y > Rows)
                throw new AnnotationException($"{what}: vertex ({v.X}, {v.Y}) lies outside the {Columns} x {Rows} image {SopInstanceUid}");
    }

    /// <summary>Indexes the headers by SOP Instance UID; duplicates and a mix of studies are refused.</summary>
    public static IReadOnlyDictionary<string, ReferencedImage> Index(IReadOnlyList<DicomDataset> headers)
    {
        var byUid = new Dictionary<string, ReferencedImage>(StringComparer.Ordinal);
        for (var i = 0; i < headers.Count; i++)
        {
            var image = From(headers[i], i);
            if (!byUid.TryAdd(image.SopInstanceUid, image)) throw new AnnotationException($"referenced instance {image.SopInstanceUid} is given twice");
        }
        var studies = byUid.Values.Select(v => v.StudyInstanceUid).Distinct().ToArray();
        if (studies.Length > 1) throw new AnnotationException($"the referenced instances belong to {studies.Length} studies ({string.Join(", ", studies)}); a report is about one study");
        return byUid;
    }
}
