using System.Buffers.Binary;
using CsCheck;
using Mira.Dicom.Codecs.Jpeg;

namespace Mira.Dicom.Codecs.Tests.Jpeg;

public class JpegLosslessRoundTripTests
{
    static readonly JpegCodec Codec = new();

    /// <summary>Random frames: size, bits (8/12/16), samples (1/3), planar configuration, and content that is noise, low-entropy or extremes.</summary>
    static Gen<(PixelFormat Format, byte[] Frame)> Frames(Gen<int> bits) =>
        Gen.Select(Gen.Int[1, 37], Gen.Int[1, 29], bits, Gen.OneOfConst(1, 3), Gen.Int[0, 1], Gen.Int[0, 2])
            .SelectMany(t =>
            {
                var (w, h, b, spp, planar, mode) = t;
                var max = (1 << b) - 1;
                var sample = mode switch
                {
                    0 => Gen.Int[0, max],
                    1 => Gen.Int[0, 3].Select(v => Math.Min(max, (max / 2) + v)),
                    _ => Gen.OneOfConst(0, max, 1, max - 1),
                };
                var ba = b == 8 ? 8 : 16;
                var format = new PixelFormat(h, w, spp, ba, b, b - 1, 0, spp == 3 ? planar : 0, spp == 3 ? "RGB" : "MONOCHROME2", 1);
                return sample.Array[w * h * spp].Select(values =>
                {
                    var frame = new byte[format.FrameLength];
                    for (var i = 0; i < values.Length; i++)
                        if (ba == 8) frame[i] = (byte)values[i];
                        else BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(2 * i), (ushort)values[i]);
                    return (format, frame);
                });
            });

    /// <summary>The frame as colour-by-pixel (the decoder's layout).</summary>
    static byte[] ByPixel(PixelFormat f, byte[] frame)
    {
        if (f.SamplesPerPixel == 1 || f.PlanarConfiguration == 0) return frame;
        var bps = f.BytesPerSample;
        var pixels = f.Rows * f.Columns;
        var o = new byte[frame.Length];
        for (var c = 0; c < 3; c++)
            for (var i = 0; i < pixels; i++)
                frame.AsSpan((c * pixels + i) * bps, bps).CopyTo(o.AsSpan((i * 3 + c) * bps));
        return o;
    }

    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    public void SV1_encode_then_decode_gives_the_frame_back(int bits)
    {
        Frames(Gen.Const(bits)).Sample(t =>
        {
            var (format, frame) = t;
            var jpeg = Codec.Encode(frame, format);
            Assert.True(jpeg.Length % 2 == 0);
            var decoded = new byte[format.FrameLength];
            var result = Codec.Decode(jpeg, format, decoded);
            Assert.Equal(0, result.PlanarConfiguration);
            Assert.Equal(ByPixel(format, frame), decoded);
        }, iter: 150);
    }

    [Fact]
    public void Every_predictor_point_transform_and_restart_interval_decodes_to_the_shifted_frame()
    {
        Gen.Select(Frames(Gen.OneOfConst(2, 7, 8, 12, 15, 16)), Gen.Int[1, 7], Gen.Int[0, 3], Gen.OneOfConst(0, 0, 1, 5, 17, 64)).Sample(t =>
        {
            var ((format, frame), predictor, pt, restart) = t;
            pt = Math.Min(pt, format.BitsStored - 1);
            var jpeg = JpegLosslessEncoder.Encode(frame, format, predictor, pt, restart);
            var decoded = new byte[format.FrameLength];
            Codec.Decode(jpeg, format, decoded);
            var expected = ByPixel(format, frame);
            if (pt > 0)
                for (var i = 0; i < expected.Length / format.BytesPerSample; i++)
                    if (format.BytesPerSample == 1) expected[i] = (byte)(expected[i] >> pt << pt);
                    else BinaryPrimitives.WriteUInt16LittleEndian(expected.AsSpan(2 * i), (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(expected.AsSpan(2 * i)) >> pt << pt));
            Assert.Equal(expected, decoded);
        }, iter: 300);
    }

    [Fact]
    public void Optimised_tables_of_many_categories_stay_within_16_bits()
    {
        // Fibonacci-like frequencies force deep Huffman trees that must be limited (T.81 Figure K.3).
        var freq = new long[17];
        long a = 1, b = 1;
        for (var i = 0; i < 17; i++)
        {
            freq[i] = a;
            (a, b) = (b, a + b);
        }
        var (bits, values, _, size) = JpegLosslessEncoder.BuildTable(freq);
        Assert.Equal(17, values.Length);
        Assert.Equal(17, bits.Sum(x => x));
        Assert.All(size, s => Assert.InRange(s, 1, 16));
        Assert.NotNull(JpegHuffmanTable.Create(bits, values));
    }
}
