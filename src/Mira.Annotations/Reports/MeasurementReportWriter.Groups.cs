using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Dicom.Values;
using static Mira.Annotations.Reports.SrItems;
using static Mira.Conversion.DicomAttributes;

namespace Mira.Annotations.Reports;

/// <summary>The measurement groups and qualitative evaluations of a TID 1500 report (PS3.16 TID 1410, 1411, 1501, 4108).</summary>
public static partial class MeasurementReportWriter
{
    static string TrackingUid(MeasurementReportRequest r, string what) =>
        DicomUid.FromHash(SHA256.HashData(Encoding.UTF8.GetBytes($"mira-sr-tracking\n{r.SopInstanceUid}\n{what}")));

    static IEnumerable<DicomDataset> Tracking(MeasurementReportRequest r, string identifier)
    {
        // TID 4108 Tracking Identifier.
        yield return Text(Contains, SrCodes.TrackingIdentifier, Lo(identifier));
        yield return UidRef(Contains, SrCodes.TrackingUniqueIdentifier, TrackingUid(r, identifier));
    }

    static IEnumerable<DicomDataset> Finding(ProtocolLabel label)
    {
        yield return CodeValue(Contains, SrCodes.Finding, label.Type);
        if (label.AnatomicRegion is { } site) yield return CodeValue(HasConceptMod, SrCodes.FindingSite, site);
    }

    /// <summary>TID 1410 Planar ROI Measurements and Qualitative Evaluations, one group per polygon.</summary>
    static IEnumerable<DicomDataset> PolygonGroups(MeasurementReportRequest r, IReadOnlyDictionary<string, ReferencedImage> images)
    {
        var p = r.Protocol;
        var perLabel = new Dictionary<int, int>();
        foreach (var poly in r.Polygons)
        {
            var label = p.LabelByValue(poly.Label)!;
            var image = images[poly.SopInstanceUid];
            var n = perLabel[poly.Label] = perLabel.GetValueOrDefault(poly.Label) + 1;
            // PS3.3 §C.18.6.1.2: in a 2D SCOORD a closed polygon is a POLYLINE whose last point repeats its first
            // (POLYGON is a Graphic Type of SCOORD3D only, §C.18.9.1.2).
            var data = new float[(poly.Points.Count + 1) * 2];
            for (var i = 0; i <= poly.Points.Count; i++)
            {
                var q = poly.Points[i % poly.Points.Count];
                data[2 * i] = (float)q.X;
                data[2 * i + 1] = (float)q.Y;
            }
            var from = Image(SelectedFrom, null, image.SopClassUid, image.SopInstanceUid, image.Frames > 1 ? poly.Frame : null);
            var (areaValue, unit) = image.PixelSpacingMm is { } mm ? (poly.Area * mm.Row * mm.Column, SrCodes.SquareMillimetre) : (poly.Area, SrCodes.SquarePixel);
            var area = p.Measurements.FirstOrDefault(m => m.AppliesTo.Contains(label.Name) && m.Code is { } c && c.SameAs(SrCodes.Area.Scheme, SrCodes.Area.Code))?.Code ?? SrCodes.Area;
            yield return Container(Contains, SrCodes.MeasurementGroup,
                [.. Tracking(r, $"{label.Name} {n}"), .. Finding(label),
                 Scoord(Contains, SrCodes.ImageRegion, "POLYLINE", data, from),
                 Num(Contains, area, areaValue, unit)], "1410");
        }
    }

    /// <summary>The regions whose volumes are reported: the protocol's volume measurements, else every label of the masks.</summary>
    internal static IEnumerable<(string Name, int[] Labels, ProtocolLabel? Label, DerivedRegion? Derived, CodedConcept Concept, string Unit)> VolumeRegions(Protocol p, LabelMasks masks)
    {
        var measured = p.Measurements.Where(m => SrUnits.VolumeScale(m.Unit) is not null).ToArray();
        if (measured.Length == 0)
        {
            foreach (var l in masks.Labels)
                yield return (p.LabelByValue(l)!.Name, [l], p.LabelByValue(l), null, SrCodes.Volume, "mL");
            yield break;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in measured)
            foreach (var name in m.AppliesTo)
            {
                if (!seen.Add(name)) continue;
                if (p.LabelByName(name) is { Value: > 0 } label) yield return (name, [label.Value], label, null, m.Code ?? SrCodes.Volume, m.Unit!);
                else if (p.DerivedRegions.FirstOrDefault(d => d.Name == name) is { } d) yield return (name, [.. d.From], null, d, m.Code ?? SrCodes.Volume, m.Unit!);
            }
    }

    /// <summary>TID 1411 Volumetric ROI Measurements and Qualitative Evaluations, one group per label or derived region.</summary>
    static IEnumerable<DicomDataset> VolumeGroups(MeasurementReportRequest r, IReadOnlyDictionary<string, ReferencedImage> images)
    {
        if (r.Volumes is not { } v) yield break;
        var p = r.Protocol;
        foreach (var region in VolumeRegions(p, v.Masks))
        {
            var voxels = region.Labels.Length == 1 ? v.Masks.Count(region.Labels[0]) : v.Masks.Region(region.Labels).LongCount(b => b);
            var value = voxels * v.VoxelVolumeMm3 / SrUnits.VolumeScale(region.Unit)!.Value;
            var items = new List<DicomDataset>(Tracking(r, region.Name));
            if (region.Label is { } label) items.AddRange(Finding(label));
            else
            {
                items.Add(CodeValue(Contains, SrCodes.Finding, SrCodes.Region(p, region.Derived!)));
                if (region.Labels.Select(l => p.LabelByValue(l)?.AnatomicRegion).FirstOrDefault(a => a is not null) is { } site)
                    items.Add(CodeValue(HasConceptMod, SrCodes.FindingSite, site));
            }
            if (v.SegmentationSopInstanceUid is { } seg)
            {
                if (region.Label is { } l && v.SegmentNumberOf(l.Value) is { } number)
                    items.Add(Image(Contains, SrCodes.ReferencedSegment, DicomUids.SegmentationStorage, seg, segment: number));
                items.Add(UidRef(Contains, SrCodes.SourceSeriesForSegmentation, images.Values.First().SeriesInstanceUid));
            }
            items.Add(Num(Contains, region.Concept, value, SrUnits.Of(region.Unit)));
            yield return Container(Contains, SrCodes.MeasurementGroup, items, "1411");
        }
    }

    /// <summary>The form's integer and number answers as NUM in one TID 1501 group (tracking identifier "form").</summary>
    static DicomDataset? NumberGroup(MeasurementReportRequest r)
    {
        if (r.Answers is not { } a) return null;
        var p = r.Protocol;
        var nums = new List<DicomDataset>();
        foreach (var (name, values) in a.Values)
        {
            var field = p.FieldByName(name)!;
            if (field.Type is not ("integer" or "number")) continue;
            foreach (var text in values)
                nums.Add(Num(Contains, SrCodes.Field(p, field), double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), SrUnits.Of(field.Unit)));
        }
        return nums.Count == 0 ? null : Container(Contains, SrCodes.MeasurementGroup, [.. Tracking(r, FormTrackingIdentifier), .. nums], "1501");
    }

    internal const string FormTrackingIdentifier = "form";

    /// <summary>Enumerated and boolean answers as CODE, free text as TEXT (TID 1500 Qualitative Evaluations).</summary>
    static IEnumerable<DicomDataset> Qualitative(MeasurementReportRequest r)
    {
        if (r.Answers is not { } a) yield break;
        var p = r.Protocol;
        foreach (var (name, values) in a.Values)
        {
            var field = p.FieldByName(name)!;
            var concept = SrCodes.Field(p, field);
            foreach (var text in values)
            {
                if (field.Type is "integer" or "number") continue;
                if (field.Type == "boolean") yield return CodeValue(Contains, concept, text == "true" ? SrCodes.Yes : SrCodes.No);
                else if (field.Values.Count > 0 && field.IndexOf(text) is var i and >= 0) yield return CodeValue(Contains, concept, SrCodes.ValueCode(p, field, field.Values[i]));
                else yield return Text(Contains, concept, text);
            }
        }
    }
}
