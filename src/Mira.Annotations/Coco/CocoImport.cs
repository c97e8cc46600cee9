using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Annotations.Reports;
using Mira.Dicom;

namespace Mira.Annotations.Coco;

/// <summary>The polygons of a COCO file, each on its instance and frame, and who made them when the file says.</summary>
public sealed record CocoRead(IReadOnlyList<PolygonAnnotation> Polygons, string? Author, string? Version);

/// <summary>
/// Reads COCO object-detection JSON (photographs and slides) into polygon reads of a protocol. Each COCO image is
/// matched to one of the given instances by mira_sop_instance_uid, else by file_name (the name, or the name without
/// its extension, equal to a SOP Instance UID, or found in <c>fileNames</c>); its width and height must be the
/// instance's Columns and Rows. Each category must be a label of the protocol (by name, and by value when its id is
/// one). Segmentations must be polygons: RLE masks and crowd regions are refused. Limits: at most
/// <see cref="MaxBytes"/> of JSON and <see cref="MaxPoints"/> vertices in all.
/// </summary>
public static class CocoImport
{
    public const long MaxBytes = 64L << 20;
    public const int MaxPoints = 1_000_000;

    /// <param name="instances">The headers of the images the annotations may be drawn on.</param>
    /// <param name="fileNames">Optional: COCO file_name → SOP Instance UID.</param>
    public static CocoRead Read(Stream json, Protocol protocol, IReadOnlyList<DicomDataset> instances, IReadOnlyDictionary<string, string>? fileNames = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(protocol);
        var bytes = ReadLimited(json);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new AnnotationException($"the COCO file is not JSON: {e.Message}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new AnnotationException("the COCO file is not a JSON object");
            var known = instances.Select((h, i) => ReferencedImage.From(h, i)).ToDictionary(i => i.SopInstanceUid, StringComparer.Ordinal);
            var images = Images(root, known, fileNames);
            var categories = Categories(root, protocol);
            var polygons = new List<PolygonAnnotation>();
            var points = 0L;
            foreach (var (a, index) in Array(root, "annotations").Select((a, i) => (a, i)))
            {
                var where = $"annotation {(a.TryGetProperty("id", out var aid) ? aid.ToString() : "#" + (index + 1))}";
                if (a.TryGetProperty("iscrowd", out var crowd) && crowd.ValueKind == JsonValueKind.Number && crowd.GetInt32() != 0)
                    throw new AnnotationException($"{where}: a crowd region (iscrowd 1, an RLE mask) is not a polygon; Mira imports polygon segmentations only");
                var image = images.TryGetValue(Int(a, "image_id", where), out var im) ? im : throw new AnnotationException($"{where}: image_id {Int(a, "image_id", where)} is not an image of the file");
                var categoryId = Int(a, "category_id", where);
                var label = categories.TryGetValue(categoryId, out var l) ? l : throw new AnnotationException($"{where}: category_id {categoryId} is not a category of the file");
                var frame = 1;
                if (a.TryGetProperty("attributes", out var attrs) && attrs.ValueKind == JsonValueKind.Object && attrs.TryGetProperty("frame", out var fr)
                    && (fr.ValueKind != JsonValueKind.Number || !fr.TryGetInt32(out frame)))
                    throw new AnnotationException($"{where}: attributes.frame {fr} is not a frame number");
                if (!a.TryGetProperty("segmentation", out var seg)) throw new AnnotationException($"{where} has no segmentation");
                if (seg.ValueKind == JsonValueKind.Object) throw new AnnotationException($"{where}: an RLE segmentation (counts and size) is not a polygon; Mira imports polygon segmentations only");
                if (seg.ValueKind != JsonValueKind.Array || seg.GetArrayLength() == 0) throw new AnnotationException($"{where}: the segmentation is not a list of polygons");
                foreach (var ring in seg.EnumerateArray())
                {
                    if (ring.ValueKind != JsonValueKind.Array) throw new AnnotationException($"{where}: a segmentation polygon is not a list of coordinates");
                    var n = ring.GetArrayLength();
                    if (n % 2 != 0) throw new AnnotationException($"{where}: a polygon of {n} coordinates, not x, y pairs");
                    if (n < 6) throw new AnnotationException($"{where}: a polygon of {n / 2} point(s); at least 3 are needed");
                    points += n / 2;
                    if (points > MaxPoints) throw new AnnotationException($"the COCO file has more than {MaxPoints} polygon points");
                    var vertices = new List<PointF2>(n / 2);
                    for (var i = 0; i < n; i += 2)
                    {
                        var (x, y) = (ring[i], ring[i + 1]);
                        if (x.ValueKind != JsonValueKind.Number || y.ValueKind != JsonValueKind.Number) throw new AnnotationException($"{where}: coordinate {i} is not a number");
                        vertices.Add(new PointF2(x.GetDouble(), y.GetDouble()));
                    }
                    var polygon = new PolygonAnnotation(label.Value, image.SopInstanceUid, frame, vertices);
                    image.Check(polygon, where);
                    polygons.Add(polygon);
                }
            }
            string? author = null, version = null;
            if (root.TryGetProperty("info", out var info) && info.ValueKind == JsonValueKind.Object)
            {
                if (info.TryGetProperty("contributor", out var c) && c.ValueKind == JsonValueKind.String) author = c.GetString();
                if (info.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String) version = v.GetString();
            }
            return new CocoRead(polygons, author, version);
        }
    }

    static byte[] ReadLimited(Stream json)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = json.Read(chunk)) > 0)
        {
            if (buffer.Length + n > MaxBytes) throw new AnnotationException($"the COCO file is larger than {MaxBytes >> 20} MiB");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : throw new AnnotationException($"the COCO file has no \"{name}\" list");

    static long Int(JsonElement e, string name, string where) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : throw new AnnotationException($"{where} has no integer \"{name}\"");

    static Dictionary<long, ReferencedImage> Images(JsonElement root, Dictionary<string, ReferencedImage> known, IReadOnlyDictionary<string, string>? fileNames)
    {
        var result = new Dictionary<long, ReferencedImage>();
        foreach (var im in Array(root, "images"))
        {
            var id = Int(im, "id", "an image");
            var name = im.TryGetProperty("file_name", out var fn) && fn.ValueKind == JsonValueKind.String ? fn.GetString()! : "";
            var where = $"image {id} ('{name}')";
            ReferencedImage? match = null;
            if (im.TryGetProperty("mira_sop_instance_uid", out var u) && u.ValueKind == JsonValueKind.String)
                match = known.GetValueOrDefault(u.GetString()!) ?? throw new AnnotationException($"{where}: SOP Instance UID {u.GetString()} is not among the given instances");
            else
            {
                var file = Path.GetFileName(name);
                foreach (var candidate in new[] { name, file, Path.GetFileNameWithoutExtension(file) })
                    if (match is null && candidate.Length > 0)
                        match = known.GetValueOrDefault(candidate) ?? (fileNames is not null && fileNames.TryGetValue(candidate, out var uid) ? known.GetValueOrDefault(uid) : null);
                if (match is null) throw new AnnotationException($"{where} matches none of the given instances (by mira_sop_instance_uid or file name)");
            }
            var (w, h) = (Int(im, "width", where), Int(im, "height", where));
            if (w != match.Columns || h != match.Rows)
                throw new AnnotationException($"{where} is {w} x {h} but instance {match.SopInstanceUid} is {match.Columns} x {match.Rows}: its coordinates would not be the instance's pixels");
            if (!result.TryAdd(id, match)) throw new AnnotationException($"image id {id} appears twice");
        }
        return result;
    }

    static Dictionary<long, ProtocolLabel> Categories(JsonElement root, Protocol protocol)
    {
        var result = new Dictionary<long, ProtocolLabel>();
        foreach (var c in Array(root, "categories"))
        {
            var id = Int(c, "id", "a category");
            var name = c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : null;
            var byName = name is null ? null : protocol.Segments.FirstOrDefault(l => l.Name == name || l.DisplayName == name);
            var byValue = protocol.LabelByValue(id) is { Value: > 0 } v ? v : null;
            var label = name is null ? byValue : byName;
            if (label is null)
                throw new AnnotationException($"category {id} '{name}' is not a label of protocol {protocol.Id} (its labels: {string.Join(", ", protocol.Segments.Select(l => $"{l.Value} {l.Name}"))})");
            if (!result.TryAdd(id, label)) throw new AnnotationException($"category id {id} appears twice");
        }
        return result;
    }
}
