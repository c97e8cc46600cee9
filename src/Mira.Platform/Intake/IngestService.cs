using System.Runtime.CompilerServices;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Intake;

/// <summary>
/// The one way into an archive (STOW-RS, DIMSE C-STORE and import reach it through <see cref="IntakeSession"/>;
/// project copies directly). Each part is parsed once (<see cref="IncomingInstance.Parse"/>, with the untrusted-input
/// limits), and that parse serves the caller's checks, duplicate detection and the index row. Each part is stored byte-exact in the blob store (durable) and only then indexed; a result
/// is returned only after both, so an acknowledged instance survives a crash. A refused part leaves nothing behind.
/// </summary>
public sealed class IngestService(IIndexStore index, IBlobStore blobs)
{
    /// <summary>Index rows committed per transaction by <see cref="StoreManyAsync"/>.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The intent log that makes start-up recovery proportional to the batches in flight (none: no log).</summary>
    public IngestJournal? Journal
    {
        get => journal;
        init
        {
            journal = value;
            journalCovered = value is not null && blobs.GroupCommitCovers(value.Folder);
        }
    }

    readonly IngestJournal? journal;
    readonly bool journalCovered;

    /// <summary>Largest part accepted (bytes); larger parts are refused as out of resources.</summary>
    public long MaxPartSize { get; init; } = int.MaxValue - 64;

    /// <summary>Where stored instances and batch durations are recorded; null records nothing (a span is still started).</summary>
    public Observability.MiraTelemetry? Telemetry { get; init; }

    /// <summary>How large a part may be once inflated or decoded (checked from its header when it is parsed).</summary>
    public IntakeLimits Limits { get; init; } = IntakeLimits.Default;

    /// <summary>Reads a part from a stream (an HTTP multipart body part, a file) and stores it.</summary>
    public async Task<StoreResult> StoreAsync(Stream part, IngestSource source, CancellationToken ct = default)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await part.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > MaxPartSize)
                return StoreResult.Refuse(StoreRefusal.TooLarge, StoreStatus.OutOfResources, $"part larger than {MaxPartSize} bytes");
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
        StoreParsedAsync(Parse(parts, _ => source, Limits, ct), ct);

    /// <summary>
    /// Stores one batch of parts that may come from different sources (e.g. C-STORE requests of several associations
    /// gathered by <see cref="IngestQueue"/>): one blob group commit and one index transaction for all of them.
    /// </summary>
    public Task<StoreResult[]> StoreBatchAsync(IReadOnlyList<(ReadOnlyMemory<byte> Part, IngestSource Source)> items, CancellationToken ct = default) =>
        StoreParsedAsync(Parse(items.Select(x => x.Part).ToList(), i => items[i].Source, Limits, ct), ct);

    /// <summary>Parses parts in parallel (CPU work, independent per part), each once, with the untrusted-input limits and <see cref="Limits"/>.</summary>
    public IncomingInstance[] Parse(IReadOnlyList<ReadOnlyMemory<byte>> parts, Func<int, IngestSource> sourceOf, CancellationToken ct = default) =>
        Parse(parts, sourceOf, Limits, ct);

    /// <summary>Parses parts in parallel (CPU work, independent per part), each once, with the untrusted-input limits and <paramref name="limits"/>.</summary>
    public static IncomingInstance[] Parse(IReadOnlyList<ReadOnlyMemory<byte>> parts, Func<int, IngestSource> sourceOf, IntakeLimits limits, CancellationToken ct = default)
    {
        var parsed = new IncomingInstance[parts.Count];
        Parallel.For(0, parts.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => parsed[i] = IncomingInstance.Parse(parts[i], sourceOf(i), limits));
        return parsed;
    }

    /// <summary>
    /// Stores parts parsed once already (<see cref="IncomingInstance.Parse"/>; a part a caller refused before carries its
    /// refusal): one blob group commit and one index transaction. Results in input order, after the commit.
    /// </summary>
    public async Task<StoreResult[]> StoreParsedAsync(IReadOnlyList<IncomingInstance> parsed, CancellationToken ct = default)
    {
        using var span = Observability.MiraTelemetry.Tracing.StartActivity("mira.ingest.batch");
        span?.SetTag("mira.ingest.parts", parsed.Count);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var results = await StoreParsedOnceAsync(parsed, ct);
        Telemetry?.RecordIngestBatch(parsed, results, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        span?.SetTag("mira.ingest.stored", results.Count(r => r.Outcome == StoreOutcome.Stored));
        return results;
    }

    async Task<StoreResult[]> StoreParsedOnceAsync(IReadOnlyList<IncomingInstance> parsed, CancellationToken ct)
    {
        var results = new StoreResult[parsed.Count];
        var writing = new List<Pending>();
        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Refusal is { } refusal) { results[i] = refusal; continue; }
            var record = parsed[i].Record!;
            if (record.BlobSize > MaxPartSize && parsed[i].StagedFile is null) // a staged file never sits in memory
            {
                results[i] = StoreResult.Refuse(StoreRefusal.TooLarge, StoreStatus.OutOfResources, $"part larger than {MaxPartSize} bytes", record.SopClassUid, record.SopInstanceUid);
                continue;
            }
            var existing = await index.FindInstanceAsync(record.SopInstanceUid, ct);
            if (existing is not null) results[i] = await Existing(record.SopClassUid, record.SopInstanceUid, record.Sha256, existing, null, parsed[i]);
            else writing.Add(new Pending(i, record));
        }
        if (writing.Count == 0) return results;

        // The intent record needs no flush of its own when the blob group commit's first sync (before any rename)
        // covers the journal's folder as well: one sync fewer per batch, the same order on disk.
        var intent = Journal?.Begin(writing.Select(w => w.Record.BlobKey), flush: !journalCovered);
        var settled = await WriteAndIndexAsync(parsed, writing, results, ct);
        if (intent is not null) Journal!.End(intent);
        return settled;
    }

    /// <summary>Writes the blobs of a batch, then commits its index rows; every blob is either indexed or removed.</summary>
    async Task<StoreResult[]> WriteAndIndexAsync(IReadOnlyList<IncomingInstance> parts, List<Pending> writing, StoreResult[] results, CancellationToken ct)
    {
        var inMemory = writing.Where(w => parts[w.Position].StagedFile is null).ToList();
        var written = await blobs.WriteManyAsync(inMemory.Select(w => new BlobWrite(w.Record.BlobKey, parts[w.Position].Data)).ToList(), ct);
        var errors = new Exception?[writing.Count];
        for (int k = 0, m = 0; k < writing.Count; k++)
        {
            if (parts[writing[k].Position].StagedFile is not { } staged) { errors[k] = written[m++]; continue; }
            try
            {
                await blobs.AdoptAsync(writing[k].Record.BlobKey, staged, ct); // a converted slide level: renamed, not copied
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors[k] = e;
            }
        }
        var pending = new List<Pending>(writing.Count);
        for (var k = 0; k < writing.Count; k++)
        {
            if (errors[k] is not { } e) { pending.Add(writing[k]); continue; }
            var r = writing[k].Record;
            const int diskFull = 28; // ENOSPC
            var status = (e.HResult & 0xFFFF) == diskFull || e.HResult == unchecked((int)0x80070070) ? StoreStatus.OutOfResources : StoreStatus.ProcessingFailure;
            results[writing[k].Position] = StoreResult.Refuse(StoreRefusal.StorageFailed, status, $"cannot store the object: {e.Message}", r.SopClassUid, r.SopInstanceUid);
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
                results[p.Position] = StoreResult.Refuse(StoreRefusal.IndexFailed, StoreStatus.ProcessingFailure, $"index commit failed: {e.Message}", p.Record.SopClassUid, p.Record.SopInstanceUid);
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

    Task<StoreResult> Existing(InstanceRecord mine, StoredInstance stored, IncomingInstance part) =>
        Existing(mine.SopClassUid, mine.SopInstanceUid, mine.Sha256, stored, mine.BlobKey, part);

    /// <summary>
    /// The SOP Instance UID is taken: identical bytes succeed with a warning; a different object is refused as a
    /// duplicate SOP instance (0x0111), and the blob this attempt wrote, if any, is removed.
    /// </summary>
    async Task<StoreResult> Existing(string sopClass, string sopInstance, string sha, StoredInstance stored, string? myBlobKey, IncomingInstance part)
    {
        if (myBlobKey is not null && myBlobKey != stored.BlobKey) await DeleteUnreferencedAsync(myBlobKey);
        if (stored.Sha256 == sha)
            return new StoreResult(StoreOutcome.AlreadyStored, StoreStatus.Success, sopClass, sopInstance, "an identical instance is already stored", stored);
        if (SameDataSet(part, stored))
            return new StoreResult(StoreOutcome.AlreadyStored, StoreStatus.Success, sopClass, sopInstance,
                "the same data set is already stored (only the file meta information differs)", stored);
        return StoreResult.Refuse(StoreRefusal.Conflict, StoreStatus.DuplicateSopInstance,
            $"a different object is already stored under SOP Instance UID {sopInstance} (stored SHA-256 {stored.Sha256}, received {sha})", sopClass, sopInstance);
    }

    /// <summary>
    /// True when <paramref name="part"/> carries the stored instance's data set byte for byte, in the same transfer
    /// syntax, and differs only in its file meta information: a resend over DIMSE from another AE (Source AE Title),
    /// or the same file rewritten by another implementation. Such a resend is the same object, not a conflict.
    /// </summary>
    bool SameDataSet(IncomingInstance part, StoredInstance stored)
    {
        if (part.File is not { } mine || part.StagedFile is not null || blobs.GetLength(stored.BlobKey) is not { } length || length > MaxPartSize) return false;
        try
        {
            using var s = blobs.OpenRead(stored.BlobKey);
            var theirsBytes = new byte[length];
            s.ReadExactly(theirsBytes);
            var theirs = DicomFile.Read(theirsBytes, new DicomReadOptions { StopBeforePixelData = true });
            return mine.TransferSyntax.Uid == theirs.TransferSyntax.Uid
                && part.Data.Span[(int)mine.DatasetOffset..].SequenceEqual(theirsBytes.AsSpan((int)theirs.DatasetOffset));
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
