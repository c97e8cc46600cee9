using System.Globalization;
using Mira.Annotations.Protocols;
using Mira.Annotations.Reads;
using Mira.Conversion;

namespace Mira.Annotations.Segmentation;

/// <summary>One frame of a written Segmentation: its segment number (0 for a LABELMAP frame, which holds them all) and slice.</summary>
internal readonly record struct SegmentFrame(int Segment, int Slice);

/// <summary>
/// What a <see cref="SegmentationRequest"/> holds, checked against its protocol and grid: the protocol labels present
/// (segment n = the n-th of them in protocol order), their voxels, and the frames and pixels they become.
/// </summary>
internal sealed class SegmentContent
{
    public const int MaxFractional = 255;

    SegmentContent(List<ProtocolLabel> segments, List<bool[]>? masks, List<byte[]>? fractions, bool overlap, int plane, int slices)
    {
        Segments = segments;
        this.masks = masks;
        this.fractions = fractions;
        Overlap = overlap;
        this.plane = plane;
        this.slices = slices;
    }

    readonly List<bool[]>? masks;
    readonly List<byte[]>? fractions;
    readonly int plane, slices;

    public List<ProtocolLabel> Segments { get; }
    public bool Overlap { get; }

    public static SegmentContent From(SegmentationRequest request)
    {
        var grid = request.Grid;
        var protocol = request.Protocol;
        var known = string.Join(", ", protocol.Segments.Select(l => $"{l.Value} {l.Name}"));
        if (request.Type == SegmentationType.Fractional)
        {
            var p = request.Probabilities ?? throw new AnnotationException("a FRACTIONAL Segmentation is written from probability maps; none were given");
            var fractions = new List<byte[]>();
            var labels = new List<ProtocolLabel>();
            foreach (var label in protocol.Segments)
            {
                if (!p.TryGetValue(label.Value, out var map)) continue;
                var q = Quantise(map, label, grid);
                if (q.Any(v => v != 0)) { labels.Add(label); fractions.Add(q); }
            }
            foreach (var value in p.Keys)
                if (protocol.Segments.All(l => l.Value != value))
                    throw new AnnotationException($"probability map for label value {value}, which is not a label of protocol {protocol.Id} (labels: {known})");
            if (labels.Count == 0) throw new AnnotationException($"the probability maps are zero everywhere: nothing to segment");
            return new SegmentContent(labels, null, fractions, false, grid.SliceLength, grid.SliceCount);
        }
        var masks = request.Masks ?? throw new AnnotationException($"a {request.Type} Segmentation is written from label masks; none were given");
        if (masks.Columns != grid.Columns || masks.Rows != grid.Rows || masks.Slices != grid.SliceCount)
            throw new AnnotationException($"the masks are {masks.Columns} x {masks.Rows} x {masks.Slices} voxels, the images of series {grid.SeriesInstanceUid} {grid.Columns} x {grid.Rows} x {grid.SliceCount} (Columns x Rows x Slices)");
        foreach (var value in masks.Labels)
            if (value == 0 || protocol.Segments.All(l => l.Value != value))
                throw new AnnotationException($"the read holds label value {value}, which is not a label of protocol {protocol.Id} (labels: {known})");
        var present = protocol.Segments.Where(l => masks.Count(l.Value) > 0).ToList();
        if (present.Count == 0) throw new AnnotationException($"the read has no voxel of any label: an empty read is not a Segmentation");
        if (present.Count > ushort.MaxValue) throw new AnnotationException($"{present.Count} segments, more than a Segmentation's 65535");
        var overlap = masks.Overlap();
        if (overlap && request.Type == SegmentationType.LabelMap)
        {
            var map = new int[masks.Length];
            foreach (var l in present)
            {
                var m = masks[l.Value];
                for (var i = 0; i < m.Length; i++)
                {
                    if (!m[i]) continue;
                    if (map[i] != 0)
                    {
                        var (c, r, k) = (i % grid.Columns, i / grid.Columns % grid.Rows, i / grid.SliceLength);
                        throw new AnnotationException($"labels {protocol.LabelByValue(map[i])!.Name} and {l.Name} overlap at voxel (column {c}, row {r}, slice {k}): a LABELMAP holds one label per voxel; write BINARY");
                    }
                    map[i] = l.Value;
                }
            }
        }
        return new SegmentContent(present, present.Select(l => masks[l.Value]).ToList(), null, overlap, grid.SliceLength, grid.SliceCount);
    }

    static byte[] Quantise(float[] map, ProtocolLabel label, ImageGrid grid)
    {
        if (map.Length != grid.SliceLength * grid.SliceCount)
            throw new AnnotationException($"the probability map of {label.Name} has {map.Length} values, the images of series {grid.SeriesInstanceUid} {grid.Columns} x {grid.Rows} x {grid.SliceCount} voxels");
        var q = new byte[map.Length];
        for (var i = 0; i < map.Length; i++)
        {
            var v = map[i];
            if (!(v >= 0 && v <= 1))
                throw new AnnotationException($"the probability map of {label.Name} holds {v.ToString("R", CultureInfo.InvariantCulture)} at voxel {i}, not a probability in [0, 1]");
            q[i] = (byte)Math.Round(v * MaxFractional, MidpointRounding.AwayFromZero);
        }
        return q;
    }

    bool SliceHas(int segment, int k)
    {
        if (masks is not null) return masks[segment].AsSpan(k * plane, plane).Contains(true);
        return fractions![segment].AsSpan(k * plane, plane).ContainsAnyExcept((byte)0);
    }

    /// <summary>The frames in order: per segment then slice (BINARY, FRACTIONAL), or one per slice (LABELMAP).</summary>
    public List<SegmentFrame> Frames(SegmentationRequest request)
    {
        var frames = new List<SegmentFrame>();
        if (request.Type == SegmentationType.LabelMap)
        {
            for (var k = 0; k < slices; k++) frames.Add(new SegmentFrame(0, k));
            return frames;
        }
        for (var s = 0; s < Segments.Count; s++)
            for (var k = 0; k < slices; k++)
                if (!request.OmitEmptyFrames || SliceHas(s, k)) frames.Add(new SegmentFrame(s + 1, k));
        return frames;
    }

    /// <summary>The pixels: bits packed across frames, least significant first (PS3.5 §8.1.1) for BINARY; bytes or words otherwise.</summary>
    public NativePixels Pixels(List<SegmentFrame> frames, SegmentationType type)
    {
        switch (type)
        {
            case SegmentationType.Binary:
            {
                var packed = new byte[((long)frames.Count * plane + 7) / 8];
                long bit = 0;
                foreach (var (segment, k) in frames)
                {
                    var slice = masks![segment - 1].AsSpan(k * plane, plane);
                    for (var p = 0; p < plane; p++, bit++)
                        if (slice[p]) packed[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
                return NativePixels.From(packed);
            }
            case SegmentationType.Fractional:
            {
                var bytes = new byte[(long)frames.Count * plane];
                var o = 0;
                foreach (var (segment, k) in frames)
                {
                    fractions![segment - 1].AsSpan(k * plane, plane).CopyTo(bytes.AsSpan(o));
                    o += plane;
                }
                return NativePixels.From(bytes);
            }
            default:
            {
                var wide = Segments.Count > byte.MaxValue;
                var bytes = new byte[(long)frames.Count * plane * (wide ? 2 : 1)];
                for (var s = 0; s < Segments.Count; s++)
                {
                    var m = masks![s];
                    var n = s + 1;
                    for (var i = 0; i < m.Length; i++)
                    {
                        if (!m[i]) continue;
                        if (wide) { bytes[2 * i] = (byte)n; bytes[2 * i + 1] = (byte)(n >> 8); }
                        else bytes[i] = (byte)n;
                    }
                }
                return NativePixels.From(bytes);
            }
        }
    }
}
