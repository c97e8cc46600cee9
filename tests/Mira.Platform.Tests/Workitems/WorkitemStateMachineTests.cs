using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Platform.Workitems;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Tests.Workitems;

/// <summary>The UPS state machine (PS3.4 CC.1.1, CC.2.1.3): claims, Transaction UIDs, final states, refusals that name the item and the states.</summary>
public sealed class WorkitemStateMachineTests : WorkitemPlatform
{
    [Fact]
    public async Task A_new_work_item_is_scheduled_and_references_its_inputs_with_a_retrieve_url()
    {
        var uid = await ScheduleAsync();
        var ds = await Worklist.GetAsync(uid, Performer);
        Assert.Equal(WorkitemStates.Scheduled, ds.GetString(T.ProcedureStepState));
        Assert.Equal(WorkitemDatasets.SopClassUid, ds.GetString(T.SOPClassUID));
        Assert.Equal("lesion-seg@1.2.0", ds.GetString(T.ProcedureStepLabel)!.Split(": ")[1]);
        Assert.Equal("AI-INFERENCE", ds.GetSequence(T.ScheduledWorkitemCodeSequence)!.Items[0].GetString(T.CodeValue));
        var input = Assert.Single(ds.GetSequence(T.InputInformationSequence)!.Items);
        Assert.Equal($"http://mira.test/dicomweb/studies/{Study}/series/{Series}", input.GetString(T.RetrieveURL));
        Assert.Equal(Instance, Assert.Single(input.GetSequence(T.ReferencedSOPSequence)!.Items).GetString(T.ReferencedSOPInstanceUID));
        Assert.Equal("", ds.GetString(T.PatientName) ?? "");
    }

    [Fact]
    public async Task A_work_item_on_a_study_the_archive_does_not_hold_is_refused()
    {
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() =>
            Worklist.CreateAsync(Request() with { StudyInstanceUid = "1.2.3.999", SeriesInstanceUids = [] }, Steward));
        Assert.Contains("1.2.3.999", e.Message);
    }

    [Fact]
    public async Task Only_a_scheduled_work_item_can_be_claimed_and_a_second_claimer_is_told_why()
    {
        var (uid, _) = await ClaimedAsync();
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.ClaimAsync(uid, DicomUid.Generate(), OtherPerformer));
        Assert.Equal(WorkitemRefusalKind.Conflict, e.Kind);
        Assert.Contains(uid, e.Message);
        Assert.Contains("is IN PROGRESS, not SCHEDULED", e.Message);
        var stored = await Worklist.Store.GetAsync(uid);
        Assert.Equal("ai-service", stored!.Performer);
    }

    [Fact]
    public async Task Two_performers_racing_for_one_work_item_never_both_win()
    {
        var uid = await ScheduleAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            try
            {
                await Worklist.ClaimAsync(uid, DicomUid.Generate(), new WorkitemActor($"p{i}", [Roles.Performer]));
                return true;
            }
            catch (WorkitemRefusedException) { return false; }
        })));
        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task A_missing_or_wrong_transaction_uid_is_refused_for_update_complete_and_cancel()
    {
        var (uid, txn) = await ClaimedAsync();
        var wrong = DicomUid.Generate();
        var update = new DicomDataset().Set(T.ProcedureStepLabel, "renamed");
        foreach (var attempt in new Func<Task>[]
                 {
                     () => Worklist.UpdateAsync(uid, wrong, update, Performer),
                     () => Worklist.UpdateAsync(uid, null, update, Performer),
                     () => Worklist.CompleteAsync(uid, wrong, [], Performer),
                     () => Worklist.CancelAsync(uid, wrong, "no", Performer),
                     () => Worklist.ChangeStateAsync(uid, WorkitemStates.Canceled, wrong, Performer),
                 })
        {
            var e = await Assert.ThrowsAsync<WorkitemRefusedException>(attempt);
            Assert.Equal(WorkitemRefusalKind.Invalid, e.Kind);
            Assert.Contains(uid, e.Message);
            Assert.Contains("Transaction UID", e.Message);
        }
        Assert.Equal(WorkitemStates.InProgress, (await Worklist.Store.GetAsync(uid))!.State);
        await Worklist.ProgressAsync(uid, txn, 50, "half way", Performer);
        var ds = await Worklist.GetAsync(uid, Performer);
        Assert.Equal("50", ds.GetSequence(T.ProcedureStepProgressInformationSequence)!.Items[0].GetString(T.ProcedureStepProgress));
    }

    [Fact]
    public async Task Completing_needs_the_final_state_attributes_and_names_those_missing()
    {
        var (uid, txn) = await ClaimedAsync();
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.ChangeStateAsync(uid, WorkitemStates.Completed, txn, Performer));
        Assert.Equal(WorkitemRefusalKind.Conflict, e.Kind);
        Assert.Contains($"work item {uid} cannot become COMPLETED", e.Message);
        Assert.Contains("Performed Procedure Step End DateTime (0040,4051)", e.Message);
        Assert.Contains("Output Information Sequence (0040,4033)", e.Message);
        Assert.Equal(WorkitemStates.InProgress, (await Worklist.Store.GetAsync(uid))!.State);
        var output = new WorkitemOutput(Study, DicomUid.Generate(), DicomUids.SecondaryCaptureImageStorage, DicomUid.Generate());
        var done = await Worklist.CompleteAsync(uid, txn, [output], Performer);
        Assert.Equal(WorkitemStates.Completed, done.State);
        Assert.Equal([output with { RetrieveUrl = "" }], WorkitemDatasets.Outputs(await Worklist.GetAsync(uid, Steward)).Select(o => o with { RetrieveUrl = "" }));
    }

    [Fact]
    public async Task A_final_state_is_final()
    {
        var (uid, txn) = await ClaimedAsync();
        await Worklist.CompleteAsync(uid, txn, [], Performer);
        var cancel = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CancelAsync(uid, txn, null, Performer));
        Assert.Contains($"work item {uid} is COMPLETED: a work item in a final state cannot become CANCELED", cancel.Message);
        var claim = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.ClaimAsync(uid, DicomUid.Generate(), Performer));
        Assert.Contains("is COMPLETED, not SCHEDULED", claim.Message);
        var update = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.UpdateAsync(uid, txn, new DicomDataset().Set(T.ProcedureStepLabel, "x"), Performer));
        Assert.Contains("may no longer be updated", update.Message);
        var again = await Worklist.ChangeStateAsync(uid, WorkitemStates.Completed, txn, Performer);
        Assert.Equal("the work item is already in the requested state of COMPLETED", again.Warning);
    }

    [Fact]
    public async Task A_scheduled_work_item_cannot_be_completed_or_sent_back()
    {
        var uid = await ScheduleAsync();
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.ChangeStateAsync(uid, WorkitemStates.Completed, DicomUid.Generate(), Performer));
        Assert.Contains($"work item {uid} is SCHEDULED: only an IN PROGRESS work item can become COMPLETED", e.Message);
        var back = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.ChangeStateAsync(uid, WorkitemStates.Scheduled, DicomUid.Generate(), Steward));
        Assert.Contains("'SCHEDULED' cannot be asked for", back.Message);
    }

    [Fact]
    public async Task A_cancellation_request_cancels_a_scheduled_item_and_only_tells_the_performer_of_one_in_progress()
    {
        var scheduled = await ScheduleAsync();
        Assert.Equal(WorkitemStates.Canceled, (await Worklist.RequestCancellationAsync(scheduled, "not needed", "MIRA", null, Steward)).State);
        var (uid, txn) = await ClaimedAsync();
        await Worklist.SubscribeAsync("AI_SVC", uid, false, null, Performer);
        using var events = Worklist.Events.Listen("AI_SVC", Performer.Name);
        var requested = await Worklist.RequestCancellationAsync(uid, "wrong study", "MIRA", "Dr Who", Steward);
        Assert.Equal(WorkitemStates.InProgress, requested.State);
        Assert.True(events.Reports.TryRead(out var json));
        var report = Mira.Dicom.Json.DicomJsonReader.Parse(json);
        Assert.Equal(WorkitemEventTypes.CancelRequested, report.GetValues<ushort>(T.EventTypeID)[0]);
        Assert.Equal("wrong study", report.GetString(T.ReasonForCancellation));
        Assert.Equal(WorkitemStates.Canceled, (await Worklist.CancelAsync(uid, txn, "asked to", Performer)).State);
        Assert.Equal("the work item is already in the requested state of CANCELED", (await Worklist.RequestCancellationAsync(uid, null, null, null, Steward)).Warning);
        var (done, doneTxn) = await ClaimedAsync();
        await Worklist.CompleteAsync(done, doneTxn, [], Performer);
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.RequestCancellationAsync(done, null, null, null, Steward));
        Assert.Contains($"work item {done} is COMPLETED", e.Message);
    }

    [Fact]
    public async Task Every_change_is_audited_with_who_and_from_and_to()
    {
        var (uid, txn) = await ClaimedAsync();
        await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CompleteAsync(uid, DicomUid.Generate(), [], Steward));
        await Worklist.CompleteAsync(uid, txn, [], Performer);
        var records = await AuditAsync(uid);
        Assert.Equal(["steward workitem.create success", "ai-service workitem.claim success", "steward workitem.complete failure", "ai-service workitem.complete success"],
            records.Select(r => $"{r.Actor} {r.Action} {r.Outcome}"));
        Assert.Contains("\"from\":\"SCHEDULED\",\"to\":\"IN PROGRESS\"", records[1].DetailsJson);
        Assert.Contains("\"from\":\"IN PROGRESS\",\"to\":\"COMPLETED\"", records[3].DetailsJson);
    }
}
