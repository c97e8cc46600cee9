using System.Security.Cryptography;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Storage.Verify;

/// <summary>What is wrong with one instance or blob.</summary>
public enum ArchiveProblemKind
{
    /// <summary>An index row whose blob is absent: an acknowledged instance was lost.</summary>
    MissingBlob,
    /// <summary>The blob's length differs from the recorded size.</summary>
    SizeMismatch,
    /// <summary>The blob's SHA-256 differs from the recorded one (corruption).</summary>
    HashMismatch,
    /// <summary>A blob no index row refers to: a write whose index commit never happened (never acknowledged).</summary>
    OrphanBlob,
}

public sealed record ArchiveProblem(ArchiveProblemKind Kind, string BlobKey, string? SopInstanceUid, string Detail)
{
    public override string ToString() => $"{Kind} {BlobKey} {SopInstanceUid} {Detail}";
}

public sealed record ArchiveVerification(long Instances, long Blobs, IReadOnlyList<ArchiveProblem> Problems, int Repaired)
{
    public bool IsConsistent => Problems.Count == 0;
}

/// <summary>
/// Checks that index and blob store agree: every row has its blob with the recorded size and SHA-256, and every
/// blob has a row. With <c>repair</c>, it removes what an interrupted ingest can leave behind and nothing else:
/// temporary files and orphan blobs (written, but never indexed, hence never acknowledged). Rows whose blob is
/// missing or corrupt are reported, never deleted: they are acknowledged instances to restore from a backup.
/// Run repair while no ingest is running (at start-up, or <c>mira archive verify --repair</c> offline): a blob
/// written by an ingest in flight looks like an orphan until its batch commits.
/// </summary>
public sealed class ArchiveVerifier(IIndexStore index, IBlobStore blobs)
{
    /// <summary>Also hash every blob (slower); otherwise only presence and size are checked.</summary>
    public bool CheckHashes { get; init; } = true;

    public async Task<ArchiveVerification> VerifyAsync(bool repair = false, CancellationToken ct = default)
    {
        var problems = new List<ArchiveProblem>();
        var repaired = repair ? blobs.RemoveIncompleteWrites(wholeTree: true) : 0;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        long instances = 0;
        await foreach (var row in index.EnumerateInstancesAsync(ct))
        {
            instances++;
            referenced.Add(row.BlobKey);
            var length = blobs.GetLength(row.BlobKey);
            if (length is null)
                problems.Add(new(ArchiveProblemKind.MissingBlob, row.BlobKey, row.SopInstanceUid, "the blob is missing"));
            else if (length != row.BlobSize)
                problems.Add(new(ArchiveProblemKind.SizeMismatch, row.BlobKey, row.SopInstanceUid, $"{length} bytes, recorded {row.BlobSize}"));
            else if (CheckHashes)
            {
                string sha;
                try
                {
                    await using var s = blobs.OpenRead(row.BlobKey);
                    sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
                }
                catch (InvalidDataException e)
                {
                    // A store that checks its own recorded checksum while reading (S3: x-amz-meta-sha256) found the bytes changed.
                    problems.Add(new(ArchiveProblemKind.HashMismatch, row.BlobKey, row.SopInstanceUid, e.Message));
                    continue;
                }
                if (sha != row.Sha256) problems.Add(new(ArchiveProblemKind.HashMismatch, row.BlobKey, row.SopInstanceUid, $"SHA-256 {sha}, recorded {row.Sha256}"));
            }
        }
        long blobCount = 0;
        // Only instance blobs are the index's to judge; blobs of other areas (models, reports…) belong to their features.
        foreach (var blob in blobs.Enumerate().Where(b => FileBlobStore.IsInstanceKey(b.Key)))
        {
            blobCount++;
            if (referenced.Contains(blob.Key)) continue;
            // A concurrent ingest may have written the blob and be about to commit its row: look again before judging.
            if (await index.IsBlobReferencedAsync(blob.Key, ct)) continue;
            if (repair && blobs.Delete(blob.Key)) repaired++;
            else problems.Add(new(ArchiveProblemKind.OrphanBlob, blob.Key, null, $"{blob.Length} bytes, no index row"));
        }
        return new ArchiveVerification(instances, blobCount, problems, repaired);
    }
}
