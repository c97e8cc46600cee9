using System.IO.Compression;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Intake;

namespace Mira.Platform.Tests.Intake;

/// <summary>
/// <see cref="IntakeLimits"/> applied by <see cref="IncomingInstance.Parse"/>: an object whose header describes pixel data
/// over the decoded-size limits, or whose deflated data set inflates too far, is refused as Out of Resources (A700) with
/// its own refusal code, before anything is decoded; honest objects, a whole-slide-like multi-frame one included, pass.
/// </summary>
public sealed class IntakeLimitsTests
{
    static readonly IngestSource Source = new("test");

    static byte[] Image(int rows, int columns, int samples, int bits, int frames, bool withPixels = true) =>
        TestInstances.Make("2.25.1", "2.25.2", "2.25.3", ds =>
        {
            foreach (var (tag, v) in new[] { (DicomTags.Rows, rows), (DicomTags.Columns, columns), (DicomTags.SamplesPerPixel, samples),
                         (DicomTags.BitsAllocated, bits), (DicomTags.BitsStored, bits), (DicomTags.HighBit, bits - 1), (DicomTags.PixelRepresentation, 0) })
                ds.Set(new DicomElement(tag, DicomVR.US, BitConverter.GetBytes((ushort)v)));
            ds.Set(DicomTags.PhotometricInterpretation, samples == 3 ? "RGB" : "MONOCHROME2");
            if (frames > 1) ds.Set(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The header is what counts; a tiny value stands in for the pixels (nothing is decoded at intake).
            if (withPixels) ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[64]));
        });

    [Fact]
    public void A_frame_over_the_per_frame_limit_is_refused_out_of_resources()
    {
        var part = IncomingInstance.Parse(Image(16384, 16384, 1, 8, 1), Source);
        Assert.Equal(StoreRefusal.DecodedTooLarge, part.Refusal!.Refusal);
        Assert.Equal(StoreStatus.OutOfResources, part.Refusal.Status);
        Assert.Equal("2.25.3", part.Refusal.SopInstanceUid);
        Assert.Contains("268435456 bytes", part.Refusal.Reason);
        Assert.Null(part.Record);
        Assert.All(part.Refusal.Reason!, c => Assert.True(c < 127, "the reason travels in a DIMSE Error Comment (LO, default repertoire)"));
    }

    [Fact]
    public void Frames_over_the_total_limit_are_refused_though_each_is_small()
    {
        var limits = new IntakeLimits { MaxDecodedBytes = 100L << 20 };
        var part = IncomingInstance.Parse(Image(256, 256, 3, 8, 1000), Source, limits); // 1000 × 192 KiB
        Assert.Equal(StoreRefusal.DecodedTooLarge, part.Refusal!.Refusal);
        Assert.Contains("per object", part.Refusal.Reason);
    }

    [Fact]
    public void A_whole_slide_like_object_of_many_small_tiles_and_a_large_honest_image_are_accepted_with_the_defaults()
    {
        Assert.Null(IncomingInstance.Parse(Image(256, 256, 3, 8, 60_000), Source).Refusal); // 11 GiB decoded in 192 KiB tiles
        Assert.Null(IncomingInstance.Parse(Image(5500, 8000, 3, 8, 1), Source).Refusal);   // a 44-megapixel RGB photograph
        Assert.Null(IncomingInstance.Parse(Image(4096, 4096, 1, 16, 1), Source).Refusal);
        Assert.Null(IncomingInstance.Parse(Image(16384, 16384, 1, 8, 1, withPixels: false), Source).Refusal); // no pixel data, nothing to decode
    }

    [Fact]
    public void A_deflated_data_set_that_inflates_too_far_is_refused_out_of_resources()
    {
        var plain = TestInstances.Make("2.25.1", "2.25.2", "2.25.3");
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(plain.AsSpan((int)DicomFile.Read(plain).DatasetOffset));
            deflate.Write([0x42, 0x00, 0x11, 0x00, (byte)'O', (byte)'B', 0, 0, .. BitConverter.GetBytes(200u << 20)]);
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 200; i++) deflate.Write(zeros);
        }
        var bomb = DicomFileWriter.Compose(TestInstances.CtImageStorage, "2.25.3", TransferSyntax.DeflatedExplicitVRLittleEndian, compressed.ToArray());
        var part = IncomingInstance.Parse(bomb, Source);
        Assert.Equal(StoreRefusal.InflatedTooLarge, part.Refusal!.Refusal);
        Assert.Equal(StoreStatus.OutOfResources, part.Refusal.Status);
        Assert.Null(IncomingInstance.Parse(bomb, Source, new IntakeLimits { MaxInflationRatio = 5000, MaxInflatedBytes = 1L << 30 }).Refusal);
    }
}
