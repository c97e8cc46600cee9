using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Rle;

/// <summary>
/// RLE Lossless, 1.2.840.10008.1.2.5 (PS3.5 §8.2.2, Annex G). A frame is a 64-byte header of 16 little-endian
/// uint32 (segment count, then the offset of each segment from the start of the header; unused offsets 0) followed
/// by one PackBits-compressed segment per byte plane: for each sample, its most significant byte first (§G.2).
/// </summary>
/// <remarks>
/// Decoded frames are in the layout of the same frame in Explicit VR Little Endian with the data set's Planar
/// Configuration. Bits Allocated 1 (segmentations) is handled the way other toolkits write it: one segment that
/// holds the frame's bit-packed bytes, the frame starting on a byte boundary.
/// </remarks>
public sealed class RleCodec : IPixelCodec
{
    public const string Uid = "1.2.840.10008.1.2.5";

    /// <summary>The header holds at most 15 segment offsets (§G.5).</summary>
    public const int MaxSegments = 15;

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [Uid];

    public bool CanEncode => true;

    public PixelFormat Decode(ReadOnlySpan<byte> frame, PixelFormat format, Span<byte> destination)
    {
        var layout = Layout.Of(format);
        if (destination.Length < layout.FrameLength)
            throw new ArgumentException($"destination holds {destination.Length} bytes, the frame needs {layout.FrameLength}", nameof(destination));
        if (frame.Length < 64) throw new DicomCodecException($"RLE: frame of {frame.Length} bytes is shorter than the 64-byte RLE header");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (count != layout.Segments)
            throw new DicomCodecException($"RLE: header declares {count} segments; {layout.Segments} expected for {format.SamplesPerPixel} sample(s) of {format.BitsAllocated} bits");
        Span<int> offsets = stackalloc int[MaxSegments + 1];
        for (var i = 0; i < count; i++)
        {
            var o = BinaryPrimitives.ReadUInt32LittleEndian(frame[(4 + 4 * i)..]);
            if (o < 64 || o > frame.Length || (i > 0 && o < offsets[i - 1]))
                throw new DicomCodecException($"RLE: offset {o} of segment {i + 1} is outside the frame ({frame.Length} bytes) or out of order (byte {4 + 4 * i})");
            offsets[i] = (int)o;
        }
        offsets[(int)count] = frame.Length;
        for (var s = 0; s < count; s++)
        {
            var (start, stride) = layout.Placement(s);
            var produced = DecodeSegment(frame[offsets[s]..offsets[s + 1]], destination, start, stride, layout.PlaneLength);
            if (produced < layout.PlaneLength)
                throw new DicomCodecException($"RLE: segment {s + 1} (byte {offsets[s]}) decodes to {produced} bytes, {layout.PlaneLength} expected");
        }
        return format;
    }

    public byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format)
    {
        var layout = Layout.Of(format);
        if (frame.Length < layout.FrameLength)
            throw new ArgumentException($"frame holds {frame.Length} bytes, {layout.FrameLength} expected", nameof(frame));
        // Worst case per row: one header byte per 128 literal bytes.
        var output = new MemoryStream(64 + layout.Segments * (layout.PlaneLength + layout.PlaneLength / 128 + layout.Rows + 2));
        output.Write(new byte[64]);
        Span<byte> header = stackalloc byte[64];
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)layout.Segments);
        var plane = new byte[layout.PlaneLength];
        for (var s = 0; s < layout.Segments; s++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(4 + 4 * s)..], (uint)output.Length);
            var (start, stride) = layout.Placement(s);
            for (int i = 0, p = start; i < plane.Length; i++, p += stride) plane[i] = frame[p];
            for (var row = 0; row < plane.Length; row += layout.RowLength)
                PackBits.Encode(plane.AsSpan(row, Math.Min(layout.RowLength, plane.Length - row)), output);
            if ((output.Length & 1) == 1) output.WriteByte(0); // §G.3.1: padded at its end with zero to an even length
        }
        var bytes = output.ToArray();
        header.CopyTo(bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes one PackBits segment (§G.3.2) into every <paramref name="stride"/>-th byte of
    /// <paramref name="destination"/> from <paramref name="start"/>, stopping after <paramref name="count"/> bytes
    /// (trailing padding and excess output are ignored). Returns how many bytes were produced.
    /// </summary>
    internal static int DecodeSegment(ReadOnlySpan<byte> src, Span<byte> destination, int start, int stride, int count)
    {
        var produced = 0;
        var pos = start;
        var i = 0;
        while (i < src.Length && produced < count)
        {
            int n = src[i++];
            if (n < 128)
            {
                var len = Math.Min(Math.Min(n + 1, src.Length - i), count - produced);
                if (stride == 1) src.Slice(i, len).CopyTo(destination[pos..]);
                else for (var k = 0; k < len; k++) destination[pos + k * stride] = src[i + k];
                i += n + 1;
                produced += len;
                pos += len * stride;
            }
            else if (n > 128)
            {
                if (i >= src.Length) break;
                var b = src[i++];
                var len = Math.Min(257 - n, count - produced);
                if (stride == 1) destination.Slice(pos, len).Fill(b);
                else for (var k = 0; k < len; k++) destination[pos + k * stride] = b;
                produced += len;
                pos += len * stride;
            }
            // n == 128 (-128): no operation.
        }
        return produced;
    }

    /// <summary>Where each segment's bytes go in the decoded frame.</summary>
    readonly record struct Layout(int Segments, int PlaneLength, int RowLength, int Rows, long FrameLength, int Samples, int BytesPerSample, bool Planar)
    {
        public static Layout Of(PixelFormat f)
        {
            if (f.Rows <= 0 || f.Columns <= 0 || f.SamplesPerPixel <= 0)
                throw new DicomCodecException($"RLE: invalid frame size {f.Rows}×{f.Columns}×{f.SamplesPerPixel}");
            if (f.BitsAllocated == 1)
            {
                if (f.SamplesPerPixel != 1) throw new DicomCodecException("RLE: Bits Allocated 1 needs Samples per Pixel 1");
                var packed = checked((int)f.FrameLength);
                return new Layout(1, packed, packed, 1, packed, 1, 1, false);
            }
            if (f.BitsAllocated % 8 != 0 || f.BitsAllocated > 64)
                throw new DicomCodecException($"RLE: Bits Allocated {f.BitsAllocated} is not a whole number of bytes");
            var segments = f.SamplesPerPixel * f.BytesPerSample;
            if (segments > MaxSegments)
                throw new DicomCodecException($"RLE: {f.SamplesPerPixel} sample(s) of {f.BitsAllocated} bits need {segments} segments; the header holds at most {MaxSegments}");
            var plane = checked(f.Rows * f.Columns);
            return new Layout(segments, plane, f.Columns, f.Rows, f.FrameLength, f.SamplesPerPixel, f.BytesPerSample, f.PlanarConfiguration == 1 && f.SamplesPerPixel > 1);
        }

        /// <summary>Segment s holds sample s / bytes, byte (bytes − 1 − s % bytes) of its little-endian value (§G.2: most significant first).</summary>
        public (int Start, int Stride) Placement(int s)
        {
            var sample = s / BytesPerSample;
            var littleEndianByte = BytesPerSample - 1 - s % BytesPerSample;
            return Planar
                ? (sample * PlaneLength * BytesPerSample + littleEndianByte, BytesPerSample)
                : (sample * BytesPerSample + littleEndianByte, Samples * BytesPerSample);
        }
    }
}
