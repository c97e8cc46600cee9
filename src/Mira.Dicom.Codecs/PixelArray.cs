using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mira.Dicom.Codecs;

/// <summary>
/// Decoded pixels laid out as the numpy array pydicom 2.3's <c>Dataset.pixel_array</c> returns, as raw bytes, with
/// its shape and dtype: what the corpus oracle hashes (<c>../shared/corpus/oracle/summary.json</c>), so that Mira's
/// decoders can be compared byte for byte with pydicom, GDCM and DCMTK.
/// </summary>
/// <remarks>
/// The rules, read off the oracle (every native, RLE and deflated file of the corpus):
/// <list type="bullet">
/// <item>Shape (frames, rows, columns, samples), C order; the frames axis is left out when Number of Frames is 1
/// (or absent), the samples axis when Samples per Pixel is 1: [512, 512], [25, 64, 64], [480, 640, 3],
/// [2, 100, 100, 3].</item>
/// <item>Colour by pixel whatever the Planar Configuration or codec (Planar Configuration 1 and RLE's
/// per-sample segments are interleaved).</item>
/// <item>dtype: <c>float32</c>/<c>float64</c> for Float/Double Float Pixel Data; otherwise <c>uint</c> or, for
/// Pixel Representation 1, <c>int</c>, as wide as Bits Allocated (8, 16, 32, 64), whatever Bits Stored says.</item>
/// <item>Bits Allocated 1 is unpacked to one <c>uint8</c> (0 or 1) per pixel, least significant bit first.</item>
/// <item>Little endian, whatever the transfer syntax (big-endian files are swapped).</item>
/// <item>Stored values only: no Modality or VOI LUT, no rescale, no palette, no colour-space conversion, bits above
/// High Bit kept as stored (no sign extension or masking). YBR_FULL_422 native data is upsampled to three samples
/// per pixel (each Cb/Cr pair repeated for its two pixels) and stays YCbCr.</item>
/// <item>Pixel Data longer than the frames need (padding) is cut; shorter is an error (pydicom refuses it).</item>
/// </list>
/// </remarks>
public sealed record PixelArray(byte[] Bytes, int[] Shape, string DType)
{
    /// <summary>numpy's shape text, e.g. "(2, 512, 512)" or "(64,)".</summary>
    public string ShapeText => Shape.Length == 1 ? $"({Shape[0]},)" : "(" + string.Join(", ", Shape) + ")";

    public string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Bytes));

    /// <summary>Decodes every frame and lays the result out as pydicom 2.3 would.</summary>
    public static PixelArray From(PixelData pixels)
    {
        var f = pixels.Format;
        pixels.Limits.CheckAll(f); // every frame is held decoded at once
        var frameLength = checked((int)f.FrameLength);
        var frames = pixels.FrameCount;
        var samples = f.SamplesPerPixel;
        var pixelsPerFrame = f.Rows * f.Columns;
        var itemSize = f.BitsAllocated == 1 ? 1 : f.BytesPerSample;
        var outFrame = checked(pixelsPerFrame * samples * itemSize);
        var output = GC.AllocateUninitializedArray<byte>(checked(outFrame * frames));
        var buffer = new byte[frameLength];
        for (var i = 0; i < frames; i++)
        {
            var decoded = pixels.DecodeFrame(i, buffer);
            var dest = output.AsSpan(i * outFrame, outFrame);
            if (f.BitsAllocated == 1)
                Unpack(buffer, dest);
            else if (decoded.PlanarConfiguration == 1 && decoded.SamplesPerPixel > 1)
                Interleave(buffer, dest, pixelsPerFrame, decoded.SamplesPerPixel, itemSize);
            else
                buffer.AsSpan(0, outFrame).CopyTo(dest);
        }
        var shape = new List<int>(4);
        if (frames > 1) shape.Add(frames);
        shape.Add(f.Rows);
        shape.Add(f.Columns);
        if (samples > 1) shape.Add(samples);
        return new PixelArray(output, [.. shape], DTypeOf(f));
    }

    /// <summary>pydicom's dtype name for a format.</summary>
    public static string DTypeOf(PixelFormat f)
    {
        if (f.IsFloat) return f.BitsAllocated == 64 ? "float64" : "float32";
        var bits = f.BitsAllocated <= 8 ? 8 : f.BitsAllocated <= 16 ? 16 : f.BitsAllocated <= 32 ? 32 : 64;
        return (f.IsSigned ? "int" : "uint") + bits;
    }

    static void Unpack(ReadOnlySpan<byte> packed, Span<byte> dest)
    {
        for (var i = 0; i < dest.Length; i++) dest[i] = (byte)((packed[i >> 3] >> (i & 7)) & 1);
    }

    static void Interleave(ReadOnlySpan<byte> planar, Span<byte> dest, int pixels, int samples, int itemSize)
    {
        for (var s = 0; s < samples; s++)
        {
            var plane = planar.Slice(s * pixels * itemSize, pixels * itemSize);
            for (var p = 0; p < pixels; p++)
                plane.Slice(p * itemSize, itemSize).CopyTo(dest[((p * samples + s) * itemSize)..]);
        }
    }

    /// <summary>The value of element <paramref name="index"/> (C order) as a double, for tests and tools.</summary>
    public double ValueAt(long index)
    {
        var b = Bytes.AsSpan();
        return DType switch
        {
            "uint8" => b[(int)index],
            "int8" => (sbyte)b[(int)index],
            "uint16" => BinaryPrimitives.ReadUInt16LittleEndian(b[(int)(index * 2)..]),
            "int16" => BinaryPrimitives.ReadInt16LittleEndian(b[(int)(index * 2)..]),
            "uint32" => BinaryPrimitives.ReadUInt32LittleEndian(b[(int)(index * 4)..]),
            "int32" => BinaryPrimitives.ReadInt32LittleEndian(b[(int)(index * 4)..]),
            "float32" => BinaryPrimitives.ReadSingleLittleEndian(b[(int)(index * 4)..]),
            "float64" => BinaryPrimitives.ReadDoubleLittleEndian(b[(int)(index * 8)..]),
            "uint64" => BinaryPrimitives.ReadUInt64LittleEndian(b[(int)(index * 8)..]),
            "int64" => BinaryPrimitives.ReadInt64LittleEndian(b[(int)(index * 8)..]),
            _ => throw new InvalidOperationException("unknown dtype " + DType),
        };
    }
}
