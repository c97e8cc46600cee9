using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.Codecs.Rle;
using Mira.Dicom.IO;

namespace Mira.Dicom.Codecs.Tests;

/// <summary>
/// <see cref="DecodeLimits"/>: a frame whose header claims more than the limit is refused before anything is allocated
/// for it, whatever path reaches the decoder (one frame, every frame, transcoding); frames within it decode as before.
/// </summary>
public sealed class DecodeLimitsTests
{
    /// <summary>An RLE object (PS3.5 Annex G) whose one frame claims <paramref name="size"/>² 8-bit pixels, in 2-byte runs of 128 zeros.</summary>
    static DicomDataset RleBomb(int size)
    {
        var runs = (long)size * size / 128;
        var frame = new byte[64 + runs * 2];
        BitConverter.TryWriteBytes(frame.AsSpan(0), 1);
        BitConverter.TryWriteBytes(frame.AsSpan(4), 64);
        for (long r = 0; r < runs; r++) frame[64 + 2 * r] = 0x81;
        var ds = new DicomDataset();
        foreach (var (tag, v) in new[] { (DicomTags.Rows, size), (DicomTags.Columns, size), (DicomTags.SamplesPerPixel, 1), (DicomTags.BitsAllocated, 8),
                     (DicomTags.BitsStored, 8), (DicomTags.HighBit, 7), (DicomTags.PixelRepresentation, 0) })
            ds.Set(new DicomElement(tag, DicomVR.US, BitConverter.GetBytes((ushort)v)));
        ds.Set(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.Set(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, [], [new DicomFragment(frame)]));
        return ds;
    }

    static readonly TransferSyntax Rle = TransferSyntax.Lookup(RleCodec.Uid);

    [Fact]
    public void A_frame_claiming_more_than_the_limit_is_refused_before_it_is_allocated()
    {
        var pixels = PixelData.Create(RleBomb(16384), Rle);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DicomCodecException>(() => pixels.DecodeFrame(0));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 1 << 20, "a refused frame allocated its pixels");
        Assert.Contains("268435456 bytes", e.Message);
        Assert.Contains($"{DecodeLimits.Default.MaxFrameBytes} bytes per frame", e.Message);
        Assert.Throws<DicomCodecException>(() => pixels.DecodeAll());
        Assert.Throws<DicomCodecException>(() => new CodecTransferSyntaxConverter().Convert(RleBomb(16384), Rle, TransferSyntax.ExplicitVRLittleEndian));
        Assert.Throws<DicomCodecException>(() => PixelArray.From(pixels));
    }

    [Fact]
    public void A_frame_within_a_raised_limit_decodes()
    {
        var pixels = PixelData.Create(RleBomb(1024), Rle, limits: new DecodeLimits { MaxFrameBytes = 1 << 20 });
        Assert.Equal(1 << 20, pixels.DecodeFrame(0).Length);
        var refused = PixelData.Create(RleBomb(1024), Rle, limits: new DecodeLimits { MaxFrameBytes = (1 << 20) - 1 });
        Assert.Throws<DicomCodecException>(() => refused.DecodeFrame(0));
    }

    [Fact]
    public void Decoding_every_frame_at_once_is_bounded_by_the_total_while_single_frames_still_decode()
    {
        var ds = RleBomb(256);
        ds.Set(DicomTags.NumberOfFrames, "1");
        var limits = new DecodeLimits { MaxTotalBytes = 65535 };
        var pixels = PixelData.Create(ds, Rle, limits: limits);
        Assert.Equal(65536, pixels.DecodeFrame(0).Length);
        var e = Assert.Throws<DicomCodecException>(() => pixels.DecodeAll());
        Assert.Contains("one at a time", e.Message);
        Assert.Throws<DicomCodecException>(() => new CodecTransferSyntaxConverter(CodecRegistry.Default, limits).Convert(ds, Rle, TransferSyntax.ExplicitVRLittleEndian));
    }
}
