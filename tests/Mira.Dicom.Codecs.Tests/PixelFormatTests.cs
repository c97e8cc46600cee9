using Mira.Dicom;
using Mira.Dicom.Codecs;

namespace Mira.Dicom.Codecs.Tests;

public class PixelFormatTests
{
    [Fact]
    public void Single_bit_frames_are_bit_packed_across_the_whole_frame()
    {
        var f = new PixelFormat(3, 5, 1, 1, 1, 0, 0, 0, "MONOCHROME2", 2);
        Assert.Equal(2, f.FrameLength); // 15 bits
    }

    [Fact]
    public void Format_is_read_from_the_image_pixel_module_with_defaults()
    {
        var ds = new DicomDataset();
        ds.Set(new DicomElement(DicomTags.Rows, DicomVR.US, BitConverter.GetBytes((ushort)4)));
        ds.Set(new DicomElement(DicomTags.Columns, DicomVR.US, BitConverter.GetBytes((ushort)2)));
        ds.Set(new DicomElement(DicomTags.BitsAllocated, DicomVR.US, BitConverter.GetBytes((ushort)16)));
        var f = PixelFormat.From(ds);
        Assert.Equal((4, 2, 1, 16, 15, 1, 16), (f.Rows, f.Columns, f.SamplesPerPixel, f.BitsStored, f.HighBit, f.NumberOfFrames, f.FrameLength));
        Assert.Equal("MONOCHROME2", f.PhotometricInterpretation);
    }
}
