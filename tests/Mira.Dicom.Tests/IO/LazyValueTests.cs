using System.Buffers.Binary;
using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.IO;

public class LazyValueTests
{
    /// <summary>A Part 10 file whose Pixel Data value is <paramref name="pixelBytes"/> long, mostly a sparse hole on disk.</summary>
    static string WriteLargeFile(long pixelBytes)
    {
        var ds = new DicomDataset()
            .Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .Set(DicomTags.SOPInstanceUID, "2.25.1234")
            .Set(DicomTags.PatientName, "Lazy^Large");
        var path = Path.Combine(Path.GetTempPath(), $"mira-lazy-{Guid.NewGuid():N}.dcm");
        using (var fs = new FileStream(path, FileMode.CreateNew))
        {
            DicomFileWriter.Write(fs, ds, TransferSyntax.ExplicitVRLittleEndian);
            var h = new byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(h, 0x7FE0);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), 0x0010);
            h[4] = (byte)'O';
            h[5] = (byte)'W';
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), (uint)pixelBytes);
            fs.Write(h);
            var valueStart = fs.Position;
            fs.SetLength(valueStart + pixelBytes);
            fs.Position = valueStart + pixelBytes - 4;
            fs.Write([1, 2, 3, 4]);
        }
        return path;
    }

    [Fact]
    public void Header_of_a_2_GB_file_is_read_in_megabytes()
    {
        var path = WriteLargeFile(0x8000_0000L); // 2 GiB of Pixel Data
        try
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var file = DicomFile.Open(path);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            var pixels = file.Dataset.Get(DicomTags.PixelData);
            Assert.True(pixels.IsLazy);
            Assert.Equal(0x8000_0000L, pixels.Length);
            Assert.Equal("Lazy^Large", file.Dataset.GetString(DicomTags.PatientName));
            Assert.True(allocated < 4 * 1024 * 1024, $"reading allocated {allocated} bytes");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lazy_value_loads_its_bytes_on_demand()
    {
        var path = WriteLargeFile(1 << 20);
        try
        {
            var file = DicomFile.Open(path);
            var pixels = file.Dataset.Get(DicomTags.PixelData);
            Assert.True(pixels.IsLazy);
            var bytes = pixels.Bytes;
            Assert.False(pixels.IsLazy);
            Assert.Equal(1 << 20, bytes.Length);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, bytes[^4..].ToArray());
            Assert.All(bytes[..1000].ToArray(), b => Assert.Equal(0, b));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Big_endian_lazy_value_is_swapped_when_loaded()
    {
        var ds = new DicomDataset()
            .Set(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .Set(DicomTags.SOPInstanceUID, "2.25.99");
        var words = new byte[600_000];
        for (var i = 0; i < words.Length; i += 2) BinaryPrimitives.WriteUInt16LittleEndian(words.AsSpan(i), (ushort)(i * 7));
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, words));
        var path = Path.Combine(Path.GetTempPath(), $"mira-be-{Guid.NewGuid():N}.dcm");
        try
        {
            DicomFileWriter.Save(path, ds, TransferSyntax.ExplicitVRBigEndian);
            var file = DicomFile.Open(path);
            var pixels = file.Dataset.Get(DicomTags.PixelData);
            Assert.True(pixels.IsLazy);
            Assert.Equal(words, pixels.Bytes.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Stop_before_pixel_data_leaves_it_out()
    {
        var path = WriteLargeFile(4096);
        try
        {
            var file = DicomFile.Open(path, DicomReadOptions.Default with { StopBeforePixelData = true });
            Assert.True(file.StoppedBeforePixelData);
            Assert.False(file.Dataset.Contains(DicomTags.PixelData));
            Assert.Equal("Lazy^Large", file.Dataset.GetString(DicomTags.PatientName));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
