namespace Mira.Storage.Blobs;

/// <summary>One stored blob: its key (a relative path with '/' separators) and its length in bytes.</summary>
public sealed record BlobInfo(string Key, long Length);

/// <summary>One blob to write: its key and its bytes.</summary>
public readonly record struct BlobWrite(string Key, ReadOnlyMemory<byte> Data);

/// <summary>
/// Where large objects are kept: instances byte-exact, as received (PS3.10 files; PS3.18 §10.5 STOW-RS parts, under
/// <see cref="FileBlobStore.KeyFor"/>), and anything else a feature stores (slides, model packages, reports: under keys
/// of its own, <see cref="BlobKeys.For"/>). A write is atomic: a blob is either absent or complete and durable, never partial.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Writes a blob from a stream, durably, without holding it in memory (a slide, a model package); stops with
    /// <see cref="InvalidDataException"/> and leaves nothing when the stream is longer than <paramref name="maxBytes"/>.
    /// Returns the length and the SHA-256 (hex) of what was written.
    /// </summary>
    Task<(long Length, string Sha256)> WriteAsync(string key, Stream data, long maxBytes, CancellationToken ct = default);

    /// <summary>
    /// True when a group commit (<see cref="WriteManyAsync"/>) makes durable, before it renames anything, every file
    /// written so far under <paramref name="path"/> too (a whole-file-system sync covering that folder). The ingest
    /// journal then need not flush its intent record itself: the batch's first sync carries it.
    /// </summary>
    bool GroupCommitCovers(string path) => false;

    /// <summary>
    /// A new file path where a large blob can be composed before it has a key (a converted slide level, whose key
    /// depends on its SHA-256): inside the store's temporary area, so a crash leaves it to
    /// <see cref="RemoveIncompleteWrites"/>. Hand it to <see cref="AdoptAsync"/>, or delete it.
    /// </summary>
    string NewStagingFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mira-staging");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// A new, empty folder for files received before they are converted (an upload kept under the name it was sent
    /// with), in the store's temporary area like <see cref="NewStagingFile"/>; the caller deletes it.
    /// </summary>
    string NewStagingFolder() => Directory.CreateDirectory(NewStagingFile()).FullName;

    /// <summary>
    /// Makes a file composed at <see cref="NewStagingFile"/> the blob <paramref name="key"/>, durably, replacing any blob
    /// there; the staged file is gone afterwards (moved or copied and deleted), whether it succeeds or not.
    /// </summary>
    async Task AdoptAsync(string key, string stagedFile, CancellationToken ct = default)
    {
        try
        {
            await using var staged = new FileStream(stagedFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await WriteAsync(key, staged, long.MaxValue, ct);
        }
        finally
        {
            File.Delete(stagedFile);
        }
    }

    /// <summary>Opens <paramref name="length"/> bytes of a blob from <paramref name="offset"/> (a frame, a tile); throws when out of range.</summary>
    Stream OpenRange(string key, long offset, long length);

    /// <summary>Writes <paramref name="data"/> under <paramref name="key"/> durably, replacing any blob there atomically.</summary>
    Task WriteAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>
    /// Writes several blobs with the same guarantee as <see cref="WriteAsync"/> for each, sharing the cost of making
    /// them durable (a group commit). Returns, per write, null when it is durable or the exception that stopped it;
    /// a failed write leaves nothing behind.
    /// </summary>
    Task<Exception?[]> WriteManyAsync(IReadOnlyList<BlobWrite> writes, CancellationToken ct = default);

    /// <summary>Opens a blob for reading; throws <see cref="FileNotFoundException"/> when absent.</summary>
    Stream OpenRead(string key);

    bool Exists(string key);

    /// <summary>Where a blob is, for messages (a file path, an <c>s3://</c> URL).</summary>
    string Describe(string key) => key;

    /// <summary>Length in bytes, or null when absent.</summary>
    long? GetLength(string key);

    /// <summary>
    /// Whether start-up recovery may delete <paramref name="key"/>, a blob of an interrupted batch that no index row
    /// references. True for a store this node alone writes; a store shared by several nodes (S3) answers false while
    /// the blob is recent, since another node may have just written the same key (the same instance, resent to it) and
    /// be about to index it. Such a blob stays until a later recovery or <c>archive verify --repair</c>.
    /// </summary>
    bool MayRecover(string key) => true;

    /// <summary>Deletes a blob; false when it was absent.</summary>
    bool Delete(string key);

    /// <summary>Every complete blob (for verification); writes in progress are not listed.</summary>
    IEnumerable<BlobInfo> Enumerate();

    /// <summary>Removes what interrupted writes left behind (temporary files); returns how many.</summary>
    /// <param name="wholeTree">also search every folder (temporary files of older layouts; a full walk), not only
    /// the store's temporary folder.</param>
    int RemoveIncompleteWrites(bool wholeTree = false);
}
