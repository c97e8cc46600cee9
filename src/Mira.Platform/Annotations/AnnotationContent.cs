using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;

namespace Mira.Platform.Annotations;

/// <summary>
/// The decoded content of one version: masks on the referenced images' grid (with the voxel spacing in mm along
/// columns, rows and slices, for distance-based agreement), or the protocol form's answers. Agreement, consensus, gold
/// scores and every export are computed from this, whatever the read arrived as (NIfTI, SEG, JSON).
/// </summary>
public sealed class AnnotationContent
{
    AnnotationContent(LabelMasks? masks, double[]? spacing, FormAnswers? form, IReadOnlyList<PolygonAnnotation>? polygons = null)
    {
        Masks = masks;
        Spacing = spacing ?? [1, 1, 1];
        Form = form;
        Polygons = polygons;
    }

    public LabelMasks? Masks { get; }
    public double[] Spacing { get; }
    public FormAnswers? Form { get; }

    /// <summary>Regions drawn on 2D images (slides, photographs), each on its instance and frame.</summary>
    public IReadOnlyList<PolygonAnnotation>? Polygons { get; }

    public string Kind => Masks is not null ? ContentKinds.Masks : Polygons is not null ? ContentKinds.Polygons : ContentKinds.Form;

    public static AnnotationContent Of(IReadOnlyList<PolygonAnnotation> polygons) =>
        polygons.Count == 0 ? throw new AnnotationException("a polygon read holds no polygon") : new(null, null, null, polygons);

    sealed record StoredPolygon(int Label, string Sop, int Frame, double[][] Points);

    public static AnnotationContent Of(LabelMasks masks, double[]? spacing = null)
    {
        if (spacing is { Length: not 3 } || spacing?.Any(s => !(s > 0) || !double.IsFinite(s)) == true)
            throw new ArgumentException("the voxel spacing is three positive numbers (columns, rows, slices)", nameof(spacing));
        return new(masks ?? throw new ArgumentNullException(nameof(masks)), spacing, null);
    }

    public static AnnotationContent Of(FormAnswers form) => new(null, null, form ?? throw new ArgumentNullException(nameof(form)));

    static readonly byte[] MaskMagic = "MIRAMSK1"u8.ToArray();

    /// <summary>
    /// The content as stored in the project's blob folder: the answers as JSON, or the masks gzip-compressed
    /// (<c>MIRAMSK1</c>, columns, rows, slices, spacing ×3, label count, then per label its value and its voxels one bit
    /// each, least significant bit first).
    /// </summary>
    public byte[] ToBytes()
    {
        if (Form is not null) return Encoding.UTF8.GetBytes(Form.ToJson());
        if (Polygons is not null)
            return JsonSerializer.SerializeToUtf8Bytes(Polygons.Select(p => new StoredPolygon(p.Label, p.SopInstanceUid, p.Frame, [.. p.Points.Select(x => new[] { x.X, x.Y })])));
        var m = Masks!;
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            var header = new byte[8 + 12 + 24 + 4];
            MaskMagic.CopyTo(header, 0);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), m.Columns);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), m.Rows);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), m.Slices);
            for (var i = 0; i < 3; i++) BinaryPrimitives.WriteDoubleLittleEndian(header.AsSpan(20 + 8 * i), Spacing[i]);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(44), m.Labels.Count);
            gz.Write(header);
            var bits = new byte[(m.Length + 7) / 8];
            foreach (var label in m.Labels)
            {
                var value = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(value, label);
                gz.Write(value);
                Array.Clear(bits);
                var mask = m[label];
                for (var i = 0; i < mask.Length; i++)
                    if (mask[i]) bits[i >> 3] |= (byte)(1 << (i & 7));
                gz.Write(bits);
            }
        }
        return ms.ToArray();
    }

    /// <summary>Reads back what <see cref="ToBytes"/> wrote, for a version of <paramref name="kind"/> under <paramref name="protocol"/>.</summary>
    public static AnnotationContent FromBytes(string kind, byte[] bytes, Protocol protocol)
    {
        if (kind == ContentKinds.Form)
        {
            using var doc = JsonDocument.Parse(bytes);
            return Of(FormAnswers.Parse(doc.RootElement, protocol, requireAll: false));
        }
        if (kind == ContentKinds.Polygons)
            return Of([.. JsonSerializer.Deserialize<StoredPolygon[]>(bytes)!.Select(p => new PolygonAnnotation(p.Label, p.Sop, p.Frame, [.. p.Points.Select(x => new PointF2(x[0], x[1]))]))]);
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        var header = new byte[48];
        gz.ReadExactly(header);
        if (!header.AsSpan(0, 8).SequenceEqual(MaskMagic)) throw new InvalidDataException("stored masks do not start with MIRAMSK1");
        var masks = new LabelMasks(BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)), BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)),
            BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16)));
        double[] spacing = [.. Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(header.AsSpan(20 + 8 * i)))];
        var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(44));
        var bits = new byte[(masks.Length + 7) / 8];
        var value = new byte[4];
        for (var l = 0; l < count; l++)
        {
            gz.ReadExactly(value);
            gz.ReadExactly(bits);
            var mask = new bool[masks.Length];
            for (var i = 0; i < mask.Length; i++) mask[i] = (bits[i >> 3] & (1 << (i & 7))) != 0;
            masks.Set(BinaryPrimitives.ReadInt32LittleEndian(value), mask);
        }
        return Of(masks, spacing);
    }
}
