using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;
using Mira.Platform.Demo;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Tests.Retrieval;

public sealed class StoredObjectsTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-stored-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    static readonly DicomJsonWriteOptions bulkAsUris = new() { BulkDataUri = e => e is DicomFragmentSequence || e.Length > 1024 ? "bulk/" + e.Tag.ToJsonKey() : null };

    [Fact]
    public async Task Reading_for_metadata_leaves_pixel_data_in_the_blob_and_gives_the_same_attributes_as_a_whole_read()
    {
        // A 512×512 slice (512 KiB of Pixel Data) with a 100,000-character text value (UT) and a 100 KiB binary value in a
        // sequence item: values over the threshold must still come out right when they are loaded from the blob.
        var ds = DicomFile.Read(DemoStudies.Generate()[0].Bytes).Dataset;
        ds.Set(DemoStudies.UShort(DicomTags.Rows, 512));
        ds.Set(DemoStudies.UShort(DicomTags.Columns, 512));
        var pixels = new byte[512 * 512 * 2];
        new Random(7).NextBytes(pixels);
        ds.Set(new DicomElement(DicomTags.PixelData, DicomVR.OW, pixels));
        ds.Set(DicomTags.TextValue, new string('x', 100_000));
        var item = new DicomDataset();
        item.Set(new DicomElement(DicomTags.ICCProfile, DicomVR.OB, Enumerable.Range(0, 100 << 10).Select(i => (byte)i).ToArray()));
        ds.Set(new DicomSequence(DicomTags.OpticalPathSequence, [item]));
        var bytes = DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian);
        var blobs = new FileBlobStore(Path.Combine(folder, "blobs"));
        await blobs.WriteAsync("k1", bytes);
        var si = new StoredInstance("1.2.3", DemoStudies.CtImageStorage, "1.2", "1.2.4", TransferSyntax.ExplicitVRLittleEndian.Uid, "k1", bytes.Length, "", "");

        var forMetadata = StoredObjects.ReadForMetadata(blobs, si).Dataset;
        var whole = (await StoredObjects.ReadAsync(blobs, si, CancellationToken.None)).Dataset;

        Assert.True(forMetadata.Get(DicomTags.PixelData).IsLazy);
        Assert.True(forMetadata.Get(DicomTags.TextValue).IsLazy);
        Assert.False(forMetadata.Get(DicomTags.PatientName).IsLazy);
        Assert.Equal(pixels.Length, forMetadata.Get(DicomTags.PixelData).Length);
        Assert.Equal(new string('x', 100_000), forMetadata.GetString(DicomTags.TextValue));
        Assert.Equal(DicomJsonWriter.Serialize(whole, bulkAsUris), DicomJsonWriter.Serialize(forMetadata, bulkAsUris));
        Assert.Equal(item.Get(DicomTags.ICCProfile).Bytes.ToArray(), forMetadata.GetSequence(DicomTags.OpticalPathSequence)!.Items[0].Get(DicomTags.ICCProfile).Bytes.ToArray());
        Assert.Equal(pixels, forMetadata.Get(DicomTags.PixelData).Bytes.ToArray());
    }
}
