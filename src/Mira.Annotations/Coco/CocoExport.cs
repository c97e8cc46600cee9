using System.Globalization;
using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Dicom;

namespace Mira.Annotations.Coco;

/// <summary>Who made the annotations being exported, and which version of the read they are.</summary>
public sealed record CocoProvenance(string Author, string Version, DateTimeOffset Created);

/// <summary>
/// Writes polygon reads on photographs and slides as COCO object-detection JSON (cocodataset.org "Data format"):
/// images are the referenced instances (width and height their Columns and Rows, file_name, and Mira's
/// mira_sop_instance_uid), categories the protocol's labels (id = the label value, name = the label name), annotations
/// one per polygon (segmentation [[x1, y1, ...]] in pixel coordinates, bbox [x, y, width, height], area in pixels²,
/// iscrowd 0) with an "attributes" block (author, version, and the frame of a multi-frame instance). Checked as the
/// SR writer checks polygons: a label not in the protocol, fewer than 3 points, or an instance not given is refused.
/// </summary>
public static class CocoExport
{
    /// <param name="fileNames">The file name of each instance in the export (by SOP Instance UID); "&lt;SOP Instance UID&gt;.dcm" when absent.</param>
    public static void Write(Stream output, Protocol protocol, IReadOnlyList<DicomDataset> instances, IReadOnlyList<PolygonAnnotation> polygons,
        CocoProvenance provenance, IReadOnlyDictionary<string, string>? fileNames = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(provenance);
        if (instances.Count == 0) throw new AnnotationException("a COCO export needs the images its polygons are drawn on");
        var images = instances.Select((h, i) => ReferencedImage.From(h, i)).ToArray();
        var byUid = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < images.Length; i++)
            if (!byUid.TryAdd(images[i].SopInstanceUid, i + 1)) throw new AnnotationException($"instance {images[i].SopInstanceUid} is given twice");
        for (var i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            var what = $"polygon {i + 1} (label {p.Label})";
            if (protocol.LabelByValue(p.Label) is not { Value: > 0 }) throw new AnnotationException($"{what}: label value {p.Label} is not a label of protocol {protocol.Id}");
            if (p.Points.Count < 3) throw new AnnotationException($"{what}: {p.Points.Count} point(s); a polygon has at least 3");
            if (!byUid.TryGetValue(p.SopInstanceUid, out var id)) throw new AnnotationException($"{what}: instance {p.SopInstanceUid} is not among the exported images");
            images[id - 1].Check(p, what);
        }

        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false });
        w.WriteStartObject();
        w.WriteStartObject("info");
        w.WriteString("description", $"{protocol.Title} ({protocol.Id})");
        w.WriteString("version", provenance.Version);
        w.WriteString("contributor", provenance.Author);
        w.WriteNumber("year", provenance.Created.Year);
        w.WriteString("date_created", provenance.Created.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
        w.WriteString("mira_protocol", protocol.Id);
        w.WriteEndObject();
        w.WriteStartArray("licenses");
        w.WriteEndArray();
        w.WriteStartArray("images");
        for (var i = 0; i < images.Length; i++)
        {
            var im = images[i];
            w.WriteStartObject();
            w.WriteNumber("id", i + 1);
            w.WriteString("file_name", fileNames is not null && fileNames.TryGetValue(im.SopInstanceUid, out var f) ? f : im.SopInstanceUid + ".dcm");
            w.WriteNumber("width", im.Columns);
            w.WriteNumber("height", im.Rows);
            w.WriteString("mira_sop_instance_uid", im.SopInstanceUid);
            w.WriteString("mira_sop_class_uid", im.SopClassUid);
            w.WriteNumber("mira_frames", im.Frames);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (var label in protocol.Segments)
        {
            w.WriteStartObject();
            w.WriteNumber("id", label.Value);
            w.WriteString("name", label.Name);
            w.WriteString("supercategory", protocol.Id);
            w.WriteString("mira_display_name", label.DisplayName);
            w.WriteString("mira_code", $"({label.Type.Code}, {label.Type.Scheme}, \"{label.Type.Meaning}\")");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("annotations");
        for (var i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            w.WriteStartObject();
            w.WriteNumber("id", i + 1);
            w.WriteNumber("image_id", byUid[p.SopInstanceUid]);
            w.WriteNumber("category_id", p.Label);
            w.WriteStartArray("segmentation");
            w.WriteStartArray();
            foreach (var q in p.Points)
            {
                w.WriteNumberValue(q.X);
                w.WriteNumberValue(q.Y);
            }
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteNumber("area", p.Area);
            var b = p.Bounds;
            w.WriteStartArray("bbox");
            w.WriteNumberValue(b.X);
            w.WriteNumberValue(b.Y);
            w.WriteNumberValue(b.Width);
            w.WriteNumberValue(b.Height);
            w.WriteEndArray();
            w.WriteNumber("iscrowd", 0);
            w.WriteStartObject("attributes");
            w.WriteString("author", provenance.Author);
            w.WriteString("version", provenance.Version);
            w.WriteNumber("frame", p.Frame);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The export as a string.</summary>
    public static string ToJson(Protocol protocol, IReadOnlyList<DicomDataset> instances, IReadOnlyList<PolygonAnnotation> polygons,
        CocoProvenance provenance, IReadOnlyDictionary<string, string>? fileNames = null)
    {
        using var ms = new MemoryStream();
        Write(ms, protocol, instances, polygons, provenance, fileNames);
        return System.Text.Encoding.UTF8.GetString(ms.ToArray());
    }
}
