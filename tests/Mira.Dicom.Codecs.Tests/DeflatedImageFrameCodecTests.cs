using System.IO.Compression;
using CsCheck;
using Mira.Dicom.Codecs.Deflate;

namespace Mira.Dicom.Codecs.Tests;

public class DeflatedImageFrameCodecTests
{
    [Fact]
    public void Encode_then_decode_returns_the_frame_and_fragments_are_even()
    {
        var codec = new DeflatedImageFrameCodec();
        var gen = from bits in Gen.OneOfConst(1, 8, 16, 32)
                  from rows in Gen.Int[1, 40]
                  from cols in Gen.Int[1, 40]
                  let f = new PixelFormat(rows, cols, 1, bits, bits, bits - 1, 0, 0, "MONOCHROME2", 1)
                  from data in Gen.Byte[0, 3].Array[(int)f.FrameLength]
                  select (f, data);
        gen.Sample(t =>
        {
            var encoded = codec.Encode(t.data, t.f);
            Assert.Equal(0, encoded.Length % 2);
            var back = new byte[t.data.Length];
            codec.Decode(encoded, t.f, back);
            Assert.Equal(t.data, back);
        }, iter: 200);
    }

    [Fact]
    public void Frames_are_raw_deflate_without_a_zlib_header()
    {
        var frame = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var encoded = new DeflatedImageFrameCodec().Encode(frame, new PixelFormat(10, 10, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1));
        using var inflater = new DeflateStream(new MemoryStream(encoded), CompressionMode.Decompress);
        var back = new byte[100];
        inflater.ReadExactly(back);
        Assert.Equal(frame, back);
    }

    [Fact]
    public void Short_or_damaged_streams_are_refused()
    {
        var codec = new DeflatedImageFrameCodec();
        var f = new PixelFormat(10, 10, 1, 8, 8, 7, 0, 0, "MONOCHROME2", 1);
        var small = codec.Encode(new byte[100], f with { Rows = 5 });
        Assert.Contains("inflates to 50 bytes, 100 expected", Assert.Throws<DicomCodecException>(() => codec.Decode(small, f, new byte[100])).Message);
        Assert.Throws<DicomCodecException>(() => codec.Decode(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, f, new byte[100]));
    }
}
