using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Platform.Audit;
using Mira.Storage.Security;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Workitems;

public sealed partial class WorkitemService
{
    /// <summary>
    /// Claims a SCHEDULED work item (PS3.4 CC.2.1.3: N-ACTION Change State to IN PROGRESS): the performer's
    /// <paramref name="transactionUid"/> is kept and every later change must present it. Only SCHEDULED can be claimed;
    /// of two performers racing for one item, one wins and the other is refused.
    /// </summary>
    public async Task<WorkitemChange> ClaimAsync(string uid, string transactionUid, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemClaim, uid, "claiming work items needs one of the roles: steward, admin, performer");
        if (!DicomUid.IsValid(transactionUid))
            throw WorkitemRefusedException.Invalid($"work item {uid}: the Transaction UID '{transactionUid}' is not a valid UID (PS3.4 CC.1.1.1)");
        var r = await store.GetAsync(uid, ct) ?? throw WorkitemRefusedException.NotFound(uid);
        if (r.State != WorkitemStates.Scheduled)
            await RefuseAsync(actor, AuditActions.WorkitemClaim, r, WorkitemStates.InProgress,
                $"work item {uid} is {r.State}, not SCHEDULED: only a SCHEDULED work item can be claimed (PS3.4 CC.1.1)");
        var ds = WorkitemDatasets.FromJson(r.DatasetJson);
        var now = Now;
        ds.Set(T.ProcedureStepState, WorkitemStates.InProgress);
        ds.Set(new DicomSequence(T.UnifiedProcedureStepPerformedProcedureSequence,
            [new DicomDataset().Set(T.PerformedProcedureStepStartDateTime, WorkitemDatasets.Format(now))]));
        var next = r with { State = WorkitemStates.InProgress, TransactionUid = transactionUid, Performer = actor.Name, DatasetJson = WorkitemDatasets.ToJson(ds), Updated = now };
        await ReplaceAsync(actor, AuditActions.WorkitemClaim, r, next, ct);
        return new WorkitemChange(ds, next.State);
    }

    /// <summary>
    /// Reports progress on an IN PROGRESS work item (Procedure Step Progress Information Sequence; PS3.4 CC.2.1.2 N-SET
    /// with the Transaction UID) and sends a UPS Progress Report to its subscribers.
    /// </summary>
    public async Task<WorkitemChange> ProgressAsync(string uid, string transactionUid, double percent, string? description, WorkitemActor actor,
        CancellationToken ct = default)
    {
        if (!double.IsFinite(percent) || percent < 0 || percent > 100)
            throw WorkitemRefusedException.Invalid($"work item {uid}: progress {percent} is not a percentage between 0 and 100");
        var progress = new DicomDataset().Set(T.ProcedureStepProgress, WorkitemDatasets.Text(percent));
        if (!string.IsNullOrEmpty(description)) progress.Set(T.ProcedureStepProgressDescription, description);
        var update = new DicomDataset().Set(new DicomSequence(T.ProcedureStepProgressInformationSequence, [progress]));
        return await UpdateAsync(uid, transactionUid, update, actor, ct);
    }

    /// <summary>
    /// Updates a work item (PS3.4 CC.2.1.2, UPS-RS update): a SCHEDULED one by a steward or admin, an IN PROGRESS one
    /// by its performer with the Transaction UID; a COMPLETED or CANCELED one never. A change of the progress
    /// information is reported to the subscribers (UPS Progress Report).
    /// </summary>
    public async Task<WorkitemChange> UpdateAsync(string uid, string? transactionUid, DicomDataset update, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemUpdate, uid, "the worklist needs one of the roles: steward, admin, performer");
        var r = await VisibleAsync(uid, actor, ct);
        if (WorkitemStates.IsFinal(r.State))
            await RefuseAsync(actor, AuditActions.WorkitemUpdate, r, r.State,
                $"work item {uid} is {r.State}: a work item in a final state may no longer be updated (PS3.4 CC.2.1.2.2)");
        if (r.State == WorkitemStates.Scheduled)
            await RequireAsync(actor.ManagesWorklist, actor, AuditActions.WorkitemUpdate, uid,
                $"work item {uid} is SCHEDULED: only a steward or admin updates it; a performer claims it first");
        else await CheckTransactionAsync(actor, AuditActions.WorkitemUpdate, r, transactionUid, r.State);
        // The inputs decide what the performer may read (its WADO-RS grant): only a steward or admin changes them.
        if (!actor.ManagesWorklist && (update.Contains(T.InputInformationSequence) || update.Contains(T.StudyInstanceUID)))
            await RequireAsync(false, actor, AuditActions.WorkitemUpdate, uid,
                $"work item {uid}: a performer cannot change its inputs (Input Information Sequence, Study Instance UID); they decide what it may read");
        var ds = WorkitemDatasets.FromJson(r.DatasetJson);
        WorkitemDatasets.ApplyUpdate(uid, ds, update, Now);
        var (study, series) = WorkitemDatasets.Inputs(ds);
        var next = r with
        {
            ScheduledStart = WorkitemDatasets.ScheduledStart(ds), Priority = ds.GetString(T.ScheduledProcedureStepPriority) ?? r.Priority,
            WorklistLabel = ds.GetString(T.WorklistLabel), InputStudy = study, InputSeries = series,
            DatasetJson = WorkitemDatasets.ToJson(ds), Updated = Now,
        };
        await ReplaceAsync(actor, AuditActions.WorkitemUpdate, r, next, ct, progress: update.Contains(T.ProcedureStepProgressInformationSequence));
        return new WorkitemChange(ds, next.State);
    }

    /// <summary>
    /// Completes an IN PROGRESS work item (the API deployment jobs call): writes the Unified Procedure Step Performed
    /// Procedure Sequence (start at the claim, end now, the scheduled workitem code, the outputs) and moves it to COMPLETED.
    /// </summary>
    public async Task<WorkitemChange> CompleteAsync(string uid, string transactionUid, IReadOnlyList<WorkitemOutput> outputs, WorkitemActor actor,
        CancellationToken ct = default) =>
        await EndAsync(uid, transactionUid, WorkitemStates.Completed, actor, (ds, r) =>
        {
            var started = ds.TryGetFirstItem(T.UnifiedProcedureStepPerformedProcedureSequence, out var p)
                          && p.TryGetString(T.PerformedProcedureStepStartDateTime, out var s) && DicomDateTime.TryParse(s, out var dt)
                ? dt.Start(TimeSpan.Zero) : r.Updated;
            ds.Set(new DicomSequence(T.UnifiedProcedureStepPerformedProcedureSequence, [WorkitemDatasets.Performed(ds, started, Now, outputs)]));
        }, ct);

    /// <summary>Its performer ends an IN PROGRESS work item without result (CANCELED), with a reason.</summary>
    public async Task<WorkitemChange> CancelAsync(string uid, string transactionUid, string? reason, WorkitemActor actor, CancellationToken ct = default) =>
        await EndAsync(uid, transactionUid, WorkitemStates.Canceled, actor, (ds, _) => MarkCanceled(ds, reason, null), ct);

    /// <summary>
    /// UPS-RS change state (PS3.18 §11.7, PS3.4 CC.2.1.3): IN PROGRESS claims (with a new Transaction UID);
    /// COMPLETED and CANCELED end an IN PROGRESS item with its Transaction UID, COMPLETED only when the data set meets
    /// the final-state requirements (set them by an update first).
    /// </summary>
    public async Task<WorkitemChange> ChangeStateAsync(string uid, string state, string? transactionUid, WorkitemActor actor, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(transactionUid))
            throw WorkitemRefusedException.Invalid($"work item {uid}: a change of state needs the Transaction UID (0008,1195) (PS3.4 CC.2.1.3)");
        return state switch
        {
            WorkitemStates.InProgress => await ClaimAsync(uid, transactionUid, actor, ct),
            WorkitemStates.Completed or WorkitemStates.Canceled => await EndAsync(uid, transactionUid, state, actor,
                (ds, _) => { if (state == WorkitemStates.Canceled) MarkCanceled(ds, null, null); }, ct),
            _ => throw WorkitemRefusedException.Invalid(
                $"work item {uid}: Procedure Step State '{state}' cannot be asked for; one of IN PROGRESS, COMPLETED, CANCELED (PS3.4 CC.1.1)"),
        };
    }

    async Task<WorkitemChange> EndAsync(string uid, string transactionUid, string target, WorkitemActor actor, Action<DicomDataset, WorkitemRecord> finish,
        CancellationToken ct)
    {
        var action = target == WorkitemStates.Completed ? AuditActions.WorkitemComplete : AuditActions.WorkitemCancel;
        await RequireAsync(MayUse(actor), actor, action, uid, "the worklist needs one of the roles: steward, admin, performer");
        var r = await VisibleAsync(uid, actor, ct);
        if (r.State == target && r.TransactionUid == transactionUid)
            return new WorkitemChange(WorkitemDatasets.FromJson(r.DatasetJson), r.State, $"the work item is already in the requested state of {target}");
        if (r.State != WorkitemStates.InProgress)
            await RefuseAsync(actor, action, r, target, r.State == WorkitemStates.Scheduled
                ? $"work item {uid} is SCHEDULED: only an IN PROGRESS work item can become {target}; claim it first (PS3.4 CC.1.1)"
                : $"work item {uid} is {r.State}: a work item in a final state cannot become {target} (PS3.4 CC.1.1)");
        await CheckTransactionAsync(actor, action, r, transactionUid, target);
        var ds = WorkitemDatasets.FromJson(r.DatasetJson);
        finish(ds, r);
        if (WorkitemDatasets.MissingForFinalState(ds, target) is { Count: > 0 } missing)
            await RefuseAsync(actor, action, r, target, $"work item {uid} cannot become {target}: the final-state requirements of PS3.4 Table CC.2.5-3 " +
                $"are not met, missing: {string.Join("; ", missing)} (update the work item first)");
        ds.Set(T.ProcedureStepState, target);
        var next = r with { State = target, DatasetJson = WorkitemDatasets.ToJson(ds), Updated = Now };
        await ReplaceAsync(actor, action, r, next, ct);
        return new WorkitemChange(ds, target);
    }

    void MarkCanceled(DicomDataset ds, string? reason, string? contact)
    {
        var progress = ds.TryGetFirstItem(T.ProcedureStepProgressInformationSequence, out var p) ? p : new DicomDataset();
        progress.Set(T.ProcedureStepCancellationDateTime, WorkitemDatasets.Format(Now));
        if (!string.IsNullOrEmpty(reason)) progress.Set(T.ReasonForCancellation, reason);
        if (!string.IsNullOrEmpty(contact)) progress.Set(T.ContactDisplayName, contact);
        ds.Set(new DicomSequence(T.ProcedureStepProgressInformationSequence, [progress]));
    }

    /// <summary>
    /// A request to cancel (PS3.4 CC.2.2, UPS-RS cancelrequest; stewards and admins): a SCHEDULED item is CANCELED at
    /// once; for an IN PROGRESS item its subscribers (the performer among them) get a UPS Cancel Requested report and the
    /// performer decides; a CANCELED one answers with a warning, a COMPLETED one is refused.
    /// </summary>
    public async Task<WorkitemChange> RequestCancellationAsync(string uid, string? reason, string? requestingAe, string? contactName, WorkitemActor actor,
        CancellationToken ct = default)
    {
        await RequireAsync(actor.ManagesWorklist, actor, AuditActions.WorkitemCancelRequest, uid, "requesting cancellation needs one of the roles: steward, admin");
        var r = await store.GetAsync(uid, ct) ?? throw WorkitemRefusedException.NotFound(uid);
        var ds = WorkitemDatasets.FromJson(r.DatasetJson);
        switch (r.State)
        {
            case WorkitemStates.Canceled:
                return new WorkitemChange(ds, r.State, "the work item is already in the requested state of CANCELED");
            case WorkitemStates.Completed:
                await RefuseAsync(actor, AuditActions.WorkitemCancelRequest, r, WorkitemStates.Canceled,
                    $"work item {uid} is COMPLETED: a completed work item cannot be canceled (PS3.4 CC.2.2.3)");
                break;
            case WorkitemStates.Scheduled:
                MarkCanceled(ds, reason, contactName);
                ds.Set(T.ProcedureStepState, WorkitemStates.Canceled);
                var next = r with { State = WorkitemStates.Canceled, DatasetJson = WorkitemDatasets.ToJson(ds), Updated = Now };
                await ReplaceAsync(actor, AuditActions.WorkitemCancelRequest, r, next, ct);
                return new WorkitemChange(ds, next.State);
        }
        var info = new DicomDataset();
        if (!string.IsNullOrEmpty(reason)) info.Set(T.ReasonForCancellation, reason);
        if (!string.IsNullOrEmpty(requestingAe)) info.Set(T.RequestingAE, requestingAe);
        if (!string.IsNullOrEmpty(contactName)) info.Set(T.ContactDisplayName, contactName);
        await AuditAsync(actor, AuditActions.WorkitemCancelRequest, uid, new { from = r.State, to = r.State, requested = WorkitemStates.Canceled, performer = r.Performer, reason });
        await PublishAsync(uid, WorkitemEventReports.Create(uid, WorkitemEventTypes.CancelRequested, info), ct);
        return new WorkitemChange(ds, r.State);
    }

    async Task CheckTransactionAsync(WorkitemActor actor, string action, WorkitemRecord r, string? transactionUid, string target)
    {
        if (string.IsNullOrEmpty(transactionUid))
            await RefuseAsync(actor, action, r, target, $"work item {r.Uid} is IN PROGRESS: the change needs the Transaction UID its performer claimed it with (PS3.4 CC.2.1.3)");
        if (transactionUid != r.TransactionUid)
            await RefuseAsync(actor, action, r, target, $"work item {r.Uid} is IN PROGRESS under another Transaction UID: the one given does not match (PS3.4 CC.2.1.3)");
        if (!actor.ManagesWorklist && r.Performer != actor.Name)
            await RefuseAsync(actor, action, r, target, $"work item {r.Uid} is held by another performer");
    }

    /// <summary>Audits a refused change (from → asked for, why) and throws: 400 for a Transaction UID, 403 for another performer's, 409 for a state.</summary>
    async Task RefuseAsync(WorkitemActor actor, string action, WorkitemRecord r, string target, string why)
    {
        await AuditAsync(actor, action, r.Uid, new { from = r.State, to = target, refused = why }, AuditOutcome.Failure);
        throw why.Contains("Transaction UID", StringComparison.Ordinal) ? WorkitemRefusedException.Invalid(why)
            : why.Contains("another performer", StringComparison.Ordinal) ? WorkitemRefusedException.Forbidden(why)
            : WorkitemRefusedException.Conflict(why);
    }

    /// <summary>Writes the change if nobody changed the item since it was read; audits it (from → to) and reports a state change.</summary>
    async Task ReplaceAsync(WorkitemActor actor, string action, WorkitemRecord before, WorkitemRecord after, CancellationToken ct, bool progress = false)
    {
        if (!await store.ReplaceAsync(after, before.State, before.TransactionUid, ct))
        {
            var now = await store.GetAsync(before.Uid, ct);
            await RefuseAsync(actor, action, before, after.State,
                $"work item {before.Uid} changed meanwhile (it is {now?.State ?? "gone"} now); read it again");
        }
        await AuditAsync(actor, action, before.Uid, new { from = before.State, to = after.State, performer = after.Performer });
        var ds = WorkitemDatasets.FromJson(after.DatasetJson);
        if (before.State != after.State) await PublishAsync(after.Uid, WorkitemEventReports.StateReport(after.Uid, after.State, ds), ct);
        if (progress && ds.GetSequence(T.ProcedureStepProgressInformationSequence) is { } sq)
            await PublishAsync(after.Uid, WorkitemEventReports.Create(after.Uid, WorkitemEventTypes.ProgressReport,
                new DicomDataset().Set(new DicomSequence(T.ProcedureStepProgressInformationSequence, sq.Items.Select(WorkitemDatasets.Clone)))), ct);
    }

    async Task PublishAsync(string uid, DicomDataset report, CancellationToken ct) =>
        Events.Publish((await store.SubscriptionsToAsync(uid, ct)).Select(s => (s.AeTitle, s.Owner)), report);
}
