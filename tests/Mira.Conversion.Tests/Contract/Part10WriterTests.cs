using Mira.Conversion;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Conversion.Tests.Contract;

public class Part10WriterTests
{
    static DicomDataset Header(int frames, int bits)
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
        ds.Set(DicomTags.SOPInstanceUID, "2.25.1234");
        ds.Set(DicomTags.StudyInstanceUID, "2.25.1");
        ds.Set(DicomTags.SeriesInstanceUID, "2.25.2");
        ds.Set(new DicomElement(DicomTags.Rows, DicomVR.US, BitConverter.GetBytes((ushort)3)));
        ds.Set(new DicomElement(DicomTags.Columns, DicomVR.US, BitConverter.GetBytes((ushort)1)));
        ds.Set(new DicomElement(DicomTags.BitsAllocated, DicomVR.US, BitConverter.GetBytes((ushort)bits)));
        ds.Set(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return ds;
    }

    [Fact]
    public void Encapsulated_frames_are_written_one_fragment_each_and_read_back_as_given()
    {
        byte[][] frames = [[0xFF, 0xD8, 1, 0xFF, 0xD9], [0xFF, 0xD8, 2, 3, 0xFF, 0xD9]];
        var instance = new ConvertedInstance(Header(2, 8), TransferSyntax.Lookup("1.2.840.10008.1.2.4.50"),
            new EncapsulatedFrames(2, frames.Select(f => (ReadOnlyMemory<byte>)f)), "two frames");
        using var ms = new MemoryStream();
        var length = Part10Writer.Write(ms, instance);
        Assert.Equal(ms.Length, length);
        var file = DicomFile.Read(ms.ToArray());
        var read = file.Dataset.GetEncapsulatedFrames()!;
        Assert.Equal(2, read.Count);
        Assert.Equal(frames[0], read[0].Span[..5].ToArray()); // padded to an even length
        Assert.Equal(frames[1], read[1].ToArray());
        Assert.Equal("1.2.840.10008.1.2.4.50", file.TransferSyntax.Uid);
    }

    [Fact]
    public void Native_pixels_are_written_with_their_length_and_an_odd_length_is_padded()
    {
        var pixels = new byte[] { 1, 2, 3 };
        var instance = new ConvertedInstance(Header(1, 8), TransferSyntax.ExplicitVRLittleEndian, NativePixels.From(pixels), "one frame");
        using var ms = new MemoryStream();
        Part10Writer.Write(ms, instance);
        var element = DicomFile.Read(ms.ToArray()).Dataset.Get(DicomTags.PixelData)!;
        Assert.Equal(new byte[] { 1, 2, 3, 0 }, element.Bytes.ToArray());
    }

    [Fact]
    public void A_payload_that_breaks_its_promise_is_an_error_not_a_corrupt_file()
    {
        var instance = new ConvertedInstance(Header(2, 8), TransferSyntax.Lookup("1.2.840.10008.1.2.4.50"),
            new EncapsulatedFrames(2, [new byte[] { 0xFF, 0xD8 }]), "one of two");
        Assert.Throws<InvalidOperationException>(() => Part10Writer.Write(new MemoryStream(), instance));
        var native = new ConvertedInstance(Header(1, 8), TransferSyntax.ExplicitVRLittleEndian, new NativePixels(4, (s, _) => s.Write([1, 2])), "short");
        Assert.Throws<InvalidOperationException>(() => Part10Writer.Write(new MemoryStream(), native));
    }
}
