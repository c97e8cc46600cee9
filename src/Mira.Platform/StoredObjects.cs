using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform;

/// <summary>Reading stored instances back for WADO-RS.</summary>
public static class StoredObjects
{
    /// <summary>
    /// Reads a stored instance whole, with the untrusted-input limits (blobs came from outside). Values over the lazy
    /// threshold stay in the loaded bytes until used.
    /// </summary>
    public static async Task<DicomFile> ReadAsync(IBlobStore blobs, StoredInstance si, CancellationToken ct)
    {
        byte[] bytes;
        await using (var blob = blobs.OpenRead(si.BlobKey))
        {
            using var ms = new MemoryStream(si.BlobSize is > 0 and < int.MaxValue ? (int)si.BlobSize : 0);
            await blob.CopyToAsync(ms, ct);
            bytes = ms.ToArray();
        }
        return DicomFile.Read(bytes, DicomReadOptions.Untrusted);
    }

    /// <summary>Values longer than this are left in the blob when reading for metadata (below .NET's large object heap).</summary>
    public const int MetadataLazyThreshold = 64 * 1024;

    static readonly DicomReadOptions metadataOptions = DicomReadOptions.Untrusted with { LazyThreshold = MetadataLazyThreshold };

    /// <summary>
    /// Reads a stored instance for its metadata (PS3.18 §10.4.1.1.2): values longer than
    /// <see cref="MetadataLazyThreshold"/> are skipped in the blob and load from it only if used, so a metadata
    /// response, which sends bulk data as BulkDataURIs, does not read Pixel Data (512 KiB of a 512×512 CT slice against
    /// its few KiB of attributes). Shorter values are read with the attributes around them, which costs less than a
    /// read of their own.
    /// </summary>
    public static DicomFile ReadForMetadata(IBlobStore blobs, StoredInstance si)
    {
        using var stream = blobs.OpenRead(si.BlobKey);
        return DicomFile.Read(stream, metadataOptions, new BlobByteSource(blobs, si.BlobKey));
    }

    /// <summary>The syntax an instance is stored in; files without one in their meta are native (their encoding is sniffed).</summary>
    public static TransferSyntax SyntaxOf(StoredInstance si) =>
        string.IsNullOrEmpty(si.TransferSyntaxUid) ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.Lookup(si.TransferSyntaxUid);
}
