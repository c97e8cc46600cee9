using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Storage.Ingest;

/// <summary>
/// The one way into the archive (STOW-RS, DIMSE C-STORE and import all call it). Each part is parsed with
/// <see cref="DicomReadOptions.Untrusted"/> limits (truncated input refused), must carry a SOP Instance UID and a SOP
/// Class UID (in the data set or its file meta information); one without Study or Series Instance UID is filed under
/// derived UIDs (see <see cref="Place"/>). Each part is stored byte-exact in the blob store (durable) and only then indexed; a result
/// is returned only after both, so an acknowledged instance survives a crash. A refused part leaves nothing behind.
/// </summary>
public sealed class IngestService(IIndexStore index, IBlobStore blobs)
{
    /// <summary>Index rows committed per transaction by <see cref="StoreManyAsync"/>.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The intent log that makes start-up recovery proportional to the batches in flight (none: no log).</summary>
    public IngestJournal? Journal { get; init; }

    /// <summary>Largest part accepted (bytes); larger parts are refused as out of resources.</summary>
    public long MaxPartSize { get; init; } = int.MaxValue - 64;

    /// <summary>Reads a part from a stream (an HTTP multipart body part, a file) and stores it.</summary>
    public async Task<StoreResult> StoreAsync(Stream part, IngestSource source, CancellationToken ct = default)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await part.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > MaxPartSize)
                return StoreResult.Refuse(StoreStatus.OutOfResources, $"part larger than {MaxPartSize} bytes");
            ms.Write(buffer, 0, n);
        }
        return await StoreAsync(ms.GetBuffer().AsMemory(0, (int)ms.Length), source, ct);
    }

    public async Task<StoreResult> StoreAsync(ReadOnlyMemory<byte> part, IngestSource source, CancellationToken ct = default)
    {
        await foreach (var r in StoreManyAsync([part], source, ct)) return r;
        throw new InvalidOperationException("no result");
    }

    /// <summary>
    /// Stores many parts, one index transaction per <see cref="BatchSize"/> parts. Results come in input order and
    /// each is yielded only after its batch committed, so callers can acknowledge instance by instance.
    /// </summary>
    public async IAsyncEnumerable<StoreResult> StoreManyAsync(IEnumerable<ReadOnlyMemory<byte>> parts, IngestSource source,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var batch = new List<ReadOnlyMemory<byte>>(BatchSize);
        foreach (var part in parts)
        {
            batch.Add(part);
            if (batch.Count < BatchSize) continue;
            foreach (var r in await StoreBatchAsync(batch, source, ct)) yield return r;
            batch.Clear();
        }
        if (batch.Count > 0)
            foreach (var r in await StoreBatchAsync(batch, source, ct)) yield return r;
    }

    sealed record Pending(int Position, InstanceRecord Record);

    Task<StoreResult[]> StoreBatchAsync(List<ReadOnlyMemory<byte>> parts, IngestSource source, CancellationToken ct) =>
        StoreBatchAsync(parts, i => source, ct);

    /// <summary>
    /// Stores one batch of parts that may come from different sources (e.g. C-STORE requests of several associations
    /// gathered by <see cref="IngestQueue"/>): one blob group commit and one index transaction for all of them.
    /// </summary>
    public Task<StoreResult[]> StoreBatchAsync(IReadOnlyList<(ReadOnlyMemory<byte> Part, IngestSource Source)> items, CancellationToken ct = default) =>
        StoreBatchAsync(items.Select(x => x.Part).ToList(), i => items[i].Source, ct);

    async Task<StoreResult[]> StoreBatchAsync(List<ReadOnlyMemory<byte>> parts, Func<int, IngestSource> sourceOf, CancellationToken ct)
    {
        var results = new StoreResult[parts.Count];
        // Parsing, hashing and building index rows is CPU work, independent per part.
        var parsed = new Parsed[parts.Count];
        Parallel.For(0, parts.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => parsed[i] = Parse(parts[i], sourceOf(i)));

        var writing = new List<Pending>();
        for (var i = 0; i < parts.Count; i++)
        {
            if (parsed[i].Refusal is { } refusal) { results[i] = refusal; continue; }
            var record = parsed[i].Record!;
            var existing = await index.FindInstanceAsync(record.SopInstanceUid, ct);
            if (existing is not null) results[i] = await Existing(record.SopClassUid, record.SopInstanceUid, record.Sha256, existing, null, parts[i]);
            else writing.Add(new Pending(i, record));
        }
        if (writing.Count == 0) return results;

        var intent = Journal?.Begin(writing.Select(w => w.Record.BlobKey));
        var settled = await WriteAndIndexAsync(parts, writing, results, ct);
        if (intent is not null) Journal!.End(intent);
        return settled;
    }

    /// <summary>Writes the blobs of a batch, then commits its index rows; every blob is either indexed or removed.</summary>
    async Task<StoreResult[]> WriteAndIndexAsync(List<ReadOnlyMemory<byte>> parts, List<Pending> writing, StoreResult[] results, CancellationToken ct)
    {
        var errors = await blobs.WriteManyAsync(writing.Select(w => new BlobWrite(w.Record.BlobKey, parts[w.Position])).ToList(), ct);
        var pending = new List<Pending>(writing.Count);
        for (var k = 0; k < writing.Count; k++)
        {
            if (errors[k] is not { } e) { pending.Add(writing[k]); continue; }
            var r = writing[k].Record;
            const int diskFull = 28; // ENOSPC
            var status = (e.HResult & 0xFFFF) == diskFull || e.HResult == unchecked((int)0x80070070) ? StoreStatus.OutOfResources : StoreStatus.ProcessingFailure;
            results[writing[k].Position] = StoreResult.Refuse(status, $"cannot store the object: {e.Message}", r.SopClassUid, r.SopInstanceUid);
        }
        if (pending.Count == 0) return results;

        IReadOnlyList<IndexAddResult> added;
        try
        {
            added = await index.AddAsync(pending.Select(p => p.Record).ToList(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var p in pending)
            {
                await DeleteUnreferencedAsync(p.Record.BlobKey);
                results[p.Position] = StoreResult.Refuse(StoreStatus.ProcessingFailure, $"index commit failed: {e.Message}", p.Record.SopClassUid, p.Record.SopInstanceUid);
            }
            return results;
        }
        for (var k = 0; k < pending.Count; k++)
        {
            var r = pending[k].Record;
            var a = added[k];
            results[pending[k].Position] = a.Outcome == IndexAddOutcome.Added
                ? new StoreResult(StoreOutcome.Stored, StoreStatus.Success, r.SopClassUid, r.SopInstanceUid, null, a.Instance)
                : await Existing(r, a.Instance, parts[pending[k].Position]);
        }
        return results;
    }

    sealed record Parsed(InstanceRecord? Record, StoreResult? Refusal);

    /// <summary>Parses and validates a part and builds its index row (no I/O). Returns a record or a refusal.</summary>
    static Parsed Parse(ReadOnlyMemory<byte> data, IngestSource source)
    {
        DicomFile file;
        try
        {
            file = DicomFile.Read(data, DicomReadOptions.Untrusted);
        }
        catch (Exception e) when (e is DicomFormatException or InvalidDataException or EndOfStreamException or ArgumentException or OverflowException or InvalidOperationException)
        {
            return new(null, StoreResult.Refuse(StoreStatus.CannotUnderstand, $"not a readable DICOM object: {e.Message}"));
        }
        if (file.IsTruncated) return new(null, StoreResult.Refuse(StoreStatus.CannotUnderstand, "the object is truncated"));

        string? sopClass, sopInstance, study, series;
        try
        {
            sopClass = Uid(file, DicomTags.SOPClassUID);
            sopInstance = Uid(file, DicomTags.SOPInstanceUID);
            study = Uid(file, DicomTags.StudyInstanceUID);
            series = Uid(file, DicomTags.SeriesInstanceUID);
        }
        catch (Exception e) when (e is DicomFormatException or ArgumentException or InvalidOperationException)
        {
            return new(null, StoreResult.Refuse(StoreStatus.CannotUnderstand, $"unreadable identifying attributes: {e.Message}"));
        }
        sopClass ??= MetaUid(file, DicomTags.MediaStorageSOPClassUID);
        var missing = new[] { ("SOP Class UID (0008,0016)", sopClass), ("SOP Instance UID (0008,0018)", sopInstance) }
            .Where(x => x.Item2 is null).Select(x => x.Item1).ToList();
        if (missing.Count > 0)
            return new(null, StoreResult.Refuse(StoreStatus.DataSetDoesNotMatchSopClass, "missing " + string.Join(", ", missing), sopClass, sopInstance));
        if (study is null || series is null) Place(file.Dataset, sopInstance!, study, series);

        var sha = Convert.ToHexStringLower(SHA256.HashData(data.Span));
        var key = FileBlobStore.KeyFor(sopInstance!, sha);
        try
        {
            return new(InstanceRecord.From(file, key, data.Length, sha, source.ToString()), null);
        }
        catch (Exception e) when (e is DicomFormatException or ArgumentException or InvalidOperationException or FormatException)
        {
            return new(null, StoreResult.Refuse(StoreStatus.CannotUnderstand, $"cannot index the object: {e.Message}", sopClass, sopInstance));
        }
    }

    /// <summary>
    /// Files an instance that lacks a Study or Series Instance UID (e.g. a stand-alone palette or a codec test image)
    /// under UIDs derived from its SOP Instance UID (2.25 form from SHA-256, PS3.5 §B.2), so that it has a place in
    /// the patient/study/series hierarchy QIDO-RS and WADO-RS address. Only the index sees these UIDs (they appear in
    /// QIDO results and metadata); the stored object stays byte-identical.
    /// </summary>
    static void Place(DicomDataset ds, string sopInstance, string? study, string? series)
    {
        if (study is null) ds.Set(DicomTags.StudyInstanceUID, PlacementUid("study", sopInstance));
        if (series is null) ds.Set(DicomTags.SeriesInstanceUID, PlacementUid("series", sopInstance));
    }

    /// <summary>The UID under which an instance without one of its own is filed at <paramref name="level"/>.</summary>
    public static string PlacementUid(string level, string sopInstance) =>
        DicomUid.FromHash(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"mira-placement:{level}:{sopInstance}")));

    static string? MetaUid(DicomFile file, DicomTag tag) =>
        file.FileMetaInformation.GetString(tag) is { Length: > 0 } s && s.Trim('\0', ' ') is { Length: > 0 } t ? t : null;

    static string? Uid(DicomFile file, DicomTag tag) => file.Dataset.GetString(tag) is { Length: > 0 } s ? s.Trim('\0', ' ') : null;

    Task<StoreResult> Existing(InstanceRecord mine, StoredInstance stored, ReadOnlyMemory<byte> part) =>
        Existing(mine.SopClassUid, mine.SopInstanceUid, mine.Sha256, stored, mine.BlobKey, part);

    /// <summary>
    /// The SOP Instance UID is taken: identical bytes succeed with a warning; a different object is refused as a
    /// duplicate SOP instance (0x0111), and the blob this attempt wrote, if any, is removed.
    /// </summary>
    async Task<StoreResult> Existing(string sopClass, string sopInstance, string sha, StoredInstance stored, string? myBlobKey, ReadOnlyMemory<byte> part)
    {
        if (myBlobKey is not null && myBlobKey != stored.BlobKey) await DeleteUnreferencedAsync(myBlobKey);
        if (stored.Sha256 == sha)
            return new StoreResult(StoreOutcome.AlreadyStored, StoreStatus.Success, sopClass, sopInstance, "an identical instance is already stored", stored);
        if (SameDataSet(part, stored))
            return new StoreResult(StoreOutcome.AlreadyStored, StoreStatus.Success, sopClass, sopInstance,
                "the same data set is already stored (only the file meta information differs)", stored);
        return StoreResult.Refuse(StoreStatus.DuplicateSopInstance,
            $"a different object is already stored under SOP Instance UID {sopInstance} (stored SHA-256 {stored.Sha256}, received {sha})", sopClass, sopInstance);
    }

    /// <summary>
    /// True when <paramref name="part"/> carries the stored instance's data set byte for byte, in the same transfer
    /// syntax, and differs only in its file meta information: a resend over DIMSE from another AE (Source AE Title),
    /// or the same file rewritten by another implementation. Such a resend is the same object, not a conflict.
    /// </summary>
    bool SameDataSet(ReadOnlyMemory<byte> part, StoredInstance stored)
    {
        if (blobs.GetLength(stored.BlobKey) is not { } length || length > MaxPartSize) return false;
        try
        {
            var options = new DicomReadOptions { StopBeforePixelData = true };
            var mine = DicomFile.Read(part, options);
            using var s = blobs.OpenRead(stored.BlobKey);
            var theirsBytes = new byte[length];
            s.ReadExactly(theirsBytes);
            var theirs = DicomFile.Read(theirsBytes, options);
            return mine.TransferSyntax.Uid == theirs.TransferSyntax.Uid
                && part.Span[(int)mine.DatasetOffset..].SequenceEqual(theirsBytes.AsSpan((int)theirs.DatasetOffset));
        }
        catch (Exception e) when (e is DicomFormatException or IOException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Deletes a blob unless an index row uses it (an identical instance stored concurrently).</summary>
    async Task DeleteUnreferencedAsync(string key)
    {
        try
        {
            if (!await index.IsBlobReferencedAsync(key)) blobs.Delete(key);
        }
        catch (Exception e) when (e is IOException or System.Data.Common.DbException)
        {
            // Left for ArchiveVerifier's repair: an unreferenced blob is an orphan, never an acknowledged instance.
        }
    }
}
