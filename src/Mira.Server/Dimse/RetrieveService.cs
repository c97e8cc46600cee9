using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Dicom.Network;
using Mira.Storage.Index;
using Mira.Storage.Query;

namespace Mira.Server.Dimse;

/// <summary>
/// C-MOVE SCP (PS3.4 §C.4.2) to the AEs of the AE table, and C-GET SCP (PS3.4 §C.4.3) on the requestor's own
/// association, for the patient and study roots. The identifier names what to retrieve by the unique keys of its
/// level (PS3.4 §C.4.2.2.1: Patient ID; Study, Series or SOP Instance UIDs, lists allowed). Instances are sent as
/// stored when the receiver accepted their syntax, otherwise converted by the codecs (never to a lossy syntax).
/// Pending responses report the sub-operation counts after each instance; the final response lists failed SOP
/// instances; C-CANCEL-RQ stops the sub-operations with status Cancel (FE00).
/// </summary>
public sealed class RetrieveService(MiraPlatform archive, AeDirectory directory, DimseServiceOptions options)
{
    readonly ITransferSyntaxConverter converter = new CodecTransferSyntaxConverter();

    /// <summary>C-MOVE: resolves the identifier, announces what will be sent (<paramref name="announce"/>, for the audit), then sends it.</summary>
    public async Task<RetrieveOutcome> MoveAsync(DimseOperation operation, Func<RetrieveIntent, Task> announce)
    {
        var rq = operation.Request;
        var destination = rq.Command.GetString(DicomTags.MoveDestination)?.Trim();
        var (instances, error, summary) = await ResolveAsync(rq, operation.Cancelled);
        if (error is not null) return error;
        if (string.IsNullOrEmpty(destination) || directory.Find(destination) is not { } target)
            return Fail(rq, DicomStatus.MoveDestinationUnknown, $"Move Destination '{destination}' is not in the AE table", summary);
        await announce(new RetrieveIntent(StudiesOf(instances), summary, instances.Count, target.AETitle));

        var counts = new Counter(instances.Count);
        var failed = new List<string>();
        var scu = new StoreScu(new StoreScuOptions
        {
            Host = target.Host, Port = target.Port, CalledAE = target.AETitle, CallingAE = options.AETitle,
            Associations = options.MoveAssociations, Association = options.Association with { Tls = options.MoveTls }, Converter = converter,
            MoveOriginator = (operation.Association.CallingAE, rq.MessageId ?? 0),
        });
        var items = instances.Select(i => new StoreScuItem(i.SopInstanceUid, i.SopClassUid, i.SopInstanceUid,
            TransferSyntax.Lookup(i.TransferSyntaxUid ?? DicomUids.ExplicitVRLittleEndian), ct => ReadBlobAsync(i, ct))).ToList();
        await scu.SendAsync(items, async r =>
        {
            counts.Add(r.IsSuccess, r.IsWarning);
            if (!r.IsSuccess) failed.Add(r.SopInstanceUid ?? r.Path);
            await operation.SendPendingAsync(DimseMessages.RetrieveResponse(rq, DicomStatus.Pending, counts.Snapshot));
        }, operation.Cancelled);
        return Final(operation, counts, failed, summary + $" → {target.AETitle}", instances);
    }

    /// <summary>C-GET: resolves the identifier, announces what will be sent (<paramref name="announce"/>, for the audit), then sends it back.</summary>
    public async Task<RetrieveOutcome> GetAsync(DimseOperation operation, Func<RetrieveIntent, Task> announce)
    {
        var rq = operation.Request;
        var (instances, error, summary) = await ResolveAsync(rq, operation.Cancelled);
        if (error is not null) return error;
        await announce(new RetrieveIntent(StudiesOf(instances), summary, instances.Count, operation.Association.CallingAE));
        var counts = new Counter(instances.Count);
        var failed = new List<string>();
        foreach (var instance in instances)
        {
            if (operation.Cancelled.IsCancellationRequested) break;
            ushort status;
            try
            {
                status = await SendOneAsync(operation, instance);
            }
            catch (OperationCanceledException) when (operation.Cancelled.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is MiraException or IOException or NotSupportedException)
            {
                status = DicomStatus.ProcessingFailure;
            }
            var ok = !DicomStatus.IsFailure(status);
            counts.Add(ok, ok && DicomStatus.IsWarning(status));
            if (!ok) failed.Add(instance.SopInstanceUid);
            await operation.SendPendingAsync(DimseMessages.RetrieveResponse(rq, DicomStatus.Pending, counts.Snapshot));
        }
        return Final(operation, counts, failed, summary, instances);
    }

    /// <summary>One C-STORE sub-operation of a C-GET on a context where the requestor is SCP (PS3.4 §C.4.3.3).</summary>
    async Task<ushort> SendOneAsync(DimseOperation operation, StoredInstance instance)
    {
        var a = operation.Association;
        var stored = TransferSyntax.Lookup(instance.TransferSyntaxUid ?? DicomUids.ExplicitVRLittleEndian);
        var contexts = a.AcceptedContexts.Where(c => c.Value.AbstractSyntax == instance.SopClassUid && a.RequestorIsScp(instance.SopClassUid)).ToList();
        var exact = contexts.Where(c => c.Value.Syntax.Uid == stored.Uid).Select(c => (byte?)c.Key).FirstOrDefault();
        var convertible = contexts.Where(c => converter.CanConvert(stored, c.Value.Syntax)).Select(c => (byte?)c.Key).FirstOrDefault();
        if (exact is null && convertible is null) return DicomStatus.SopClassNotSupported;
        var bytes = await ReadBlobAsync(instance, operation.Cancelled);
        var id = operation.NextMessageId();
        DicomMessage request;
        if (exact is { } e)
        {
            var offset = DicomFile.Read(bytes, new DicomReadOptions { StopBeforePixelData = true }).DatasetOffset;
            request = DimseMessages.StoreRequest(id, instance.SopClassUid, instance.SopInstanceUid, bytes.AsMemory((int)offset), stored).InContext(e);
        }
        else
        {
            var target = a.AcceptedContexts[convertible!.Value].Syntax;
            var converted = DimseMessages.Encode(converter.Convert(DicomFile.Read(bytes).Dataset, stored, target), target);
            request = DimseMessages.StoreRequest(id, instance.SopClassUid, instance.SopInstanceUid, converted, target).InContext(convertible.Value);
        }
        var response = await operation.SubOperationAsync(request, operation.Cancelled);
        return response.Status ?? DicomStatus.ProcessingFailure;
    }

    async Task<byte[]> ReadBlobAsync(StoredInstance instance, CancellationToken ct)
    {
        await using var s = archive.Blobs.OpenRead(instance.BlobKey);
        var buffer = new byte[instance.BlobSize];
        await s.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    RetrieveOutcome Final(DimseOperation operation, Counter counts, List<string> failed, string summary, IReadOnlyList<StoredInstance> instances)
    {
        var rq = operation.Request;
        var c = counts.Snapshot;
        var resource = StudiesOf(instances);
        var notDone = c.Remaining;
        if (operation.CancelRequested)
            return new(DimseMessages.RetrieveResponse(rq, DicomStatus.Cancel, c with { Remaining = notDone }, failed), resource, $"{summary} (cancelled: {c})");
        if (notDone > 0) // the association ended or the destination could not be reached for the rest
            failed.AddRange(instances.Select(i => i.SopInstanceUid).Except(failed).Take(notDone));
        var f = c.Failed + notDone;
        var status = f == 0 && c.Warning == 0 ? DicomStatus.Success
            : f > 0 && c.Completed == 0 ? DicomStatus.UnableToProcess
            : DicomStatus.SubOperationsCompleteWithFailures;
        var response = DimseMessages.RetrieveResponse(rq, status, new SubOperationCounts(0, c.Completed, f, c.Warning), failed);
        if (status == DicomStatus.UnableToProcess) DimseMessages.WithErrorComment(response, $"all {f} sub-operations failed");
        return new(response, resource, $"{summary} ({c.Completed} sent, {f} failed, {c.Warning} warnings)");
    }

    /// <summary>The audit resource of a retrieve: its studies (the first 20, in order).</summary>
    static string StudiesOf(IReadOnlyList<StoredInstance> instances) =>
        string.Join(',', instances.Select(i => i.StudyInstanceUid).Distinct().Order(StringComparer.Ordinal).Take(20));

    static RetrieveOutcome Fail(DicomMessage rq, ushort status, string why, string? summary = null) =>
        new(DimseMessages.WithErrorComment(DicomMessage.ResponseTo(rq, status), why), null, summary ?? why);

    /// <summary>The stored instances the identifier names (PS3.4 §C.4.2.2.1, unique keys per level), or the refusal.</summary>
    async Task<(IReadOnlyList<StoredInstance> Instances, RetrieveOutcome? Error, string Summary)> ResolveAsync(DicomMessage rq, CancellationToken ct)
    {
        DicomDataset id;
        try
        {
            id = rq.Dataset ?? throw new DicomFormatException("no identifier", null, 0);
        }
        catch (DicomFormatException e)
        {
            return ([], Fail(rq, DicomStatus.IdentifierDoesNotMatchSopClass, $"unreadable identifier: {e.Message}"), "");
        }
        var root = SopClasses.RootOf(rq.AffectedSopClassUid ?? "");
        var level = id.GetString(DicomTags.QueryRetrieveLevel)?.Trim().ToUpperInvariant();
        string[] Uids(DicomTag t) => id.GetStrings(t).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray();
        var studies = Uids(DicomTags.StudyInstanceUID);
        var series = Uids(DicomTags.SeriesInstanceUID);
        var sops = Uids(DicomTags.SOPInstanceUID);
        var summary = $"{root} root {level}";
        RetrieveOutcome Missing(string key) => Fail(rq, DicomStatus.IdentifierDoesNotMatchSopClass, $"{level} level retrieve needs {key}", summary);
        var found = new List<StoredInstance>();
        switch (level)
        {
            case "PATIENT" when root == QueryRoot.Patient:
                var patient = id.GetString(DicomTags.PatientID);
                if (string.IsNullOrWhiteSpace(patient)) return ([], Missing("Patient ID (0010,0020)"), summary);
                summary += $" PatientID={patient}";
                var rows = await archive.Index.QueryStudiesAsync(QidoQuery.Parse([new("PatientID", patient), new("limit", QidoQuery.MaxLimit.ToString())]), ct);
                foreach (var st in rows.Select(r => r.GetString(DicomTags.StudyInstanceUID)).OfType<string>())
                    found.AddRange(await archive.Index.FindInstancesAsync(st, null, ct));
                break;
            case "STUDY":
                if (studies.Length == 0) return ([], Missing("Study Instance UID (0020,000D)"), summary);
                summary += $" StudyInstanceUID={string.Join('\\', studies)}";
                foreach (var st in studies) found.AddRange(await archive.Index.FindInstancesAsync(st, null, ct));
                break;
            case "SERIES":
                if (series.Length == 0) return ([], Missing("Series Instance UID (0020,000E)"), summary);
                summary += $" SeriesInstanceUID={string.Join('\\', series)}";
                foreach (var se in series)
                {
                    var studyOf = studies.Length == 1 ? studies[0] : await StudyOfSeriesAsync(se, ct);
                    if (studyOf is not null) found.AddRange(await archive.Index.FindInstancesAsync(studyOf, se, ct));
                }
                break;
            case "IMAGE":
                if (sops.Length == 0) return ([], Missing("SOP Instance UID (0008,0018)"), summary);
                summary += $" SOPInstanceUID={string.Join('\\', sops.Take(5))}{(sops.Length > 5 ? $"… ({sops.Length})" : "")}";
                foreach (var sop in sops)
                    if (await archive.Index.FindInstanceAsync(sop, ct) is { } i) found.Add(i);
                break;
            default:
                return ([], Fail(rq, DicomStatus.IdentifierDoesNotMatchSopClass,
                    level is null ? "no Query/Retrieve Level (0008,0052)" : $"Query/Retrieve Level '{level}' is not valid for the {root} root"), summary);
        }
        return (found.DistinctBy(i => i.SopInstanceUid).ToList(), null, summary);
    }

    async Task<string?> StudyOfSeriesAsync(string series, CancellationToken ct)
    {
        var rows = await archive.Index.QuerySeriesAsync(QidoQuery.Parse([new("SeriesInstanceUID", series), new("includefield", "StudyInstanceUID")]), null, ct);
        return rows.Select(r => r.GetString(DicomTags.StudyInstanceUID)).FirstOrDefault(s => s is not null);
    }

    /// <summary>Sub-operation counts shared by the workers of one retrieve.</summary>
    sealed class Counter(int total)
    {
        int completed, failed, warning;
        public void Add(bool ok, bool warn)
        {
            if (!ok) Interlocked.Increment(ref failed);
            else if (warn) Interlocked.Increment(ref warning);
            else Interlocked.Increment(ref completed);
        }
        public SubOperationCounts Snapshot
        {
            get
            {
                int c = Volatile.Read(ref completed), f = Volatile.Read(ref failed), w = Volatile.Read(ref warning);
                return new SubOperationCounts(total - c - f - w, c, f, w);
            }
        }
    }
}
