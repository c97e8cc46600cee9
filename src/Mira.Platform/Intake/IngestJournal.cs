using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Intake;

/// <summary>
/// The intent log of the ingest pipeline: before a batch's blobs are written, the keys are recorded in a small file
/// made durable first; after the batch's index commit (or its refusal) the file is removed. After a crash only the
/// batches in flight left files here, so start-up recovery reads them instead of listing every blob: a key that no
/// index row references was never acknowledged, and its blob is removed. Cost: one small file per batch, flushed by the
/// blob group commit's first sync when that covers this folder, else by an fsync of its own.
/// </summary>
public sealed class IngestJournal
{
    public IngestJournal(string folder)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>
    /// Records the keys a batch is about to write; durable when this returns, unless <paramref name="flush"/> is false:
    /// then the caller's next whole-file-system sync, which must come before any of the keys is written, makes it so.
    /// </summary>
    public string Begin(IEnumerable<string> keys, bool flush = true)
    {
        var path = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".keys");
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var w = new StreamWriter(fs))
        {
            foreach (var key in keys) w.WriteLine(key);
            w.Flush();
            if (flush) fs.Flush(flushToDisk: true);
        }
        if (flush) FileBlobStore.FlushDirectory(Folder);
        return path;
    }

    /// <summary>The batch is settled (committed or cleaned up): its record goes. Not flushed: replaying it is harmless.</summary>
    public void End(string entry)
    {
        try
        {
            File.Delete(entry);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Batches that began and never ended (a crash), oldest first.</summary>
    public IReadOnlyList<string> Pending() =>
        Directory.GetFiles(Folder, "*.keys").OrderBy(File.GetLastWriteTimeUtc).ToList();

    /// <summary>
    /// Removes the blobs of interrupted batches that no index row references, then their records. A blob the store
    /// says may not be removed yet (<see cref="IBlobStore.MayRecover"/>: a recent object in a bucket other nodes share)
    /// is kept, and so is its batch's record, for a later recovery. Returns the number of blobs removed.
    /// </summary>
    public async Task<int> RecoverAsync(IIndexStore index, IBlobStore blobs, CancellationToken ct = default)
    {
        var removed = 0;
        foreach (var entry in Pending())
        {
            var keys = (await File.ReadAllLinesAsync(entry, ct)).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var settled = true;
            foreach (var key in keys)
            {
                if (await index.IsBlobReferencedAsync(key, ct) || !blobs.Exists(key)) continue;
                if (!blobs.MayRecover(key)) settled = false;
                else if (blobs.Delete(key)) removed++;
            }
            if (settled) End(entry);
        }
        return removed;
    }
}
