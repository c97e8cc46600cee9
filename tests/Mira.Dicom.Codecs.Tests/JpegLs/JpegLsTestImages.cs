using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Tests.JpegLs;

/// <summary>Synthetic native frames that exercise regular mode, run mode and run interruptions.</summary>
internal static class JpegLsTestImages
{
    public enum Style { Noise, Smooth, Flat, Mixed }

    public static PixelFormat Format(int width, int height, int samples, int bits, bool signed = false) =>
        new(height, width, samples, bits <= 8 ? 8 : 16, bits, bits - 1, signed ? 1 : 0, 0, samples == 3 ? "RGB" : "MONOCHROME2", 1);

    /// <summary>A colour-by-pixel native frame with samples in 0 .. 2^bits − 1.</summary>
    public static byte[] Create(PixelFormat format, Style style, int seed)
    {
        var rng = new Random(seed);
        int w = format.Columns, h = format.Rows, n = format.SamplesPerPixel, bits = format.BitsStored;
        var max = (1 << bits) - 1;
        var data = new byte[format.FrameLength];
        var level = rng.Next(max + 1);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var c = 0; c < n; c++)
                {
                    int v = style switch
                    {
                        Style.Noise => rng.Next(max + 1),
                        Style.Smooth => (int)((Math.Sin(x * 0.11 + c) + Math.Cos(y * 0.07 * (c + 1)) + 2) / 4 * max) + rng.Next(3) - 1,
                        Style.Flat => (x / 5 + y / 3) % 4 == 0 ? max : level,
                        _ => (((x / 7) + (y / 5) + c) % 3) switch
                        {
                            0 => level,
                            1 => rng.Next(max + 1),
                            _ => (x * 37 + y * 11 + c * 5) % (max + 1),
                        },
                    };
                    v = Math.Clamp(v, 0, max);
                    var i = (y * w + x) * n + c;
                    if (format.BitsAllocated == 8) data[i] = (byte)v;
                    else BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2 * i), (ushort)v);
                }
        return data;
    }

    public static int Sample(ReadOnlySpan<byte> frame, PixelFormat format, int i) =>
        format.BitsAllocated == 8 ? frame[i] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * i)..]);

    public static int MaxAbsDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, PixelFormat format)
    {
        var samples = format.Rows * format.Columns * format.SamplesPerPixel;
        var max = 0;
        for (var i = 0; i < samples; i++) max = Math.Max(max, Math.Abs(Sample(a, format, i) - Sample(b, format, i)));
        return max;
    }
}
