using Mira.Imaging.Volumes;

namespace Mira.Imaging.Segmentation;

/// <summary>Segmentation Type (0062,0001) of a Segmentation instance, PS3.3 §C.8.20.2.</summary>
public enum SegmentationKind
{
    /// <summary>BINARY: one bit per pixel, each frame belongs to one segment.</summary>
    Binary,
    /// <summary>FRACTIONAL: probability or occupancy 0…Maximum Fractional Value (0062,000E); thresholded on reading.</summary>
    Fractional,
    /// <summary>LABELMAP (Label Map Segmentation Storage): pixel values are segment numbers.</summary>
    LabelMap,
}

/// <summary>A code triplet (Code Value, Coding Scheme Designator, Code Meaning), PS3.3 §8.8.</summary>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}

/// <summary>One item of the Segment Sequence (0062,0002), PS3.3 §C.8.20.2 (Segment Description Macro, Table 10-25).</summary>
public sealed record SegmentDescription(int Number, string? Label, string? AlgorithmType, string? AlgorithmName, CodedConcept? Category, CodedConcept? PropertyType);

/// <summary>
/// One frame of a Segmentation as placed by <see cref="DicomSegReader"/>: its frame number (from 1), the segment it
/// holds (for a label map, one entry per segment present in the frame), the slice index it lands on, its Image
/// Position (Patient) and the number of foreground pixels it contributes.
/// </summary>
public sealed record SegmentationFrame(int FrameNumber, int SegmentNumber, int SliceIndex, double[] Position, long ForegroundCount)
{
    /// <summary>Foreground pixels, one bit per pixel, row by row, bit 0 of byte 0 first.</summary>
    internal byte[] Bits { get; init; } = [];
}

/// <summary>
/// A DICOM Segmentation read onto a regular voxel grid: <see cref="Geometry"/> places voxel (i, j, k) in the
/// patient as for the NIfTI and MetaImage readers (i along a row, j down a column, k along the slice normal);
/// each segment becomes a 0/1 mask volume of <see cref="Size"/>. Slices that no frame covers are empty.
/// </summary>
public sealed class DicomSegmentation
{
    readonly Dictionary<int, SegmentDescription> byNumber;

    internal DicomSegmentation(string source, SegmentationKind kind, string? fractionalType, int? maximumFractionalValue, double fractionalThreshold,
        IReadOnlyList<SegmentDescription> segments, int columns, int rows, int slices, VolumeGeometry geometry,
        IReadOnlyList<SegmentationFrame> frames, string? frameOfReferenceUid, string? sopInstanceUid, IReadOnlyList<string> warnings)
    {
        Source = source;
        Kind = kind;
        FractionalType = fractionalType;
        MaximumFractionalValue = maximumFractionalValue;
        FractionalThreshold = fractionalThreshold;
        Segments = segments;
        byNumber = segments.ToDictionary(s => s.Number);
        Columns = columns;
        Rows = rows;
        SliceCount = slices;
        Geometry = geometry;
        Frames = frames;
        FrameOfReferenceUid = frameOfReferenceUid;
        SopInstanceUid = sopInstanceUid;
        Warnings = warnings;
    }

    /// <summary>The file (or description) the instance was read from, used in messages.</summary>
    public string Source { get; }
    public SegmentationKind Kind { get; }
    /// <summary>Segmentation Fractional Type (0062,0010): PROBABILITY or OCCUPANCY; null unless FRACTIONAL.</summary>
    public string? FractionalType { get; }
    /// <summary>Maximum Fractional Value (0062,000E); null unless FRACTIONAL.</summary>
    public int? MaximumFractionalValue { get; }
    /// <summary>The fraction of <see cref="MaximumFractionalValue"/> at or above which a FRACTIONAL pixel counted as foreground.</summary>
    public double FractionalThreshold { get; }
    /// <summary>The Segment Sequence (0062,0002), in file order.</summary>
    public IReadOnlyList<SegmentDescription> Segments { get; }
    public int Columns { get; }
    public int Rows { get; }
    public int SliceCount { get; }
    /// <summary>Grid extents (columns, rows, slices).</summary>
    public int[] Size => [Columns, Rows, SliceCount];
    public VolumeGeometry Geometry { get; }
    public IReadOnlyList<SegmentationFrame> Frames { get; }
    public string? FrameOfReferenceUid { get; }
    public string? SopInstanceUid { get; }
    /// <summary>What was noticed on reading that did not stop it (e.g. a Spacing Between Slices that disagrees with the positions).</summary>
    public IReadOnlyList<string> Warnings { get; }

    public SegmentDescription? Find(int segmentNumber) => byNumber.GetValueOrDefault(segmentNumber);

    /// <summary>Foreground voxels of segment <paramref name="segmentNumber"/>.</summary>
    public long ForegroundCount(int segmentNumber) => Frames.Where(f => f.SegmentNumber == segmentNumber).Sum(f => f.ForegroundCount);

    /// <summary>The 0/1 UInt8 mask of one segment on the grid.</summary>
    public Volume Mask(int segmentNumber)
    {
        if (!byNumber.ContainsKey(segmentNumber))
            throw new ImagingException($"{Source}: segment {segmentNumber} is not in the Segment Sequence (0062,0002) (segments: {string.Join(", ", Segments.Select(s => s.Number))})");
        return Paint(f => f.SegmentNumber == segmentNumber ? (byte)1 : (byte)0, UInt8Only: true);
    }

    /// <summary>The 0/1 UInt8 mask of the voxels that belong to any of <paramref name="segmentNumbers"/> (all segments when null).</summary>
    public Volume Union(IEnumerable<int>? segmentNumbers = null)
    {
        var set = segmentNumbers?.ToHashSet();
        if (set is not null)
            foreach (var n in set)
                if (!byNumber.ContainsKey(n)) throw new ImagingException($"{Source}: segment {n} is not in the Segment Sequence (0062,0002)");
        // A label map's segment 0 is conventionally the background: "any segment" leaves it out unless asked for.
        return Paint(f => (set is null ? f.SegmentNumber != 0 || Kind != SegmentationKind.LabelMap : set.Contains(f.SegmentNumber)) ? (byte)1 : (byte)0, UInt8Only: true);
    }

    /// <summary>True when some voxel belongs to two segments.</summary>
    public bool SegmentsOverlap()
    {
        var plane = Columns * Rows;
        foreach (var slice in Frames.GroupBy(f => f.SliceIndex))
        {
            var seen = new byte[(plane + 7) / 8];
            foreach (var f in slice)
                for (var b = 0; b < seen.Length; b++)
                {
                    if ((seen[b] & f.Bits[b]) != 0) return true;
                    seen[b] |= f.Bits[b];
                }
        }
        return false;
    }

    /// <summary>
    /// One label volume whose voxels hold segment numbers (0 where no segment), UInt8 when every number fits, UInt16
    /// otherwise. Refused when segments overlap: use <see cref="Mask"/> per segment then.
    /// </summary>
    public Volume LabelVolume()
    {
        if (SegmentsOverlap())
            throw new ImagingException($"{Source}: segments overlap, so they cannot share one label volume; read them one by one");
        var wide = Segments.Any(s => s.Number > byte.MaxValue);
        return Paint(f => f.SegmentNumber, UInt8Only: !wide);
    }

    Volume Paint(Func<SegmentationFrame, int> value, bool UInt8Only)
    {
        var type = UInt8Only ? VoxelType.UInt8 : VoxelType.UInt16;
        var volume = Volume.Create(Size, type, Geometry);
        var plane = Columns * Rows;
        var data = volume.Data;
        var size = type.Size();
        foreach (var f in Frames)
        {
            var v = value(f);
            if (v == 0) continue;
            var start = (long)f.SliceIndex * plane;
            var bits = f.Bits;
            for (var p = 0; p < plane; p++)
            {
                if ((bits[p >> 3] & (1 << (p & 7))) == 0) continue;
                var o = (start + p) * size;
                data[o] = (byte)v;
                if (size == 2) data[o + 1] = (byte)(v >> 8);
            }
        }
        return volume;
    }

    public override string ToString() =>
        $"{Source}: {Kind} segmentation, {Segments.Count} segment(s), {Frames.Count} frame(s) on {Columns}×{Rows}×{SliceCount}, {Geometry}";
}
