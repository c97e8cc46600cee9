using System.IO.Compression;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Dicom.Tests.IO;

/// <summary>
/// Deflated Explicit VR Little Endian (PS3.5 §A.5) read with <see cref="DicomReadOptions.Untrusted"/>: a data set that
/// inflates far beyond its compressed size is refused with <see cref="DicomReadProblemCode.InflationLimit"/> before the
/// value that would pass the limit is inflated; honest deflated objects, blank images included, still read.
/// </summary>
public sealed class InflationLimitTests
{
    const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    static DicomDataset Header()
    {
        var ds = new DicomDataset();
        ds.Set(DicomTags.SOPClassUID, CtImageStorage);
        ds.Set(DicomTags.SOPInstanceUID, "2.25.1001");
        ds.Set(DicomTags.StudyInstanceUID, "2.25.1002");
        ds.Set(DicomTags.Modality, "CT");
        return ds;
    }

    /// <summary>The raw deflate stream of <see cref="Header"/> followed by an Encapsulated Document (0042,0011) of <paramref name="zeros"/> zero bytes.</summary>
    static byte[] DeflatedDataset(long zeros)
    {
        var plain = DicomFileWriter.ToBytes(Header(), TransferSyntax.ExplicitVRLittleEndian);
        var dataset = plain.AsSpan((int)DicomFile.Read(plain).DatasetOffset);
        var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(dataset);
            byte[] element = [0x42, 0x00, 0x11, 0x00, (byte)'O', (byte)'B', 0, 0, .. BitConverter.GetBytes((uint)zeros)];
            deflate.Write(element);
            var block = new byte[1 << 20];
            for (var left = zeros; left > 0; left -= block.Length) deflate.Write(block, 0, (int)Math.Min(block.Length, left));
        }
        return compressed.ToArray();
    }

    static byte[] DeflatedFile(long zeros) =>
        DicomFileWriter.Compose(CtImageStorage, "2.25.1001", TransferSyntax.DeflatedExplicitVRLittleEndian, DeflatedDataset(zeros));

    [Fact]
    public void A_deflated_data_set_inflating_a_thousandfold_is_refused_before_its_large_value_is_inflated()
    {
        var bomb = DeflatedFile(512L << 20); // about 0.5 MiB that inflates to 512 MiB
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DicomFormatException>(() => DicomFile.Read(bomb, DicomReadOptions.Untrusted));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(DicomReadProblemCode.InflationLimit, e.Code);
        Assert.Contains("deflated bytes", e.Message);
        Assert.True(allocated < 8 << 20, $"reading allocated {allocated >> 20} MiB");
    }

    [Fact]
    public void A_raw_deflated_data_set_as_dimse_sends_it_is_refused_the_same_way()
    {
        var e = Assert.Throws<DicomFormatException>(() =>
            DicomDatasetReader.Read(DeflatedDataset(512L << 20), TransferSyntax.DeflatedExplicitVRLittleEndian, DicomReadOptions.Untrusted));
        Assert.Equal(DicomReadProblemCode.InflationLimit, e.Code);
    }

    [Fact]
    public void A_blank_deflated_object_under_the_allowance_reads_whatever_its_ratio()
    {
        var blank = DeflatedFile(8L << 20); // 8 MiB of zeros: a ratio near 1000, under the 64 MiB allowance
        var file = DicomFile.Read(blank, DicomReadOptions.Untrusted);
        Assert.Equal(8L << 20, file.Dataset.Find(new DicomTag(0x0042, 0x0011))!.Length);
        Assert.Equal("2.25.1001", file.Dataset.GetString(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public void The_inflated_limit_is_the_allowance_or_the_ratio_times_the_compressed_size_capped_at_the_maximum()
    {
        var o = new DicomReadOptions { MaxInflatedSize = 1000, MaxInflationRatio = 10, InflationAllowance = 100 };
        Assert.Equal(100, o.InflatedLimit(5));
        Assert.Equal(500, o.InflatedLimit(50));
        Assert.Equal(1000, o.InflatedLimit(5000));
        Assert.Equal(1000, o.InflatedLimit(null));
        Assert.Equal(long.MaxValue, DicomReadOptions.Default.InflatedLimit(1));
        Assert.Equal(1L << 30, DicomReadOptions.Untrusted.InflatedLimit(long.MaxValue / 2));
    }

    [Fact]
    public void Trusted_reading_has_no_inflation_limit()
    {
        var file = DicomFile.Read(DeflatedFile(80L << 20), DicomReadOptions.Default);
        Assert.Equal(80L << 20, file.Dataset.Find(new DicomTag(0x0042, 0x0011))!.Length);
    }
}
