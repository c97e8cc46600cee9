using System.Buffers.Binary;
using CsCheck;
using Mira.Dicom.Codecs.Jpeg2000;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

/// <summary>Lossless encoding (.4.90): Mira's round trip, and interoperation with opj_decompress / opj_compress.</summary>
public sealed class EncodeTests
{
    static readonly OpenJpegCodec Codec = new();

    internal static PixelFormat Format(int rows, int cols, int samples, int bitsAllocated, int bitsStored, int signed = 0, int planar = 0, string? photometric = null) =>
        new(rows, cols, samples, bitsAllocated, bitsStored, bitsStored - 1, signed, planar, photometric ?? (samples == 3 ? "RGB" : "MONOCHROME2"), 1);

    /// <summary>Random stored values in range for the format (signed ones sign-extended to Bits Allocated, as stored).</summary>
    internal static byte[] Frame(PixelFormat f, Random rng, bool smooth)
    {
        var frame = new byte[f.FrameLength];
        var count = (int)(f.FrameLength / f.BytesPerSample);
        var bits = f.BitsStored;
        for (var i = 0; i < count; i++)
        {
            long v = smooth ? (i % f.Columns) * 7 + (i / f.Columns) * 3 + rng.Next(4) : rng.NextInt64(1L << bits);
            v &= (1L << bits) - 1;
            if (f.IsSigned && (v >> (bits - 1) & 1) == 1) v -= 1L << bits;
            if (f.BitsAllocated == 8) frame[i] = (byte)v;
            else BinaryPrimitives.WriteInt16LittleEndian(frame.AsSpan(2 * i), (short)v);
        }
        return frame;
    }

    static readonly Gen<(PixelFormat Format, int Seed, bool Smooth)> Frames =
        from allocated in Gen.OneOfConst(8, 16)
        from stored in allocated == 8 ? Gen.OneOfConst(8, 6) : Gen.OneOfConst(12, 16, 10)
        from samples in Gen.OneOfConst(1, 3)
        from signed in samples == 1 ? Gen.Int[0, 1] : Gen.Const(0)
        from planar in samples == 3 ? Gen.Int[0, 1] : Gen.Const(0)
        from photometric in samples == 3 ? Gen.OneOfConst("RGB", "YBR_RCT") : Gen.Const("MONOCHROME2")
        from rows in Gen.Int[1, 40]
        from cols in Gen.Int[1, 70]
        from seed in Gen.Int
        from smooth in Gen.Bool
        select (Format(rows, cols, samples, allocated, stored, signed, planar, photometric), seed, smooth);

    static byte[] Interleaved(byte[] frame, PixelFormat f)
    {
        if (f.PlanarConfiguration == 0 || f.SamplesPerPixel == 1) return frame;
        var pixels = f.Rows * f.Columns;
        var size = f.BytesPerSample;
        var result = new byte[frame.Length];
        for (var s = 0; s < f.SamplesPerPixel; s++)
            for (var p = 0; p < pixels; p++)
                frame.AsSpan((s * pixels + p) * size, size).CopyTo(result.AsSpan((p * f.SamplesPerPixel + s) * size));
        return result;
    }

    [Fact]
    public void Encode_then_decode_returns_the_frame()
    {
        Frames.Sample(t =>
        {
            var frame = Frame(t.Format, new Random(t.Seed), t.Smooth);
            var encoded = Codec.Encode(frame, t.Format);
            Assert.True(J2kHeader.StartsWithCodestream(encoded));
            var header = J2kHeader.Parse(encoded);
            Assert.True(header.Reversible);
            Assert.Equal(t.Format.PhotometricInterpretation == "YBR_RCT", header.MultipleComponentTransform);
            var decoded = new byte[frame.Length];
            var format = Codec.Decode(encoded, t.Format, decoded);
            Assert.Equal(0, format.PlanarConfiguration);
            Assert.Equal(t.Format.SamplesPerPixel == 3 ? "RGB" : "MONOCHROME2", format.PhotometricInterpretation);
            Assert.Equal(Interleaved(frame, t.Format), decoded);
        }, iter: 150);
    }

    [Theory]
    [InlineData(8, 8, 1, 0)]
    [InlineData(16, 12, 1, 0)]
    [InlineData(16, 12, 1, 1)]
    [InlineData(16, 16, 1, 0)]
    [InlineData(16, 16, 1, 1)]
    [InlineData(8, 8, 3, 0)]
    [InlineData(16, 16, 3, 0)]
    public void Round_trip_of_a_512_square_image(int allocated, int stored, int samples, int signed)
    {
        var f = Format(512, 512, samples, allocated, stored, signed, photometric: samples == 3 ? "YBR_RCT" : null);
        var frame = Frame(f, new Random(allocated * 100 + stored * 10 + samples + signed), smooth: true);
        var encoded = Codec.EncodeLossless(frame, f, colourTransform: samples == 3, out var encodedFormat);
        Assert.Equal(samples == 3 ? "YBR_RCT" : "MONOCHROME2", encodedFormat.PhotometricInterpretation);
        Assert.True(encoded.Length < frame.Length, $"{encoded.Length} bytes encoded from {frame.Length}");
        var decoded = new byte[frame.Length];
        Codec.Decode(encoded, encodedFormat, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void Values_above_High_Bit_survive_the_round_trip()
    {
        // Bits Stored 12, but some words use the top 4 bits (overlays, or a writer's garbage): code all 16 bits.
        var f = Format(8, 8, 1, 16, 12);
        var frame = new byte[f.FrameLength];
        for (var i = 0; i < 64; i++) BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(2 * i), (ushort)(i * 1031));
        var encoded = Codec.Encode(frame, f);
        Assert.Equal(16, J2kHeader.Parse(encoded).Components[0].Precision);
        var decoded = new byte[frame.Length];
        Codec.Decode(encoded, f, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void The_codestream_says_what_was_stored()
    {
        var f = Format(16, 16, 1, 16, 12, signed: 1);
        var h = J2kHeader.Parse(Codec.Encode(Frame(f, new Random(1), smooth: false), f));
        Assert.Equal(12, h.Components[0].Precision);
        Assert.True(h.Components[0].Signed);
        Assert.Equal((16, 16), (h.Width, h.Height));
        Assert.False(h.HighThroughput);
    }

    [Fact]
    public void Htj2k_codec_does_not_encode()
    {
        var ht = new OpenJpegCodec(OpenJpegFamily.Htj2k);
        Assert.False(ht.CanEncode);
        Assert.Throws<NotSupportedException>(() => ht.Encode(new byte[4], Format(2, 2, 1, 8, 8)));
    }

    [Fact]
    public void Unsupported_formats_are_refused()
    {
        Assert.Throws<DicomCodecException>(() => Codec.Encode(new byte[16], Format(2, 2, 1, 32, 32)));
        Assert.Throws<DicomCodecException>(() => Codec.Encode(new byte[16], Format(2, 2, 4, 8, 8)));
        Assert.Throws<ArgumentException>(() => Codec.Encode(new byte[3], Format(2, 2, 1, 8, 8)));
    }

    // ---- interoperation with the OpenJPEG command-line tools ----

    [Theory]
    [InlineData(8, 8, 1, "MONOCHROME2")]
    [InlineData(16, 12, 1, "MONOCHROME2")]
    [InlineData(16, 16, 1, "MONOCHROME2")]
    [InlineData(8, 8, 3, "RGB")]
    [InlineData(8, 8, 3, "YBR_RCT")]
    [InlineData(16, 12, 3, "YBR_RCT")]
    public void Opj_decompress_reads_Mira_output_as_the_input(int allocated, int stored, int samples, string photometric)
    {
        var f = Format(97, 130, samples, allocated, stored, photometric: photometric);
        var frame = Frame(f, new Random(stored * samples), smooth: allocated == 16);
        var encoded = Codec.Encode(frame, f);
        var pnm = OpjTools.Decompress(encoded, samples);
        Assert.Equal((130, 97, samples), (pnm.Width, pnm.Height, pnm.Components));
        Assert.Equal(stored, pnm.Precision);
        if (allocated == 8) Assert.Equal(frame, pnm.Samples);
        else Assert.Equal(frame, pnm.Samples); // both little endian after ReadPnm
    }

    [Theory]
    [InlineData(8, 1, ".j2k")]
    [InlineData(12, 1, ".j2k")]
    [InlineData(16, 1, ".j2k")]
    [InlineData(8, 3, ".j2k")]
    [InlineData(12, 1, ".jp2")]
    [InlineData(8, 3, ".jp2")]
    [InlineData(16, 1, ".j2k", "-t", "32,32", "-n", "4")] // 3 × 2 tiles
    [InlineData(8, 3, ".j2k", "-p", "RPCL", "-n", "3")] // progression order, levels
    public void Mira_reads_opj_compress_output_as_the_input(int bits, int samples, string extension, params string[] options)
    {
        var f = Format(61, 83, samples, bits <= 8 ? 8 : 16, bits);
        var frame = Frame(f, new Random(bits + samples), smooth: true);
        var codestream = OpjTools.Compress(OpjTools.WritePnm(frame, f.Columns, f.Rows, samples, (1 << bits) - 1), samples, extension, options);
        Assert.Equal(extension == ".jp2", J2kHeader.Parse(codestream).IsJp2);
        var decoded = new byte[frame.Length];
        Codec.Decode(codestream, f, decoded);
        Assert.Equal(frame, decoded);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 7, 1)]
    [InlineData(7, 1, 3)]
    [InlineData(2, 3, 3)]
    [InlineData(31, 33, 1)]
    public void Tiny_images_round_trip(int rows, int cols, int samples)
    {
        var f = Format(rows, cols, samples, 16, 16, photometric: samples == 3 ? "YBR_RCT" : null);
        var frame = Frame(f, new Random(rows * cols), smooth: false);
        var decoded = new byte[frame.Length];
        Codec.Decode(Codec.Encode(frame, f), f, decoded);
        Assert.Equal(frame, decoded);
    }

    [Fact]
    public void Transcoding_a_corpus_file_to_J2K_lossless_and_back_keeps_the_pixels()
    {
        var source = OpenJpegSetup.Open("dicom/transfer-syntax/dcm_qa_ts/1_explicit_le.dcm");
        var before = PixelArray.From(source).Sha256();
        var encoded = PixelDataTranscoder.Transcode(source, TransferSyntax.Lookup(OpenJpegCodec.Jpeg2000LosslessUid));
        var after = PixelArray.From(PixelData.Create(encoded, TransferSyntax.Lookup(OpenJpegCodec.Jpeg2000LosslessUid)));
        Assert.Equal(before, after.Sha256());
    }
}
