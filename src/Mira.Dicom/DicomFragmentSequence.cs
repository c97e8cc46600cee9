using System.Buffers.Binary;
using Mira.Dicom.IO;

namespace Mira.Dicom;

/// <summary>One item of encapsulated Pixel Data: a fragment of compressed frame data (PS3.5 §A.4).</summary>
public sealed class DicomFragment
{
    ValueBytes value;

    public DicomFragment(ReadOnlyMemory<byte> value) => this.value = new ValueBytes(value);
    public DicomFragment(LazyValue value) => this.value = new ValueBytes(value);

    public long Offset { get; init; } = -1;
    public long Length => value.Length;
    public bool IsLazy => value.IsLazy;

    public ReadOnlyMemory<byte> Bytes => value.Get();
}

/// <summary>
/// Encapsulated Pixel Data (PS3.5 §A.4): a Basic Offset Table item followed by fragments, exposed as fragments
/// and as frames without decoding.
/// </summary>
public sealed class DicomFragmentSequence : DicomElement
{
    public DicomFragmentSequence(DicomTag tag, DicomVR vr, uint[] basicOffsetTable, IEnumerable<DicomFragment> fragments)
        : base(tag, vr)
    {
        BasicOffsetTable = basicOffsetTable;
        Fragments = [.. fragments];
    }

    /// <summary>Offsets of each frame's first fragment, relative to the first fragment's item tag; empty when absent.</summary>
    public uint[] BasicOffsetTable { get; }

    public List<DicomFragment> Fragments { get; }

    public override long Length => -1;

    /// <summary>
    /// Splits the fragments into frames (PS3.5 §A.4): by the Extended Offset Table when given (7FE0,0001/0002),
    /// else by the Basic Offset Table, else one frame per fragment when counts match, else all fragments form
    /// one frame when there is one frame, else by JPEG start-of-image markers at fragment starts.
    /// </summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> GetFrames(int numberOfFrames, ulong[]? extendedOffsets = null, ulong[]? extendedLengths = null)
    {
        if (numberOfFrames < 1) numberOfFrames = 1;
        if (extendedOffsets is { Length: > 0 })
        {
            var all = Concatenate(0, Fragments.Count);
            var frames = new List<ReadOnlyMemory<byte>>();
            for (var i = 0; i < extendedOffsets.Length; i++)
            {
                var start = (int)extendedOffsets[i];
                var len = extendedLengths is { } l && i < l.Length ? (int)l[i]
                    : (i + 1 < extendedOffsets.Length ? (int)extendedOffsets[i + 1] : all.Length) - start;
                frames.Add(all.AsMemory(start, len));
            }
            return frames;
        }
        if (BasicOffsetTable.Length > 0)
        {
            // Map each offset to the index of the fragment whose item starts there (8 bytes of item header per fragment).
            var starts = new List<int>();
            long pos = 0;
            var offsetToIndex = new Dictionary<long, int>();
            for (var i = 0; i < Fragments.Count; i++)
            {
                offsetToIndex[pos] = i;
                pos += 8 + Fragments[i].Length;
            }
            foreach (var o in BasicOffsetTable)
                if (offsetToIndex.TryGetValue(o, out var idx)) starts.Add(idx);
                else throw new DicomFormatException(DicomReadProblemCode.InvalidOffsetTable, $"Basic Offset Table entry {o} does not point at a fragment", Tag, Offset);
            return SplitAt(starts);
        }
        if (Fragments.Count == numberOfFrames) return Fragments.Select(f => f.Bytes).ToList();
        if (numberOfFrames == 1) return [Concatenate(0, Fragments.Count)];
        var jpegStarts = new List<int>();
        for (var i = 0; i < Fragments.Count; i++)
        {
            var b = Fragments[i].Bytes.Span;
            if (IsFrameStart(b)) jpegStarts.Add(i);
        }
        if (jpegStarts.Count == numberOfFrames && jpegStarts[0] == 0) return SplitAt(jpegStarts);
        throw new DicomFormatException(DicomReadProblemCode.InvalidOffsetTable, $"cannot split {Fragments.Count} fragments into {numberOfFrames} frames without an offset table", Tag, Offset);
    }

    static bool IsFrameStart(ReadOnlySpan<byte> b) =>
        b.Length >= 4 && ((b[0] == 0xFF && b[1] == 0xD8) // JPEG / JPEG-LS SOI
                          || (b[0] == 0xFF && b[1] == 0x4F && b[2] == 0xFF && b[3] == 0x51) // J2K SOC + SIZ
                          || BinaryPrimitives.ReadUInt32BigEndian(b) == 0x0000000C); // JP2 signature box

    List<ReadOnlyMemory<byte>> SplitAt(List<int> starts)
    {
        var frames = new List<ReadOnlyMemory<byte>>(starts.Count);
        for (var i = 0; i < starts.Count; i++)
        {
            var end = i + 1 < starts.Count ? starts[i + 1] : Fragments.Count;
            frames.Add(Concatenate(starts[i], end));
        }
        return frames;
    }

    byte[] Concatenate(int from, int to)
    {
        if (to - from == 1) return Fragments[from].Bytes.ToArray();
        long total = 0;
        for (var i = from; i < to; i++) total += Fragments[i].Length;
        var buffer = new byte[total];
        var pos = 0;
        for (var i = from; i < to; i++)
        {
            Fragments[i].Bytes.Span.CopyTo(buffer.AsSpan(pos));
            pos += (int)Fragments[i].Length;
        }
        return buffer;
    }
}
