using System.Buffers.Binary;
using Mira.Dicom.Codecs;

namespace Mira.Imaging.Presentation;

/// <summary>
/// The stored values of a decoded frame (native little-endian layout, <see cref="PixelData.DecodeFrame(int, out PixelFormat)"/>)
/// as numbers, colour-by-pixel whatever the Planar Configuration. Integer samples keep the Bits Stored bits below
/// High Bit + 1 and drop the others (PS3.5 §8.1.1, PS3.3 §C.7.6.3.1.1 leaves the unused bits undefined); with
/// Pixel Representation 1 they are two's complement numbers of Bits Stored bits and are sign-extended. Float and
/// Double Float Pixel Data (PS3.3 §C.7.6.24) are read as they are.
/// </summary>
public static class StoredValues
{
    /// <summary>Every stored value of a frame, colour-by-pixel (sample s of pixel p at p × Samples per Pixel + s).</summary>
    public static double[] Read(PixelFormat f, ReadOnlySpan<byte> frame)
    {
        var reader = new StoredValueReader(f, frame);
        var values = new double[reader.Count];
        for (var p = 0; p < reader.Pixels; p++)
            for (var s = 0; s < reader.Samples; s++)
                values[p * reader.Samples + s] = reader.Get(frame, p, s);
        return values;
    }
}

/// <summary>
/// Reads one stored value at a time from a decoded frame (see <see cref="StoredValues"/>), so that rendering needs no
/// copy of the frame as numbers: memory stays at the decoded frame and the rendered image, whatever the frame's size.
/// </summary>
public readonly struct StoredValueReader
{
    readonly int bitsAllocated, shift, bitsStored;
    readonly ulong mask, signBit;
    readonly bool signed, isFloat, planar;

    /// <summary>Checks that <paramref name="frame"/> holds a whole frame of <paramref name="f"/>.</summary>
    public StoredValueReader(PixelFormat f, ReadOnlySpan<byte> frame)
    {
        Pixels = checked(f.Rows * f.Columns);
        Samples = f.SamplesPerPixel;
        Count = checked(Pixels * Samples);
        bitsAllocated = f.BitsAllocated;
        if (bitsAllocated is not (1 or 8 or 16 or 32 or 64)) throw new ImagingException($"Bits Allocated {f.BitsAllocated} is not supported");
        var needed = f.BitsAllocated == 1 ? (Count + 7L) / 8 : (long)Count * f.BytesPerSample;
        if (frame.Length < needed)
            throw new ImagingException($"the decoded frame holds {frame.Length} bytes; {f.Rows}×{f.Columns}×{Samples} samples of {f.BitsAllocated} bits need {needed}");
        planar = f.PlanarConfiguration == 1 && Samples > 1;
        isFloat = f.IsFloat;
        bitsStored = Math.Clamp(f.BitsStored, 1, Math.Max(1, f.BitsAllocated));
        shift = f.HighBit + 1 - bitsStored;
        if (shift < 0 || shift + bitsStored > f.BitsAllocated) shift = 0;
        mask = bitsStored >= 64 ? ulong.MaxValue : (1UL << bitsStored) - 1;
        signBit = 1UL << (bitsStored - 1);
        signed = f.IsSigned;
    }

    public int Pixels { get; }
    public int Samples { get; }
    /// <summary>Pixels × Samples per Pixel.</summary>
    public int Count { get; }

    /// <summary>Sample <paramref name="s"/> of pixel <paramref name="p"/>.</summary>
    public double Get(ReadOnlySpan<byte> frame, int p, int s)
    {
        var i = planar ? s * Pixels + p : p * Samples + s;
        if (isFloat)
            return bitsAllocated == 64 ? BinaryPrimitives.ReadDoubleLittleEndian(frame[(i * 8)..]) : BinaryPrimitives.ReadSingleLittleEndian(frame[(i * 4)..]);
        ulong raw = bitsAllocated switch
        {
            1 => (ulong)((frame[i >> 3] >> (i & 7)) & 1),
            8 => frame[i],
            16 => BinaryPrimitives.ReadUInt16LittleEndian(frame[(i * 2)..]),
            32 => BinaryPrimitives.ReadUInt32LittleEndian(frame[(i * 4)..]),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(frame[(i * 8)..]),
        };
        var v = (raw >> shift) & mask;
        return signed && (v & signBit) != 0
            ? bitsStored >= 64 ? unchecked((long)v) : -(double)((~v + 1) & mask)
            : v;
    }

    /// <summary>The value of a one-sample pixel.</summary>
    public double Get(ReadOnlySpan<byte> frame, int p) => Get(frame, p, 0);
}
