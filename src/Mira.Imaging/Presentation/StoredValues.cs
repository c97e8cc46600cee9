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
    public static double[] Read(PixelFormat f, ReadOnlySpan<byte> frame)
    {
        var pixels = checked(f.Rows * f.Columns);
        var samples = f.SamplesPerPixel;
        var count = checked(pixels * samples);
        var values = new double[count];
        var bytesPer = f.BitsAllocated == 1 ? 0 : f.BytesPerSample;
        var needed = f.BitsAllocated == 1 ? (count + 7) / 8 : (long)count * bytesPer;
        if (frame.Length < needed)
            throw new ImagingException($"the decoded frame holds {frame.Length} bytes; {f.Rows}×{f.Columns}×{samples} samples of {f.BitsAllocated} bits need {needed}");
        var planar = f.PlanarConfiguration == 1 && samples > 1;
        // Position of sample s of pixel p in the frame.
        int Index(int p, int s) => planar ? s * pixels + p : p * samples + s;

        if (f.IsFloat)
        {
            for (var p = 0; p < pixels; p++)
                for (var s = 0; s < samples; s++)
                {
                    var i = Index(p, s);
                    values[p * samples + s] = f.BitsAllocated == 64
                        ? BinaryPrimitives.ReadDoubleLittleEndian(frame[(i * 8)..])
                        : BinaryPrimitives.ReadSingleLittleEndian(frame[(i * 4)..]);
                }
            return values;
        }

        var bitsStored = Math.Clamp(f.BitsStored, 1, Math.Max(1, f.BitsAllocated));
        var shift = f.HighBit + 1 - bitsStored;
        if (shift < 0 || shift + bitsStored > f.BitsAllocated) shift = 0;
        var mask = bitsStored >= 64 ? ulong.MaxValue : (1UL << bitsStored) - 1;
        var signBit = 1UL << (bitsStored - 1);
        var signed = f.IsSigned;
        for (var p = 0; p < pixels; p++)
            for (var s = 0; s < samples; s++)
            {
                var i = Index(p, s);
                ulong raw = f.BitsAllocated switch
                {
                    1 => (ulong)((frame[i >> 3] >> (i & 7)) & 1),
                    8 => frame[i],
                    16 => BinaryPrimitives.ReadUInt16LittleEndian(frame[(i * 2)..]),
                    32 => BinaryPrimitives.ReadUInt32LittleEndian(frame[(i * 4)..]),
                    64 => BinaryPrimitives.ReadUInt64LittleEndian(frame[(i * 8)..]),
                    _ => throw new ImagingException($"Bits Allocated {f.BitsAllocated} is not supported"),
                };
                var v = (raw >> shift) & mask;
                values[p * samples + s] = signed && (v & signBit) != 0
                    ? bitsStored >= 64 ? unchecked((long)v) : -(double)((~v + 1) & mask)
                    : v;
            }
        return values;
    }
}
