using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Imaging.Segmentation;
using SegCode = Mira.Imaging.Segmentation.CodedConcept;

namespace Mira.Annotations.Segmentation;

/// <summary>
/// Whether a DICOM Segmentation can be a read of a task: every segment's Segmented Property Category and Type codes
/// (PS3.3 §C.8.20.2, Segment Description Macro) are those of one protocol label (scheme and code value equal; the
/// meaning is display text, PS3.3 §8.8), no two segments are one label, and — with the task's images — it is of their
/// study, references their series (Referenced Series Sequence, §C.12.2) and Frame of Reference, its frames have their
/// size, orientation and pixel spacing and its Source Image references (§C.7.6.16.2.6) name their instances.
/// Reads headers only; returns every problem found, in words (empty when it conforms).
/// </summary>
public static class SegmentationConformance
{
    public static IReadOnlyList<string> Check(DicomDataset seg, Protocol protocol, ImageGrid? grid)
    {
        ArgumentNullException.ThrowIfNull(seg);
        ArgumentNullException.ThrowIfNull(protocol);
        var problems = new List<string>();
        var sop = seg.GetString(DicomTags.SOPClassUID);
        if (!DicomSegReader.IsSegmentationSopClass(sop))
        {
            problems.Add($"SOP Class UID {sop ?? "(absent)"} is not Segmentation Storage ({DicomUids.SegmentationStorage}) or Label Map Segmentation Storage ({SegmentationWriter.LabelMapSegmentationStorage})");
            return problems;
        }
        CheckSegments(seg, protocol, problems);
        if (grid is not null) CheckGrid(seg, grid, problems);
        return problems;
    }

    /// <summary>The protocol label whose category and type codes these are, or null.</summary>
    public static ProtocolLabel? LabelOf(SegCode? category, SegCode? type, Protocol protocol) =>
        category is null || type is null ? null
        : protocol.Segments.FirstOrDefault(l => l.Category.SameAs(category.Scheme, category.Value) && l.Type.SameAs(type.Scheme, type.Value));

    static void CheckSegments(DicomDataset seg, Protocol protocol, List<string> problems)
    {
        var segments = seg.GetSequence(DicomTags.SegmentSequence);
        if (segments is not { Items.Count: > 0 }) { problems.Add("no Segment Sequence (0062,0002), or it is empty"); return; }
        var labels = string.Join(", ", protocol.Segments.Select(l => l.Name));
        var taken = new Dictionary<int, string>();
        for (var i = 0; i < segments.Items.Count; i++)
        {
            var item = segments.Items[i];
            var number = item.GetInt32(DicomTags.SegmentNumber)?.ToString(CultureInfo.InvariantCulture) ?? $"(item {i + 1}, no number)";
            var text = item.GetString(DicomTags.SegmentLabel) ?? "";
            var who = $"segment {number} '{text}'";
            var category = CodeOf(item, DicomTags.SegmentedPropertyCategoryCodeSequence);
            var type = CodeOf(item, DicomTags.SegmentedPropertyTypeCodeSequence);
            if (category is null || type is null)
            {
                problems.Add($"{who} has no Segmented Property {(category is null ? "Category" : "Type")} Code Sequence");
                continue;
            }
            var label = LabelOf(category, type, protocol);
            if (label is null)
            {
                var byType = protocol.Segments.FirstOrDefault(l => l.Type.SameAs(type.Scheme, type.Value));
                problems.Add(byType is not null
                    ? $"{who} has category {category} but protocol {protocol.Id}'s label {byType.Name} of type {byType.Type} has category {byType.Category}"
                    : $"{who} has type {type} which is not a label of protocol {protocol.Id} (labels: {labels})");
                continue;
            }
            if (taken.TryGetValue(label.Value, out var other))
                problems.Add($"{who} and {other} are both protocol label {label.Name} ({label.Category}, {label.Type})");
            else taken[label.Value] = who;
        }
    }

    static void CheckGrid(DicomDataset seg, ImageGrid grid, List<string> problems)
    {
        var study = seg.GetString(DicomTags.StudyInstanceUID);
        if (study != grid.StudyInstanceUid) problems.Add($"is of study {study ?? "(none)"}, not the task's study {grid.StudyInstanceUid}");
        var series = seg.GetSequence(DicomTags.ReferencedSeriesSequence)?.Items.Select(s => s.GetString(DicomTags.SeriesInstanceUID)).OfType<string>().ToList() ?? [];
        if (series.Count == 0) problems.Add($"has no Referenced Series Sequence (0008,1115): it does not say it is drawn on the task's series {grid.SeriesInstanceUid}");
        else if (!series.Contains(grid.SeriesInstanceUid)) problems.Add($"references series {string.Join(", ", series)}, not the task's series {grid.SeriesInstanceUid}");
        var frameOfReference = seg.GetString(DicomTags.FrameOfReferenceUID);
        if (grid.FrameOfReferenceUid is not null && frameOfReference != grid.FrameOfReferenceUid)
            problems.Add($"is in Frame of Reference {frameOfReference ?? "(none)"}, not the task's images' {grid.FrameOfReferenceUid}");
        var rows = seg.GetInt32(DicomTags.Rows);
        var columns = seg.GetInt32(DicomTags.Columns);
        if (rows != grid.Rows || columns != grid.Columns)
            problems.Add($"its frames are {columns} x {rows} (Columns x Rows), the task's images {grid.Columns} x {grid.Rows}");

        seg.TryGetFirstItem(DicomTags.SharedFunctionalGroupsSequence, out var shared);
        var perFrame = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)?.Items ?? [];
        DicomDataset? Group(DicomDataset item, DicomTag tag) => item.TryGetFirstItem(tag, out var g) ? g : shared is not null && shared.TryGetFirstItem(tag, out var s) ? s : null;
        var reported = 0;
        for (var f = 0; f < perFrame.Count && reported < 5; f++)
        {
            var item = perFrame[f];
            if (grid.Orientation is { } o && Group(item, DicomTags.PlaneOrientationSequence)?.GetDoubles(DicomTags.ImageOrientationPatient) is { Length: 6 } ori
                && o.Zip(ori, (a, b) => Math.Abs(a - b)).Max() > ImageGrid.OrientationTolerance)
            {
                problems.Add($"frame {f + 1} is oriented ({ImageGrid.Show(ori)}), the task's images ({ImageGrid.Show(o)})");
                reported++;
            }
            if (grid.HasPatientGeometry && Group(item, DicomTags.PixelMeasuresSequence)?.GetDoubles(DicomTags.PixelSpacing) is { Length: 2 } ps
                && (Math.Abs(ps[0] - grid.RowSpacing) + Math.Abs(ps[1] - grid.ColumnSpacing)) * Math.Max(grid.Rows, grid.Columns) > ImageGrid.PositionToleranceMm)
            {
                problems.Add($"frame {f + 1} has pixel spacing ({ImageGrid.Show(ps)}), the task's images ({ImageGrid.Show([grid.RowSpacing, grid.ColumnSpacing])})");
                reported++;
            }
            if (item.TryGetFirstItem(DicomTags.DerivationImageSequence, out var derivation) && derivation.GetSequence(DicomTags.SourceImageSequence) is { } sources)
                foreach (var source in sources.Items)
                    if (source.GetString(DicomTags.ReferencedSOPInstanceUID) is { } uid && grid.SliceOf(uid, source.GetInt32(DicomTags.ReferencedFrameNumber) ?? 0) < 0)
                    {
                        problems.Add($"frame {f + 1} is derived from image {uid}, which is not in the task's series {grid.SeriesInstanceUid}");
                        reported++;
                    }
        }
        if (reported >= 5) problems.Add("(further frames not checked)");
    }

    static SegCode? CodeOf(DicomDataset item, DicomTag sequence)
    {
        if (!item.TryGetFirstItem(sequence, out var code)) return null;
        var value = code.GetString(DicomTags.CodeValue) ?? code.GetString(DicomTags.LongCodeValue) ?? code.GetString(DicomTags.URNCodeValue);
        var scheme = code.GetString(DicomTags.CodingSchemeDesignator) ?? "";
        return value is null ? null : new SegCode(value, scheme, code.GetString(DicomTags.CodeMeaning) ?? "");
    }
}
