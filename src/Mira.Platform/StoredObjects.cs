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

    /// <summary>The syntax an instance is stored in; files without one in their meta are native (their encoding is sniffed).</summary>
    public static TransferSyntax SyntaxOf(StoredInstance si) =>
        string.IsNullOrEmpty(si.TransferSyntaxUid) ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.Lookup(si.TransferSyntaxUid);
}
