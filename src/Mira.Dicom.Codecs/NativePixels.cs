using Mira.Dicom.Values;

namespace Mira.Dicom.Codecs;

/// <summary>Frames of native (not encapsulated) Pixel Data (PS3.5 §8.1, §A.1–A.3).</summary>
internal static class NativePixels
{
    /// <summary>
    /// The whole value in little-endian byte order. The reader has already swapped a big-endian value by its VR's
    /// unit (OW by 16 bits, OF by 32, OD by 64; OB not at all). Per PS3.5 §8.1.1 and §A.3 that is right for samples of
    /// Bits Allocated ≤ 8 (in OW the first pixel is the low-order byte of each word, in OB the bytes are in order)
    /// and for samples as wide as the VR's unit; wider or narrower samples (e.g. 32-bit samples in OW, or 16-bit in
    /// OB) are big-endian values of their own width, so the reader's swap is undone and the value swapped by the
    /// sample width instead.
    /// </summary>
    public static ReadOnlyMemory<byte> ToLittleEndian(DicomElement element, PixelFormat format, bool bigEndian)
    {
        var bytes = element.Bytes;
        if (!bigEndian || format.BitsAllocated <= 8) return bytes;
        var readerUnit = element.VR is DicomVR.OB or DicomVR.UN ? 1 : DicomVRInfo.UnitSize(element.VR);
        var sampleUnit = format.BytesPerSample;
        if (readerUnit == sampleUnit || sampleUnit is not (2 or 4 or 8)) return bytes;
        var copy = bytes.ToArray();
        var whole = copy.AsSpan(0, copy.Length - copy.Length % Math.Max(readerUnit, sampleUnit));
        if (readerUnit > 1) DicomBinary.SwapInPlace(whole, readerUnit);
        DicomBinary.SwapInPlace(whole, sampleUnit);
        return copy;
    }

    /// <summary>Bytes one frame occupies in the value (YBR_FULL_422 stores two samples per pixel, PS3.3 §C.7.6.3.1.2).</summary>
    public static long StoredFrameBits(PixelFormat f) =>
        f.BitsAllocated == 1 ? (long)f.Rows * f.Columns * f.SamplesPerPixel
        : IsYbr422(f) ? (long)f.Rows * f.Columns * 2 * f.BytesPerSample * 8
        : f.FrameLength * 8;

    public static bool IsYbr422(PixelFormat f) => f.PhotometricInterpretation == "YBR_FULL_422" && f.SamplesPerPixel == 3;

    /// <summary>
    /// Copies frame <paramref name="index"/> into <paramref name="destination"/> (<see cref="PixelFormat.FrameLength"/>
    /// bytes) and returns its format. Bits Allocated 1: frame k starts at bit k × Rows × Columns × Samples of the
    /// value (frames are not byte-aligned, PS3.5 §8.1.1) and is returned starting on bit 0 of byte 0. YBR_FULL_422 is
    /// returned as YBR_FULL, each Cb/Cr pair repeated for the two pixels it covers.
    /// </summary>
    public static PixelFormat CopyFrame(ReadOnlySpan<byte> value, PixelFormat f, int index, Span<byte> destination)
    {
        var frameBits = StoredFrameBits(f);
        var startBit = frameBits * index;
        if (f.BitsAllocated == 1)
        {
            CopyBits(value, startBit, frameBits, destination[..(int)f.FrameLength]);
            return f;
        }
        var start = (int)(startBit / 8);
        var length = (int)(frameBits / 8);
        if (IsYbr422(f))
        {
            ExpandYbr422(value.Slice(start, length), f, destination);
            return f with { PhotometricInterpretation = "YBR_FULL", PlanarConfiguration = 0 };
        }
        value.Slice(start, length).CopyTo(destination);
        return f;
    }

    /// <summary>Copies <paramref name="bitCount"/> bits from <paramref name="startBit"/> (bit 0 = least significant bit of byte 0) to the start of <paramref name="destination"/>.</summary>
    internal static void CopyBits(ReadOnlySpan<byte> source, long startBit, long bitCount, Span<byte> destination)
    {
        var first = (int)(startBit >> 3);
        var shift = (int)(startBit & 7);
        var bytes = (int)((bitCount + 7) >> 3);
        if (shift == 0)
        {
            source.Slice(first, bytes).CopyTo(destination);
        }
        else
        {
            for (var i = 0; i < bytes; i++)
            {
                var lo = source[first + i] >> shift;
                var hi = first + i + 1 < source.Length ? source[first + i + 1] << (8 - shift) : 0;
                destination[i] = (byte)(lo | hi);
            }
        }
        var tail = (int)(bitCount & 7);
        if (tail != 0) destination[bytes - 1] &= (byte)((1 << tail) - 1);
    }

    /// <summary>Y1 Y2 Cb Cr for each pair of pixels (PS3.3 §C.7.6.3.1.2) → (Y1 Cb Cr)(Y2 Cb Cr).</summary>
    static void ExpandYbr422(ReadOnlySpan<byte> src, PixelFormat f, Span<byte> dest)
    {
        var b = f.BytesPerSample;
        var pairs = (long)f.Rows * f.Columns / 2;
        for (long p = 0; p < pairs; p++)
        {
            var s = src.Slice((int)(p * 4 * b), 4 * b);
            var d = dest.Slice((int)(p * 6 * b), 6 * b);
            s[..b].CopyTo(d);                    // Y1
            s.Slice(2 * b, 2 * b).CopyTo(d[b..]); // Cb Cr
            s.Slice(b, b).CopyTo(d[(3 * b)..]);   // Y2
            s.Slice(2 * b, 2 * b).CopyTo(d[(4 * b)..]);
        }
    }
}
