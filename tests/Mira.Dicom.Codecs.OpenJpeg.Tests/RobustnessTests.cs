using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.OpenJpeg.Tests;

/// <summary>Damaged codestreams end in <see cref="DicomCodecException"/> (with OpenJPEG's own messages), never in a crash.</summary>
public sealed class RobustnessTests
{
    static readonly OpenJpegCodec Codec = new();

    static (byte[] Frame, PixelFormat Format) Sample(int samples = 1)
    {
        var f = EncodeTests.Format(48, 40, samples, 16, 12, photometric: samples == 3 ? "YBR_RCT" : null);
        return (Codec.Encode(EncodeTests.Frame(f, new Random(7), smooth: true), f), f);
    }

    static void DecodeOrCodecException(byte[] data, PixelFormat f)
    {
        try
        {
            Codec.Decode(data, f, new byte[f.FrameLength]);
        }
        catch (DicomCodecException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
        }
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        var (frame, f) = Sample();
        // Drop the EOC marker and anything after it: strict decoding must notice missing bytes wherever the cut is.
        for (var length = 0; length < frame.Length - 2; length += length < 300 ? 1 : 37)
        {
            var cut = frame[..length];
            var e = Assert.Throws<DicomCodecException>(() => Codec.Decode(cut, f, new byte[f.FrameLength]));
            Assert.StartsWith("JPEG 2000:", e.Message);
        }
    }

    [Fact]
    public void Truncated_tile_data_reports_OpenJPEG_messages()
    {
        var (frame, f) = Sample();
        var e = Assert.Throws<DicomCodecException>(() => Codec.Decode(frame[..(frame.Length * 2 / 3)], f, new byte[f.FrameLength]));
        Assert.Contains("OpenJPEG:", e.Message);
    }

    [Fact]
    public void Garbage_is_refused_before_OpenJPEG_sees_it()
    {
        var f = EncodeTests.Format(8, 8, 1, 8, 8);
        var rng = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var junk = new byte[rng.Next(0, 400)];
            rng.NextBytes(junk);
            var e = Assert.Throws<DicomCodecException>(() => Codec.Decode(junk, f, new byte[64]));
            Assert.Contains("JPEG 2000", e.Message);
        }
    }

    [Fact]
    public void Random_byte_damage_never_crashes()
    {
        foreach (var samples in new[] { 1, 3 })
        {
            var (frame, f) = Sample(samples);
            var rng = new Random(samples);
            for (var i = 0; i < 400; i++)
            {
                var damaged = (byte[])frame.Clone();
                for (var k = rng.Next(1, 6); k > 0; k--) damaged[rng.Next(damaged.Length)] = (byte)rng.Next(256);
                DecodeOrCodecException(damaged, f);
            }
        }
    }

    [Fact]
    public void Damage_to_corpus_codestreams_never_crashes()
    {
        foreach (var path in new[] { "dicom/transfer-syntax/pydicom-data/US1_J2KR.dcm", "dicom/transfer-syntax/pydicom/JPEG2000.dcm", "dicom/transfer-syntax/pydicom-data/HTJ2KLossless_08_RGB.dcm" })
        {
            var pixels = OpenJpegSetup.Open(path);
            var frame = pixels.GetEncapsulatedFrame(0).ToArray();
            var codec = (OpenJpegCodec)pixels.Codec!;
            var rng = new Random(path.Length);
            for (var i = 0; i < 60; i++)
            {
                var damaged = (byte[])frame.Clone();
                if (i % 3 == 0) damaged = damaged[..rng.Next(damaged.Length)];
                else for (var k = rng.Next(1, 4); k > 0; k--) damaged[rng.Next(Math.Min(damaged.Length, 2000))] = (byte)rng.Next(256);
                try
                {
                    codec.Decode(damaged, pixels.Format, new byte[pixels.Format.FrameLength]);
                }
                catch (DicomCodecException)
                {
                }
            }
        }
    }

    [Fact]
    public void Nonsensical_SIZ_values_are_refused_with_the_reason()
    {
        var (frame, f) = Sample();
        byte[] With(int offset, uint value)
        {
            var copy = (byte[])frame.Clone();
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
            return copy;
        }
        // SIZ: FF51 at 2, Lsiz at 4, Rsiz at 6, Xsiz 8, Ysiz 12, XOsiz 16, YOsiz 20, XTsiz 24, YTsiz 28, XTOsiz 32, YTOsiz 36, Csiz 40.
        Assert.Contains("no valid image or tile grid", Assert.Throws<DicomCodecException>(() => Codec.Decode(With(24, 0), f, new byte[f.FrameLength])).Message);
        Assert.Contains("larger than DICOM", Assert.Throws<DicomCodecException>(() => Codec.Decode(With(8, 0xFFFF0000), f, new byte[f.FrameLength])).Message);
        // 1-pixel-high tiles: a valid grid, but 47 of the 48 tiles have no tile-part (OpenJPEG would leave them black).
        Assert.Contains("47 of 48 tiles have no tile-part", Assert.Throws<DicomCodecException>(() => Codec.Decode(With(28, 1), f, new byte[f.FrameLength])).Message);
        Assert.Contains("the data set says 41 columns × 48 rows", Assert.Throws<DicomCodecException>(() => Codec.Decode(frame, f with { Columns = 41 }, new byte[f.FrameLength + 96])).Message);
        Assert.Contains("component", Assert.Throws<DicomCodecException>(() => Codec.Decode(frame, f with { SamplesPerPixel = 3 }, new byte[f.FrameLength * 3])).Message);
        Assert.Contains("Bits Allocated 8", Assert.Throws<DicomCodecException>(() => Codec.Decode(frame, f with { BitsAllocated = 8 }, new byte[f.FrameLength])).Message);
    }

    [Fact]
    public void A_JP2_file_without_a_codestream_box_is_refused()
    {
        byte[] jp2 = [0, 0, 0, 12, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0, 0, 0, 20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', .. new byte[12]];
        var e = Assert.Throws<DicomCodecException>(() => Codec.Decode(jp2, EncodeTests.Format(2, 2, 1, 8, 8), new byte[4]));
        Assert.Contains("jp2c", e.Message);
    }
}
