using System.Collections.Concurrent;
using System.Diagnostics;
using Mira.Dicom.IO;

namespace Mira.Dicom.Network;

/// <summary>Where and how a <see cref="StoreScu"/> sends.</summary>
public sealed record StoreScuOptions
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string CalledAE { get; init; }
    public string CallingAE { get; init; } = "MIRA";
    /// <summary>Associations used side by side; files are shared out among them.</summary>
    public int Associations { get; init; } = 1;
    public DicomAssociationOptions Association { get; init; } = DicomAssociationOptions.Default;
    /// <summary>Converts a file whose own transfer syntax the peer did not accept (native conversions by default; codecs add decoding).</summary>
    public ITransferSyntaxConverter Converter { get; init; } = new NativeTransferSyntaxConverter();
    /// <summary>For C-STORE sub-operations of a C-MOVE: the Move Originator AE Title and Message ID (PS3.7 §9.3.1.1).</summary>
    public (string AETitle, ushort MessageId)? MoveOriginator { get; init; }
}

/// <summary>One object to send whose identity is already known (e.g. from the archive index): its bytes are read when it is sent.</summary>
public sealed record StoreScuItem(string Name, string SopClassUid, string SopInstanceUid, TransferSyntax Syntax, Func<CancellationToken, Task<byte[]>> ReadAsync);

/// <summary>What happened to one file: the C-STORE-RSP status, or why it was not sent.</summary>
public sealed record StoreScuResult(string Path, string? SopClassUid, string? SopInstanceUid, ushort? Status, string? Error)
{
    public bool IsSuccess => Error is null && Status is { } s && !DicomStatus.IsFailure(s);
    public bool IsWarning => IsSuccess && Status is { } s && DicomStatus.IsWarning(s);
}

public sealed record StoreScuSummary(int Succeeded, int Warnings, int Failed, long Bytes, TimeSpan Elapsed, IReadOnlyList<StoreScuResult> Failures);

/// <summary>
/// C-STORE SCU (PS3.4 Annex B, PS3.7 §9.1.1) over several parallel associations. Files are scanned first (header
/// only) to propose one presentation context per SOP class and transfer syntax found, each also offering the native
/// syntaxes the <see cref="StoreScuOptions.Converter"/> can produce; more than 128 contexts are split over successive
/// association groups (PS3.8 §9.3.2.2: context IDs are odd bytes). A file whose own syntax was accepted is sent
/// byte for byte from its data set offset; otherwise it is converted. A broken association fails the file in flight
/// and is re-opened for the rest.
/// </summary>
public sealed class StoreScu(StoreScuOptions options)
{
    const int MaxContexts = 128;

    /// <summary>What is sent: identity and syntax, a reader, and the data set offset when known (else found when sent).</summary>
    sealed record Entry(string Path, string SopClass, string SopInstance, TransferSyntax Syntax, long? DatasetOffset, Func<CancellationToken, Task<byte[]>> Read);

    /// <summary>Sends files: each is scanned (header only) first, in parallel; a file that is not DICOM is reported and skipped.</summary>
    public Task<StoreScuSummary> SendAsync(IReadOnlyList<string> files, IProgress<StoreScuResult>? progress = null, CancellationToken ct = default) =>
        SendFilesAsync(files, progress is null ? null : r => { progress.Report(r); return ValueTask.CompletedTask; }, ct);

    public async Task<StoreScuSummary> SendFilesAsync(IReadOnlyList<string> files, Func<StoreScuResult, ValueTask>? onResult, CancellationToken ct = default)
    {
        var entries = new Entry?[files.Count];
        var unreadable = new ConcurrentBag<StoreScuResult>();
        Parallel.For(0, files.Count, new ParallelOptions { CancellationToken = ct }, i =>
        {
            try
            {
                entries[i] = Scan(files[i]);
            }
            catch (Exception e) when (e is MiraException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                unreadable.Add(new StoreScuResult(files[i], null, null, null, $"not sent: {e.Message}"));
            }
        });
        return await SendEntriesAsync(entries.OfType<Entry>().ToList(), unreadable.OrderBy(r => r.Path, StringComparer.Ordinal).ToList(), onResult, ct);
    }

    /// <summary>Sends objects whose identity is known; bytes are read when each is sent.</summary>
    public Task<StoreScuSummary> SendAsync(IReadOnlyList<StoreScuItem> items, Func<StoreScuResult, ValueTask>? onResult = null, CancellationToken ct = default) =>
        SendEntriesAsync(items.Select(i => new Entry(i.Name, i.SopClassUid, i.SopInstanceUid, i.Syntax, null, i.ReadAsync)).ToList(), [], onResult, ct);

    async Task<StoreScuSummary> SendEntriesAsync(List<Entry> entries, IReadOnlyList<StoreScuResult> early, Func<StoreScuResult, ValueTask>? onResult, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var results = new ConcurrentBag<StoreScuResult>();
        long bytes = 0;
        var reportLock = new SemaphoreSlim(1, 1);
        async Task Report(StoreScuResult r)
        {
            results.Add(r);
            if (onResult is null) return;
            await reportLock.WaitAsync(CancellationToken.None);
            try { await onResult(r); }
            finally { reportLock.Release(); }
        }
        foreach (var r in early) await Report(r);

        foreach (var group in Group(entries))
        {
            var queue = new ConcurrentQueue<Entry>(group.Files);
            var workers = Enumerable.Range(0, Math.Max(1, Math.Min(options.Associations, group.Files.Count)))
                .Select(_ => Task.Run(() => WorkAsync(group.Contexts, queue, Report, n => Interlocked.Add(ref bytes, n), ct), ct)).ToArray();
            var openErrors = await Task.WhenAll(workers);
            var why = openErrors.FirstOrDefault(e => e is not null);
            while (queue.TryDequeue(out var left))
                await Report(new StoreScuResult(left.Path, left.SopClass, left.SopInstance, null,
                    ct.IsCancellationRequested ? "not sent: cancelled" : $"not sent: no association could be opened{(why is null ? "" : ": " + why)}"));
        }
        var all = results.ToArray();
        var failures = all.Where(r => !r.IsSuccess).OrderBy(r => r.Path, StringComparer.Ordinal).ToList();
        return new StoreScuSummary(all.Count(r => r.IsSuccess), all.Count(r => r.IsWarning), failures.Count, bytes, clock.Elapsed, failures);
    }

    /// <summary>
    /// Reads a file's header. Its data set must carry SOP Class and SOP Instance UID (PS3.4 §B.4.1: they identify the
    /// instance the C-STORE-RQ names; a receiver checks one against the other), as dcmtk's storescu also requires.
    /// </summary>
    static Entry Scan(string path)
    {
        var file = DicomFile.Open(path, new DicomReadOptions { StopBeforePixelData = true });
        string? Get(DicomDataset ds, DicomTag tag) => ds.GetString(tag)?.Trim('\0', ' ') is { Length: > 0 } s ? s : null;
        var sopClass = Get(file.Dataset, DicomTags.SOPClassUID) ?? throw new InvalidOperationException("the data set has no SOP Class UID (0008,0016)");
        var sopInstance = Get(file.Dataset, DicomTags.SOPInstanceUID) ?? throw new InvalidOperationException("the data set has no SOP Instance UID (0008,0018)");
        return new Entry(path, sopClass, sopInstance, file.TransferSyntax, file.DatasetOffset, c => File.ReadAllBytesAsync(path, c));
    }

    sealed record ContextGroup(List<PresentationContext> Contexts, List<Entry> Files);

    /// <summary>Presentation contexts per (SOP class, syntax), in groups of at most 128, each with the files it carries.</summary>
    IEnumerable<ContextGroup> Group(IEnumerable<Entry> entries)
    {
        var byPair = entries.GroupBy(e => (e.SopClass, e.Syntax.Uid)).OrderBy(g => g.Key.SopClass, StringComparer.Ordinal).ThenBy(g => g.Key.Uid, StringComparer.Ordinal);
        var current = new ContextGroup([], []);
        foreach (var pair in byPair)
        {
            if (current.Contexts.Count == MaxContexts)
            {
                yield return current;
                current = new ContextGroup([], []);
            }
            var syntax = pair.First().Syntax;
            var proposed = new List<string> { syntax.Uid };
            foreach (var native in SopClasses.Native)
                if (!proposed.Contains(native) && options.Converter.CanConvert(syntax, TransferSyntax.Lookup(native))) proposed.Add(native);
            current.Contexts.Add(new PresentationContext((byte)(2 * current.Contexts.Count + 1), pair.Key.SopClass, proposed));
            current.Files.AddRange(pair);
        }
        if (current.Files.Count > 0) yield return current;
    }

    /// <summary>One association's loop; returns why it could not open an association, when it gave up for that reason.</summary>
    async Task<string?> WorkAsync(List<PresentationContext> contexts, ConcurrentQueue<Entry> queue, Func<StoreScuResult, Task> report, Action<long> sent, CancellationToken ct)
    {
        DicomAssociation? association = null;
        ushort messageId = 0;
        var failedOpens = 0;
        try
        {
            while (!queue.IsEmpty)
            {
                if (ct.IsCancellationRequested) break;
                if (association is null)
                {
                    try
                    {
                        association = await DicomClient.ConnectAsync(options.Host, options.Port, options.CallingAE, options.CalledAE, contexts, options.Association, ct);
                        failedOpens = 0;
                    }
                    catch (DicomAssociationRejectedException e) when (e.Reject.Result == AssociateRejectPdu.Permanent)
                    {
                        return e.Message; // retrying cannot help; the caller reports what is left in the queue
                    }
                    catch (DicomNetworkException) when (++failedOpens < 3)
                    {
                        await Task.Delay(200 * failedOpens, ct);
                        continue;
                    }
                    catch (Exception e) when (e is DicomNetworkException or IOException or System.Net.Sockets.SocketException)
                    {
                        return e.Message;
                    }
                }
                if (!queue.TryDequeue(out var entry)) break;
                try
                {
                    var (result, length) = await StoreOneAsync(association, ++messageId, entry, ct);
                    sent(length);
                    await report(result);
                }
                catch (Exception e) when (e is DicomNetworkException or IOException)
                {
                    await report(new StoreScuResult(entry.Path, entry.SopClass, entry.SopInstance, null, $"association failed: {e.Message}"));
                    await association.DisposeAsync();
                    association = null;
                }
                catch (Exception e) when (e is MiraException or InvalidOperationException or NotSupportedException or ArgumentException)
                {
                    // This object could not be sent; the association is still fine for the next one.
                    await report(new StoreScuResult(entry.Path, entry.SopClass, entry.SopInstance, null, $"not sent: {e.Message}"));
                }
            }
            if (association is { State: DicomAssociationState.Established }) await association.ReleaseAsync(ct);
            return null;
        }
        finally
        {
            if (association is not null) await association.DisposeAsync();
        }
    }

    async Task<(StoreScuResult Result, long Bytes)> StoreOneAsync(DicomAssociation association, ushort messageId, Entry entry, CancellationToken ct)
    {
        StoreScuResult Fail(string why) => new(entry.Path, entry.SopClass, entry.SopInstance, null, why);
        var candidates = association.AcceptedContexts.Where(c => c.Value.AbstractSyntax == entry.SopClass).ToList();
        if (candidates.Count == 0) return (Fail($"{options.CalledAE} accepted no presentation context for SOP class {entry.SopClass}"), 0);

        byte[] bytes;
        try
        {
            bytes = await entry.Read(ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MiraException)
        {
            return (Fail($"cannot read: {e.Message}"), 0);
        }
        // The whole object is parsed (large values stay lazy) so that a truncated file is not sent as if it were whole.
        var parsed = DicomFile.Read(bytes);
        if (parsed.IsTruncated) return (Fail("not sent: the file is truncated"), 0);
        DicomMessage request;
        var exact = candidates.FirstOrDefault(c => c.Value.Syntax.Uid == entry.Syntax.Uid);
        if (exact.Value.Syntax is not null)
        {
            var offset = parsed.DatasetOffset;
            request = DimseMessages.StoreRequest(messageId, entry.SopClass, entry.SopInstance, bytes.AsMemory((int)offset), entry.Syntax,
                options.MoveOriginator?.AETitle, options.MoveOriginator?.MessageId).InContext(exact.Key);
        }
        else
        {
            var target = candidates.FirstOrDefault(c => options.Converter.CanConvert(entry.Syntax, c.Value.Syntax));
            if (target.Value.Syntax is null)
                return (Fail($"{options.CalledAE} accepted SOP class {entry.SopClass} only in {string.Join(", ", candidates.Select(c => c.Value.Syntax.Name))}, and {entry.Syntax.Name} cannot be converted to it"), 0);
            ReadOnlyMemory<byte> converted;
            try
            {
                converted = DimseMessages.Encode(options.Converter.Convert(parsed.Dataset, entry.Syntax, target.Value.Syntax), target.Value.Syntax);
            }
            catch (Exception e) when (e is MiraException or NotSupportedException or InvalidOperationException or ArgumentException)
            {
                return (Fail($"cannot convert {entry.Syntax.Name} to {target.Value.Syntax.Name}: {e.Message}"), 0);
            }
            request = DimseMessages.StoreRequest(messageId, entry.SopClass, entry.SopInstance, converted, target.Value.Syntax,
                options.MoveOriginator?.AETitle, options.MoveOriginator?.MessageId).InContext(target.Key);
        }
        await association.SendAsync(request, ct);
        var response = await association.ReceiveAsync(ct) ?? throw new DicomNetworkException("the peer released the association instead of answering the C-STORE-RQ");
        if (response.CommandField != DicomCommandField.CStoreResponse || response.MessageIdBeingRespondedTo != messageId)
            throw new DicomNetworkException($"expected a C-STORE-RSP to message {messageId}, got {DicomCommandField.Name(response.CommandField)}");
        var status = response.Status ?? throw new DicomNetworkException("C-STORE-RSP without a Status (0000,0900)");
        var comment = response.Command.GetString(DicomTags.ErrorComment)?.Trim();
        var error = DicomStatus.IsFailure(status) ? $"refused with status 0x{status:X4}{(string.IsNullOrEmpty(comment) ? "" : ": " + comment)}" : null;
        return (new StoreScuResult(entry.Path, entry.SopClass, entry.SopInstance, status, error), bytes.Length);
    }
}
