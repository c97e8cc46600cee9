using CsCheck;
using Mira.Dicom.Codecs.JpegLs;
using static Mira.Dicom.Codecs.Tests.JpegLs.JpegLsTestImages;

namespace Mira.Dicom.Codecs.Tests.JpegLs;

public class JpegLsRoundTripTests
{
    sealed record Case(int Width, int Height, int Samples, int Bits, Style Style, int Seed, JpegLsInterleaveMode Interleave, int RestartInterval, bool Preset)
    {
        public PixelFormat Format => JpegLsTestImages.Format(Width, Height, Samples, Bits);
    }

    static readonly Gen<Case> Cases =
        from w in Gen.Int[1, 48]
        from h in Gen.Int[1, 24]
        from samples in Gen.OneOfConst(1, 3)
        from bits in Gen.Int[2, 16]
        from style in Gen.Enum<Style>()
        from seed in Gen.Int
        from ilv in Gen.Enum<JpegLsInterleaveMode>()
        from restart in Gen.OneOfConst(0, 0, 1, 3)
        from preset in Gen.Bool
        select new Case(w, h, samples, bits, style, seed, ilv, restart, preset);

    static JpegLsPresetParameters? PresetFor(Case c, int near)
    {
        if (!c.Preset) return null;
        var max = (1 << c.Bits) - 1;
        var t1 = Math.Min(max, near + 2);
        var t2 = Math.Min(max, t1 + 3);
        var t3 = Math.Min(max, t2 + 9);
        return new JpegLsPresetParameters(0, t1, t2, t3, 32);
    }

    [Fact]
    public void Lossless_encode_then_decode_is_identical()
    {
        Cases.Sample(c =>
        {
            var format = c.Format;
            var frame = Create(format, c.Style, c.Seed);
            var codec = new JpegLsCodec(new JpegLsOptions { Interleave = c.Interleave, RestartInterval = c.RestartInterval, Preset = PresetFor(c, 0) });
            var encoded = codec.Encode(frame, format);
            Assert.True(encoded.Length % 2 == 0, "fragments must have an even length");
            var decoded = new byte[format.FrameLength];
            codec.Decode(encoded, format, decoded);
            Assert.Equal(frame, decoded);
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Near_lossless_error_is_at_most_NEAR()
    {
        (from c in Cases from nearSeed in Gen.Int[1, 12] select (c, nearSeed)).Sample(t =>
        {
            var (c, nearSeed) = t;
            var format = c.Format;
            var max = (1 << c.Bits) - 1;
            var near = Math.Min(nearSeed, max / 2);
            var frame = Create(format, c.Style, c.Seed);
            var codec = new JpegLsCodec(new JpegLsOptions { NearLossless = near, Interleave = c.Interleave, RestartInterval = c.RestartInterval, Preset = PresetFor(c, near) });
            Assert.Equal(near > 0 ? JpegLsCodec.NearLosslessUid : JpegLsCodec.LosslessUid, codec.EncodedTransferSyntaxUid);
            var decoded = new byte[format.FrameLength];
            codec.Decode(codec.Encode(frame, format), format, decoded);
            Assert.True(MaxAbsDifference(frame, decoded, format) <= near, $"error above NEAR {near}");
        }, iter: 400, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Planar_colour_input_is_encoded_and_decoded_colour_by_pixel()
    {
        var format = Format(17, 9, 3, 8);
        var byPixel = Create(format, Style.Mixed, 5);
        var planar = new byte[byPixel.Length];
        var plane = 17 * 9;
        for (var i = 0; i < plane; i++)
            for (var c = 0; c < 3; c++) planar[c * plane + i] = byPixel[i * 3 + c];
        var codec = new JpegLsCodec();
        var encoded = codec.Encode(planar, format with { PlanarConfiguration = 1 });
        var decoded = new byte[byPixel.Length];
        var result = codec.Decode(encoded, format with { PlanarConfiguration = 1 }, decoded);
        Assert.Equal(0, result.PlanarConfiguration);
        Assert.Equal(byPixel, decoded);
    }

    [Fact]
    public void Samples_above_bits_stored_are_ignored_when_encoding()
    {
        var format = Format(8, 4, 1, 12);
        var frame = Create(format, Style.Noise, 3);
        var dirty = (byte[])frame.Clone();
        for (var i = 1; i < dirty.Length; i += 2) dirty[i] |= 0xF0;
        var decoded = new byte[frame.Length];
        var codec = new JpegLsCodec();
        codec.Decode(codec.Encode(dirty, format), format, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void An_8_bit_stream_decodes_into_16_bit_samples()
    {
        var f8 = Format(6, 5, 1, 8);
        var frame = Create(f8, Style.Noise, 9);
        var encoded = new JpegLsCodec().Encode(frame, f8);
        var f16 = f8 with { BitsAllocated = 16 };
        var decoded = new byte[f16.FrameLength];
        new JpegLsCodec().Decode(encoded, f16, decoded);
        for (var i = 0; i < frame.Length; i++) Assert.Equal(frame[i], decoded[2 * i] | decoded[2 * i + 1] << 8);
    }

    [Fact]
    public void Mismatched_data_set_attributes_are_reported()
    {
        var format = Format(6, 5, 1, 8);
        var encoded = new JpegLsCodec().Encode(Create(format, Style.Noise, 1), format);
        var e = Assert.Throws<DicomCodecException>(() => new JpegLsCodec().Decode(encoded, format with { Rows = 6 }, new byte[36]));
        Assert.Contains("6×5", e.Message);
        Assert.Throws<DicomCodecException>(() => new JpegLsCodec().Decode(encoded, format with { SamplesPerPixel = 3 }, new byte[90]));
    }

    [Fact]
    public void Encoding_rejects_what_JPEG_LS_cannot_hold()
    {
        var codec = new JpegLsCodec();
        Assert.Throws<DicomCodecException>(() => codec.Encode(new byte[8], Format(2, 2, 1, 16) with { BitsAllocated = 32, BitsStored = 32 }));
        Assert.Throws<DicomCodecException>(() => codec.Encode(new byte[8], Format(2, 2, 1, 8) with { SamplesPerPixel = 2 }));
        Assert.Throws<DicomCodecException>(() => codec.Encode(new byte[12], Format(2, 2, 3, 8) with { PhotometricInterpretation = "YBR_FULL_422" }));
        Assert.Throws<DicomCodecException>(() => codec.Encode(new byte[3], Format(2, 2, 1, 8)));
        Assert.Throws<DicomCodecException>(() => new JpegLsCodec(new JpegLsOptions { NearLossless = 200 }).Encode(new byte[4], Format(2, 2, 1, 8)));
    }
}
