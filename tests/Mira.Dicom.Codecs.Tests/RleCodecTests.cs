using System.Buffers.Binary;
using CsCheck;
using Mira.Dicom.Codecs.Rle;

namespace Mira.Dicom.Codecs.Tests;

public class RleCodecTests
{
    static PixelFormat Format(int rows, int cols, int samples, int bits, int planar = 0, int frames = 1) =>
        new(rows, cols, samples, bits, bits, bits - 1, 0, planar, samples == 3 ? "RGB" : "MONOCHROME2", frames);

    static readonly Gen<(PixelFormat Format, byte[] Frame)> Frames =
        from bits in Gen.OneOfConst(1, 8, 16, 32)
        from samples in bits == 1 ? Gen.Const(1) : Gen.OneOfConst(1, 3)
        from rows in Gen.Int[1, 24]
        from cols in Gen.Int[1, 300]
        from planar in Gen.Int[0, 1]
        let format = Format(rows, cols, samples, bits, samples == 3 ? planar : 0)
        // Small alphabets make runs, which PackBits must find; full bytes make literals.
        from frame in Gen.OneOf(Gen.Byte.Array[(int)format.FrameLength], Gen.Byte[0, 2].Array[(int)format.FrameLength], Gen.Byte[7, 7].Array[(int)format.FrameLength])
        select (format, frame);

    [Fact]
    public void Encode_then_decode_returns_the_frame()
    {
        var codec = new RleCodec();
        Frames.Sample(t =>
        {
            var encoded = codec.Encode(t.Frame, t.Format);
            var decoded = new byte[t.Frame.Length];
            Assert.Equal(t.Format, codec.Decode(encoded, t.Format, decoded));
            Assert.Equal(t.Frame, decoded);
        }, iter: 400);
    }

    [Fact]
    public void Encoded_frames_have_a_16_word_header_and_even_segments_most_significant_byte_first()
    {
        var codec = new RleCodec();
        Frames.Sample(t =>
        {
            var encoded = codec.Encode(t.Frame, t.Format);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
            Assert.Equal(t.Format.BitsAllocated == 1 ? 1 : t.Format.SamplesPerPixel * t.Format.BytesPerSample, (int)count);
            Assert.Equal(64u, BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(4)));
            for (var i = (int)count + 1; i < 16; i++) Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(4 * i)));
            for (var i = 1; i <= count; i++) Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(4 * i)) % 2);
            Assert.Equal(0, encoded.Length % 2);
        }, iter: 200);
    }

    [Fact]
    public void Sixteen_bit_samples_put_the_high_byte_in_the_first_segment()
    {
        // One row of two 16-bit pixels 0x0102, 0x0304 → segment 1 = 01 03, segment 2 = 02 04.
        var frame = new byte[] { 0x02, 0x01, 0x04, 0x03 };
        var encoded = new RleCodec().Encode(frame, Format(1, 2, 1, 16));
        var s1 = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(4));
        var s2 = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded.AsSpan(8));
        Assert.Equal(new byte[] { 0x01, 0x01, 0x03 }, encoded[s1..(s1 + 3)]); // literal run of 2
        Assert.Equal(new byte[] { 0x01, 0x02, 0x04 }, encoded[s2..(s2 + 3)]);
    }

    [Fact]
    public void Runs_of_three_are_replicate_runs_and_rows_are_encoded_separately()
    {
        // Two rows of 4 bytes 9 9 9 9: each row is its own replicate run (header -3 = 0xFD).
        var encoded = new RleCodec().Encode(new byte[] { 9, 9, 9, 9, 9, 9, 9, 9 }, Format(2, 4, 1, 8));
        Assert.Equal(new byte[] { 0xFD, 9, 0xFD, 9 }, encoded[64..]);
    }

    [Fact]
    public void Decoder_follows_packbits_and_ignores_the_no_op_header()
    {
        // 0x80 = -128 is a no-op; 0x02 = literal of 3; 0xFE = replicate 3 times; trailing 0 is padding.
        var frame = new byte[64 + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 64);
        new byte[] { 0x80, 0x02, 1, 2, 3, 0xFE, 7, 0 }.CopyTo(frame, 64);
        var dest = new byte[6];
        new RleCodec().Decode(frame, Format(2, 3, 1, 8), dest);
        Assert.Equal(new byte[] { 1, 2, 3, 7, 7, 7 }, dest);
    }

    [Fact]
    public void Damaged_frames_are_refused_with_a_reason()
    {
        var codec = new RleCodec();
        var f = Format(4, 4, 1, 16);
        Assert.Contains("shorter than the 64-byte", Assert.Throws<DicomCodecException>(() => codec.Decode(new byte[10], f, new byte[32])).Message);
        var wrongCount = codec.Encode(new byte[32], f);
        BinaryPrimitives.WriteUInt32LittleEndian(wrongCount, 3);
        Assert.Contains("declares 3 segments; 2 expected", Assert.Throws<DicomCodecException>(() => codec.Decode(wrongCount, f, new byte[32])).Message);
        var badOffset = codec.Encode(new byte[32], f);
        BinaryPrimitives.WriteUInt32LittleEndian(badOffset.AsSpan(8), 5000);
        Assert.Contains("outside the frame", Assert.Throws<DicomCodecException>(() => codec.Decode(badOffset, f, new byte[32])).Message);
        var shortFrame = codec.Encode(new byte[32], Format(2, 4, 1, 16));
        Assert.Contains("decodes to 8 bytes, 16 expected", Assert.Throws<DicomCodecException>(() => codec.Decode(shortFrame, f, new byte[32])).Message);
    }

    [Fact]
    public void More_than_fifteen_segments_cannot_be_encoded()
    {
        var f = Format(1, 1, 3, 64);
        Assert.Contains("at most 15", Assert.Throws<DicomCodecException>(() => new RleCodec().Encode(new byte[24], f)).Message);
    }
}
