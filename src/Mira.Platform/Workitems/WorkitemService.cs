using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Platform.Audit;
using Mira.Storage.Index;
using Mira.Storage.Security;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Workitems;

/// <summary>
/// The Unified Procedure Step worklist (PS3.4 Annex CC; IHE AIW-I, docs/workitems.md): work items created per
/// inference, searched and claimed by external task performers, who read their inputs, store results and complete
/// them. The state machine of PS3.4 CC.1.1 — SCHEDULED → IN PROGRESS → COMPLETED or CANCELED, and SCHEDULED →
/// CANCELED on a cancellation request — is enforced here, with the Transaction UID that the claim sets and every later
/// change must present (PS3.4 CC.1.1.1, CC.2.1.3). The Transaction UID is never returned. Every change is audited
/// (who, which item, from → to) and reported to the item's subscribers (<see cref="Events"/>).
/// <para>Who: stewards and admins manage the whole worklist; a performer sees the SCHEDULED items (without their
/// patient attributes) and its own, claims, updates and ends only its own.</para>
/// </summary>
public sealed partial class WorkitemService(WorkitemStore store, IIndexStore index, AuditLog audit, TimeProvider? time = null)
{
    readonly TimeProvider clock = time ?? TimeProvider.System;

    public WorkitemStore Store => store;
    public WorkitemEventHub Events { get; } = new();

    DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());

    Task AuditAsync(WorkitemActor actor, string action, string uid, object details, AuditOutcome outcome = AuditOutcome.Success) =>
        audit.AppendAsync(new AuditEntry(actor.Name, action, uid, actor.ClientAddress, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    static bool MayUse(WorkitemActor a) => a.ManagesWorklist || a.Is(Security.Roles.Performer);

    async Task RequireAsync(bool allowed, WorkitemActor actor, string action, string uid, string why)
    {
        if (allowed) return;
        await AuditAsync(actor, action, uid, new { refused = why }, AuditOutcome.Denied);
        throw WorkitemRefusedException.Forbidden(why);
    }

    /// <summary>
    /// A work item for an inference (the API deployment jobs call): its inputs are read from the index (every instance
    /// of the study, or of the named series; refused when there is none), referenced in the Input Information Sequence
    /// with a WADO-RS Retrieve URL under <see cref="WorkitemRequest.RetrieveBaseUrl"/>.
    /// </summary>
    public async Task<DicomDataset> CreateAsync(WorkitemRequest request, WorkitemActor actor, CancellationToken ct = default)
    {
        var uid = request.Uid ?? DicomUid.Generate();
        await RequireAsync(actor.ManagesWorklist, actor, AuditActions.WorkitemCreate, uid, "creating work items needs one of the roles: steward, admin");
        if (!WorkitemDatasets.Priorities.Contains(request.Priority))
            throw WorkitemRefusedException.Invalid($"priority '{request.Priority}': one of HIGH, MEDIUM, LOW");
        if (!DicomUid.IsValid(request.StudyInstanceUid)) throw WorkitemRefusedException.Invalid($"input study '{request.StudyInstanceUid}' is not a UID");
        if (string.IsNullOrWhiteSpace(request.WorklistLabel) || string.IsNullOrWhiteSpace(request.Model))
            throw WorkitemRefusedException.Invalid("a work item needs a worklist label and a model (name@version)");
        var found = new List<(string Series, string SopClass, string SopInstance)>();
        foreach (var series in request.SeriesInstanceUids.Count == 0 ? [null] : request.SeriesInstanceUids.Cast<string?>())
        {
            var instances = await index.FindInstancesAsync(request.StudyInstanceUid, series, ct);
            if (instances.Count == 0)
                throw WorkitemRefusedException.Invalid(series is null
                    ? $"input study {request.StudyInstanceUid} has no instances in the archive"
                    : $"input series {series} of study {request.StudyInstanceUid} has no instances in the archive");
            found.AddRange(instances.Select(i => (i.SeriesInstanceUid, i.SopClassUid, i.SopInstanceUid)));
        }
        var ds = WorkitemDatasets.Build(uid, request, found, Now);
        if (request.SeriesInstanceUids.Count > 1)
        {
            // One Input Information item per series, each with its own Retrieve URL.
            var items = request.SeriesInstanceUids.Select(s => new DicomDataset()
                .Set(T.TypeOfInstances, "DICOM").Set(T.StudyInstanceUID, request.StudyInstanceUid).Set(T.SeriesInstanceUID, s)
                .Set(new DicomSequence(T.ReferencedSOPSequence, found.Where(f => f.Series == s).Select(f => new DicomDataset()
                    .Set(T.ReferencedSOPClassUID, f.SopClass).Set(T.ReferencedSOPInstanceUID, f.SopInstance))))
                .Set(T.RetrieveURL, $"{request.RetrieveBaseUrl.TrimEnd('/')}/studies/{request.StudyInstanceUid}/series/{s}"));
            ds.Set(new DicomSequence(T.InputInformationSequence, items));
        }
        await AddAsync(uid, ds, actor, new { model = request.Model, worklist = request.WorklistLabel, study = request.StudyInstanceUid }, ct);
        return ds;
    }

    /// <summary>A work item a client sent (UPS-RS create, PS3.18 §11.4): checked as PS3.4 CC.2.5.1.1 says, then stored.</summary>
    public async Task<DicomDataset> CreateAsync(string uid, DicomDataset ds, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(actor.ManagesWorklist, actor, AuditActions.WorkitemCreate, uid, "creating work items needs one of the roles: steward, admin");
        if (!DicomUid.IsValid(uid)) throw WorkitemRefusedException.Invalid($"work item UID '{uid}' is not a valid UID");
        WorkitemDatasets.CheckNew(uid, ds, Now);
        await AddAsync(uid, ds, actor, new { from = (string?)null, to = WorkitemStates.Scheduled }, ct);
        return ds;
    }

    async Task AddAsync(string uid, DicomDataset ds, WorkitemActor actor, object details, CancellationToken ct)
    {
        var now = Now;
        var (study, series) = WorkitemDatasets.Inputs(ds);
        var record = new WorkitemRecord(uid, WorkitemStates.Scheduled, null, WorkitemDatasets.ScheduledStart(ds), ds.GetString(T.ScheduledProcedureStepPriority)!,
            ds.GetString(T.WorklistLabel), study, series, null, actor.Name, WorkitemDatasets.ToJson(ds), now, now);
        if (!await store.AddAsync(record, ct))
            throw WorkitemRefusedException.Conflict($"work item {uid} exists already (PS3.4 CC.2.5.1.1: a UID is used once)");
        await AuditAsync(actor, AuditActions.WorkitemCreate, uid, details);
        await JoinGlobalSubscriptionsAsync(uid, ds, ct);
    }

    /// <summary>One work item as the caller may see it (never with its Transaction UID, PS3.4 CC.2.5.1.2).</summary>
    public async Task<DicomDataset> GetAsync(string uid, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemRead, uid, "the worklist needs one of the roles: steward, admin, performer");
        return AsSeenBy(await VisibleAsync(uid, actor, ct), actor);
    }

    /// <summary>The data set for the caller: whole for managers and the item's performer, without the patient for other performers.</summary>
    static DicomDataset AsSeenBy(WorkitemRecord r, WorkitemActor actor)
    {
        var ds = WorkitemDatasets.FromJson(r.DatasetJson);
        return actor.ManagesWorklist || r.Performer == actor.Name ? ds : WorkitemDatasets.WithoutPatient(ds);
    }

    /// <summary>The record, when the caller may see it: managers every item, a performer the SCHEDULED ones and its own.</summary>
    async Task<WorkitemRecord> VisibleAsync(string uid, WorkitemActor actor, CancellationToken ct)
    {
        var r = await store.GetAsync(uid, ct);
        if (r is null || (!actor.ManagesWorklist && r.State != WorkitemStates.Scheduled && r.Performer != actor.Name))
            throw WorkitemRefusedException.NotFound(uid);
        return r;
    }

    /// <summary>The work items matching a query that the caller may see, most urgent first, one page.</summary>
    public async Task<IReadOnlyList<DicomDataset>> SearchAsync(WorkitemQuery query, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemSearch, "workitems", "the worklist needs one of the roles: steward, admin, performer");
        var state = query.ValueOf(T.ProcedureStepState);
        var filter = new WorkitemFilter(
            States: state is null || state.Contains('*') || state.Contains('?') ? null : state.Split('\\'),
            WorklistLabel: query.ValueOf(T.WorklistLabel) is { } l && !l.Contains('*') && !l.Contains('?') ? l : null,
            Uid: query.ValueOf(T.SOPInstanceUID) is { } u && !u.Contains('\\') ? u : null,
            VisibleTo: actor.ManagesWorklist ? null : actor.Name);
        var rows = await store.SearchAsync(filter, ct);
        var page = new List<DicomDataset>();
        var skipped = 0;
        foreach (var r in rows)
        {
            var ds = AsSeenBy(r, actor);
            if (!query.Matches(ds)) continue;
            if (skipped++ < query.Offset) continue;
            page.Add(ds);
            if (page.Count >= query.Limit) break;
        }
        return page;
    }

    /// <summary>Whether <paramref name="performer"/> holds an IN PROGRESS work item whose inputs include this study (and series, when given).</summary>
    public async Task<bool> HoldsInputAsync(string performer, string study, string? series, CancellationToken ct = default)
    {
        var held = await store.HeldInputSeriesAsync(performer, study, ct);
        if (held is null) return false;
        if (held.Count == 0) return true;
        return series is not null && held.Contains(series, StringComparer.Ordinal);
    }
}
