using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Dicom;
using static Mira.Annotations.Reports.SrItems;

namespace Mira.Annotations.Reports;

/// <summary>
/// Reads a TID 1500 Measurement Report (PS3.16) back into a read of a protocol: the qualitative evaluations and the
/// form's numbers as <see cref="FormAnswers"/> (checked as a partial form), planar ROI groups with a closed polygon as
/// <see cref="PolygonAnnotation"/>s, and every NUM of every measurement group as a <see cref="RegionMeasurement"/>.
/// Reports of other writers are read where their content maps onto the protocol (codes the protocol gives, Mira's
/// 99MIRA codes, or a field named in Code Meaning); anything that does not is refused naming the item.
/// </summary>
public static class MeasurementReportReader
{
    /// <summary>Reads a Part 10 file's bytes.</summary>
    public static MeasurementReport Read(ReadOnlyMemory<byte> part10, Protocol protocol)
    {
        DicomDataset sr;
        try { sr = Mira.Dicom.IO.DicomFile.Read(part10).Dataset; }
        catch (MiraException e) { throw new AnnotationException($"the report is not a readable DICOM file: {e.Message}"); }
        return Read(sr, protocol);
    }

    public static MeasurementReport Read(DicomDataset sr, Protocol protocol)
    {
        ArgumentNullException.ThrowIfNull(sr);
        ArgumentNullException.ThrowIfNull(protocol);
        var sop = sr.GetString(DicomTags.SOPInstanceUID) ?? "(no SOP Instance UID)";
        if (sr.GetString(DicomTags.ValueType) != "CONTAINER" || !Named(sr, SrCodes.ImagingMeasurementReport))
            throw new AnnotationException($"SR {sop}: the root is {Describe(sr)}, not a TID 1500 Imaging Measurement Report (DCM 126000) container");
        string? author = null;
        var values = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var polygons = new List<PolygonAnnotation>();
        var measurements = new List<RegionMeasurement>();
        var fields = protocol.Fields.ToDictionary(f => f, f => SrCodes.Field(protocol, f));
        foreach (var item in Children(sr))
        {
            if (Named(item, SrCodes.PersonObserverName) && author is null) author = item.GetString(DicomTags.PersonName);
            else if (Named(item, SrCodes.QualitativeEvaluations))
                foreach (var q in Children(item)) Answer(q, protocol, fields, values, sop);
            else if (Named(item, SrCodes.ImagingMeasurements))
                foreach (var g in Children(item))
                    if (Named(g, SrCodes.MeasurementGroup)) Group(g, protocol, fields, values, polygons, measurements, sop);
        }
        var verified = sr.GetString(DicomTags.VerificationFlag) == "VERIFIED";
        string? verifier = null;
        if (sr.TryGetFirstItem(DicomTags.VerifyingObserverSequence, out var vo)) verifier = vo.GetString(DicomTags.VerifyingObserverName);
        FormAnswers? answers = null;
        if (values.Count > 0)
        {
            try { answers = FormAnswers.FromValues(values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value), protocol); }
            catch (AnnotationException e) { throw new AnnotationException($"SR {sop}: {e.Message}"); }
        }
        return new MeasurementReport(sop, author, sr.GetString(DicomTags.CompletionFlag) == "COMPLETE", verified, verifier, answers, polygons, measurements);
    }

    static string Describe(DicomDataset item) => $"{item.GetString(DicomTags.ValueType) ?? "(no value type)"} {Concept(item)?.ToString() ?? "(no concept name)"}";

    static ProtocolField? FieldOf(DicomDataset item, Protocol p, Dictionary<ProtocolField, CodedConcept> fields)
    {
        if (Concept(item) is not { } c) return null;
        foreach (var (f, code) in fields)
            if (code.SameAs(c.Scheme, c.Code)) return f;
        // Another writer's local code: the field named in Code Meaning.
        return p.FieldByName(c.Meaning);
    }

    static void Answer(DicomDataset q, Protocol p, Dictionary<ProtocolField, CodedConcept> fields, SortedDictionary<string, List<string>> values, string sop)
    {
        var field = FieldOf(q, p, fields) ?? throw new AnnotationException($"SR {sop}: qualitative evaluation {Describe(q)} is not a field of protocol {p.Id}");
        string text;
        switch (ValueType(q))
        {
            case "CODE":
                var v = FirstCode(q, DicomTags.ConceptCodeSequence) ?? throw new AnnotationException($"SR {sop}: {Describe(q)} has no coded value");
                if (field.Type == "boolean" && (SrCodes.Yes.SameAs(v.Scheme, v.Code) || SrCodes.No.SameAs(v.Scheme, v.Code)))
                    text = SrCodes.Yes.SameAs(v.Scheme, v.Code) ? "true" : "false";
                else
                    text = field.Values.FirstOrDefault(a => SrCodes.ValueCode(p, field, a).SameAs(v.Scheme, v.Code) || SrCodes.Value(p, field, a).SameAs(v.Scheme, v.Code))?.Value
                        ?? throw new AnnotationException($"SR {sop}: field '{field.Name}': the value {v} is not one the protocol allows ({string.Join(", ", field.Values.Select(a => a.Value))})");
                break;
            case "TEXT":
                text = q.GetString(DicomTags.TextValue) ?? "";
                break;
            case "NUM":
                text = Number(q, sop).Value.ToString("R", CultureInfo.InvariantCulture);
                break;
            default:
                throw new AnnotationException($"SR {sop}: field '{field.Name}' is a {ValueType(q)} item; answers are CODE, TEXT or NUM");
        }
        if (!values.TryGetValue(field.Name, out var list)) values[field.Name] = list = [];
        list.Add(text);
    }

    static (double Value, CodedConcept Unit) Number(DicomDataset num, string sop)
    {
        if (!num.TryGetFirstItem(DicomTags.MeasuredValueSequence, out var mv)) throw new AnnotationException($"SR {sop}: {Describe(num)} has no measured value");
        var unit = FirstCode(mv, DicomTags.MeasurementUnitsCodeSequence) ?? throw new AnnotationException($"SR {sop}: {Describe(num)} has no unit");
        if (mv.TryGetDouble(DicomTags.FloatingPointValue, out var d) && mv.Find(DicomTags.FloatingPointValue)?.VR == DicomVR.FD) return (d, unit);
        var text = mv.GetString(DicomTags.NumericValue);
        if (text is null || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out d) || !double.IsFinite(d))
            throw new AnnotationException($"SR {sop}: {Describe(num)} has the numeric value '{text}', not a number");
        return (d, unit);
    }

    static void Group(DicomDataset g, Protocol p, Dictionary<ProtocolField, CodedConcept> fields, SortedDictionary<string, List<string>> values,
        List<PolygonAnnotation> polygons, List<RegionMeasurement> measurements, string sop)
    {
        var items = Children(g);
        var tracking = items.FirstOrDefault(i => Named(i, SrCodes.TrackingIdentifier))?.GetString(DicomTags.TextValue) ?? "";
        var finding = items.Where(i => Named(i, SrCodes.Finding)).Select(i => FirstCode(i, DicomTags.ConceptCodeSequence)).FirstOrDefault();
        var label = finding is null ? null : LabelOf(p, finding, tracking);
        string? segSop = null;
        int? segment = null;
        if (items.FirstOrDefault(i => Named(i, SrCodes.ReferencedSegment)) is { } seg && seg.TryGetFirstItem(DicomTags.ReferencedSOPSequence, out var r))
        {
            segSop = r.GetString(DicomTags.ReferencedSOPInstanceUID);
            segment = r.GetInt32(DicomTags.ReferencedSegmentNumber);
        }
        foreach (var item in items)
        {
            if (ValueType(item) == "SCOORD" && Named(item, SrCodes.ImageRegion))
            {
                if (label is null) throw new AnnotationException($"SR {sop}: measurement group '{tracking}' draws a region but its finding {finding?.ToString() ?? "(none)"} is not a label of protocol {p.Id}");
                polygons.Add(Polygon(item, label, tracking, sop));
            }
            else if (ValueType(item) == "NUM")
            {
                if (tracking == MeasurementReportWriter.FormTrackingIdentifier && FieldOf(item, p, fields) is not null)
                {
                    Answer(item, p, fields, values, sop);
                    continue;
                }
                var (value, unit) = Number(item, sop);
                measurements.Add(new RegionMeasurement(tracking, label?.Value, Concept(item)!, value, unit, segSop, segment));
            }
        }
    }

    /// <summary>The protocol label whose Type is the finding; when several labels share it, the one named by the tracking identifier.</summary>
    static ProtocolLabel? LabelOf(Protocol p, CodedConcept finding, string tracking)
    {
        var matches = p.Segments.Where(l => l.Type.SameAs(finding.Scheme, finding.Code)).ToArray();
        if (matches.Length <= 1) return matches.FirstOrDefault();
        var name = tracking.Split(' ')[0];
        return matches.FirstOrDefault(l => l.Name == name) ?? matches[0];
    }

    /// <summary>A closed POLYLINE (PS3.3 §C.18.6.1.2; POLYGON accepted from writers that use the SCOORD3D name) selected from one image.</summary>
    static PolygonAnnotation Polygon(DicomDataset scoord, ProtocolLabel label, string tracking, string sop)
    {
        var type = scoord.GetString(DicomTags.GraphicType);
        var where = $"SR {sop}: region '{tracking}'";
        if (type is not ("POLYLINE" or "POLYGON")) throw new AnnotationException($"{where} is a {type}, not a polygon");
        var data = scoord.GetValues<float>(DicomTags.GraphicData);
        if (data.Length % 2 != 0) throw new AnnotationException($"{where}: {data.Length} graphic data values, not column/row pairs");
        var points = new List<PointF2>(data.Length / 2);
        for (var i = 0; i < data.Length; i += 2) points.Add(new PointF2(data[i], data[i + 1]));
        var closed = points.Count > 1 && points[0] == points[^1];
        if (type == "POLYLINE" && !closed) throw new AnnotationException($"{where} is an open polyline (a closed one repeats its first point, PS3.3 §C.18.6.1.2)");
        if (closed) points.RemoveAt(points.Count - 1);
        if (points.Count < 3) throw new AnnotationException($"{where}: {points.Count} distinct points, fewer than a polygon's 3");
        var image = Children(scoord).FirstOrDefault(i => ValueType(i) == "IMAGE" && i.GetString(DicomTags.RelationshipType) == SelectedFrom)
            ?? throw new AnnotationException($"{where} is selected from no image");
        if (!image.TryGetFirstItem(DicomTags.ReferencedSOPSequence, out var r) || r.GetString(DicomTags.ReferencedSOPInstanceUID) is not { } uid)
            throw new AnnotationException($"{where}: its image reference has no SOP Instance UID");
        var frame = r.GetInt32(DicomTags.ReferencedFrameNumber) ?? 1;
        return new PolygonAnnotation(label.Value, uid, frame, points);
    }
}
