using Mira.Dicom;
using Mira.Dicom.Json;
using Mira.Dicom.Values;
using Mira.Platform.Workitems;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Tests.Workitems;

/// <summary>Who sees and does what on the worklist, the Transaction UID kept to the performer, and the event reports subscribers get.</summary>
public sealed class WorkitemAccessAndEventTests : WorkitemPlatform
{
    static WorkitemQuery Keys(params (DicomTag Tag, string Value)[] keys) => new([.. keys.Select(k => new WorkitemMatchKey([k.Tag], k.Value))]);

    [Fact]
    public async Task The_transaction_uid_is_never_in_what_is_returned()
    {
        var (uid, txn) = await ClaimedAsync();
        var read = await Worklist.GetAsync(uid, Performer);
        Assert.False(read.Contains(T.TransactionUID));
        Assert.DoesNotContain(txn, DicomJsonWriter.Serialize(read));
        var found = await Worklist.SearchAsync(WorkitemQuery.All, Steward);
        Assert.DoesNotContain(found, d => DicomJsonWriter.Serialize(d).Contains(txn, StringComparison.Ordinal));
        Assert.DoesNotContain(txn, (await Worklist.Store.GetAsync(uid))!.DatasetJson);
    }

    [Fact]
    public async Task A_performer_sees_scheduled_items_and_its_own_but_not_another_performers()
    {
        var free = await ScheduleAsync(priority: "LOW");
        var (mine, _) = await ClaimedAsync();
        var (theirs, _) = await ClaimedAsync(OtherPerformer);
        var seen = (await Worklist.SearchAsync(WorkitemQuery.All, Performer)).Select(d => d.GetString(T.SOPInstanceUID)).ToList();
        Assert.Equal([mine, free], seen);
        await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.GetAsync(theirs, Performer));
        Assert.Equal(3, (await Worklist.SearchAsync(WorkitemQuery.All, Steward)).Count);
        var scheduledOnly = await Worklist.SearchAsync(Keys((T.ProcedureStepState, "SCHEDULED"), (T.WorklistLabel, "ai-*")), Performer);
        Assert.Equal([free], scheduledOnly.Select(d => d.GetString(T.SOPInstanceUID)));
    }

    [Fact]
    public async Task A_performer_sees_the_patient_of_a_work_item_only_once_it_holds_it()
    {
        DicomDataset Named() => new DicomDataset().Set(T.ScheduledProcedureStepPriority, "LOW").Set(T.ProcedureStepLabel, "read")
            .Set(T.ScheduledProcedureStepStartDateTime, "20260301120000").Set(T.InputReadinessState, "READY")
            .Set(T.PatientName, "Doe^Jane").Set(T.PatientID, "MRN-77").Set(T.OtherPatientIDs, "OLD-1").Set(T.WorklistLabel, "named");
        var uid = DicomUid.Generate();
        await Worklist.CreateAsync(uid, Named(), Steward);
        var unheld = await Worklist.GetAsync(uid, Performer);
        Assert.Equal(("", "", false), (unheld.GetString(T.PatientName) ?? "", unheld.GetString(T.PatientID) ?? "", unheld.Contains(T.OtherPatientIDs)));
        Assert.Equal("Doe^Jane", (await Worklist.GetAsync(uid, Steward)).GetString(T.PatientName));
        // Nor can it find the item by who the patient is.
        Assert.Empty(await Worklist.SearchAsync(Keys((T.PatientID, "MRN-77")), Performer));
        Assert.Single(await Worklist.SearchAsync(Keys((T.PatientID, "MRN-77")), Steward));
        await Worklist.ClaimAsync(uid, DicomUid.Generate(), Performer);
        Assert.Equal("MRN-77", (await Worklist.GetAsync(uid, Performer)).GetString(T.PatientID));
    }

    [Fact]
    public async Task Only_stewards_and_admins_create_and_other_roles_do_not_reach_the_worklist()
    {
        var create = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CreateAsync(Request(), Performer));
        Assert.Equal(WorkitemRefusalKind.Forbidden, create.Kind);
        var uid = await ScheduleAsync();
        var read = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.GetAsync(uid, Developer));
        Assert.Equal(WorkitemRefusalKind.Forbidden, read.Kind);
        var cancel = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.RequestCancellationAsync(uid, null, null, null, Performer));
        Assert.Equal(WorkitemRefusalKind.Forbidden, cancel.Kind);
        var (held, txn) = await ClaimedAsync(OtherPerformer);
        Assert.True(await Worklist.HoldsInputAsync(OtherPerformer.Name, Study, Series));
        Assert.False(await Worklist.HoldsInputAsync(OtherPerformer.Name, Study, DicomUid.Generate()));
        Assert.False(await Worklist.HoldsInputAsync(Performer.Name, Study, Series));
        // Its inputs are its read grant: a performer cannot widen them by an update.
        var widen = new DicomDataset().Set(new DicomSequence(T.InputInformationSequence,
            [new DicomDataset().Set(T.StudyInstanceUID, "1.2.3.4.5").Set(T.SeriesInstanceUID, "")]));
        var refused = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.UpdateAsync(held, txn, widen, OtherPerformer));
        Assert.Equal(WorkitemRefusalKind.Forbidden, refused.Kind);
        Assert.Contains("cannot change its inputs", refused.Message);
        Assert.False(await Worklist.HoldsInputAsync(OtherPerformer.Name, "1.2.3.4.5", null));
        await Worklist.CompleteAsync(held, txn, [], OtherPerformer);
        Assert.False(await Worklist.HoldsInputAsync(OtherPerformer.Name, Study, Series));
    }

    [Fact]
    public async Task A_client_work_item_must_be_scheduled_without_a_transaction_uid()
    {
        DicomDataset Valid() => new DicomDataset().Set(T.ScheduledProcedureStepPriority, "HIGH").Set(T.ProcedureStepLabel, "read")
            .Set(T.ScheduledProcedureStepStartDateTime, "20260301120000").Set(T.InputReadinessState, "READY");
        var withTxn = Valid().Set(T.TransactionUID, DicomUid.Generate());
        var uid = DicomUid.Generate();
        var e = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CreateAsync(uid, withTxn, Steward));
        Assert.Contains("Transaction UID", e.Message);
        var inProgress = Valid().Set(T.ProcedureStepState, "IN PROGRESS");
        Assert.Contains("must be SCHEDULED", (await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CreateAsync(uid, inProgress, Steward))).Message);
        var noPriority = Valid();
        noPriority.Remove(T.ScheduledProcedureStepPriority);
        Assert.Contains("(0074,1200)", (await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CreateAsync(uid, noPriority, Steward))).Message);
        Assert.Null(await Worklist.Store.GetAsync(uid));
        var created = await Worklist.CreateAsync(uid, Valid(), Steward);
        Assert.Equal((WorkitemStates.Scheduled, WorkitemDatasets.DefaultWorklistLabel), (created.GetString(T.ProcedureStepState), created.GetString(T.WorklistLabel)));
        Assert.Equal(WorkitemRefusalKind.Conflict, (await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.CreateAsync(uid, Valid(), Steward))).Kind);
    }

    static List<DicomDataset> Drain(WorkitemEventListener l)
    {
        var all = new List<DicomDataset>();
        while (l.Reports.TryRead(out var json)) all.Add(DicomJsonReader.Parse(json));
        return all;
    }

    static string Describe(DicomDataset r) =>
        $"{r.GetValues<ushort>(T.EventTypeID)[0]} {r.GetString(T.ProcedureStepState)}";

    [Fact]
    public async Task A_subscriber_gets_the_initial_state_then_each_change_and_progress()
    {
        var uid = await ScheduleAsync();
        using var events = Worklist.Events.Listen("AI_SVC", Performer.Name);
        using var stranger = Worklist.Events.Listen("AI_SVC", OtherPerformer.Name);
        Assert.Equal(1, await Worklist.SubscribeAsync("AI_SVC", uid, false, null, Performer));
        var txn = DicomUid.Generate();
        await Worklist.ClaimAsync(uid, txn, Performer);
        await Worklist.ProgressAsync(uid, txn, 40, null, Performer);
        await Worklist.CompleteAsync(uid, txn, [], Performer);
        var reports = Drain(events);
        Assert.Equal(["1 SCHEDULED", "1 IN PROGRESS", "3 ", "1 COMPLETED"], reports.Select(Describe));
        Assert.All(reports, r => Assert.Equal(uid, r.GetString(T.AffectedSOPInstanceUID)));
        Assert.Empty(Drain(stranger));
        var taken = await Assert.ThrowsAsync<WorkitemRefusedException>(() => Worklist.SubscribeAsync("AI_SVC", uid, false, null, OtherPerformer));
        Assert.Contains("AE title AI_SVC is subscribed by another account", taken.Message);
    }

    [Fact]
    public async Task A_global_subscription_follows_new_items_a_filtered_one_only_matching_ones_and_suspension_stops_new_ones()
    {
        var before = await ScheduleAsync();
        using var all = Worklist.Events.Listen("ALL", Steward.Name);
        using var urgent = Worklist.Events.Listen("URGENT", Steward.Name);
        Assert.Equal(1, await Worklist.SubscribeAsync("ALL", WorkitemService.GlobalSubscriptionUid, false, null, Steward));
        Assert.Equal(0, await Worklist.SubscribeAsync("URGENT", WorkitemService.FilteredGlobalSubscriptionUid, false,
            Keys((T.ScheduledProcedureStepPriority, "HIGH")), Steward));
        var high = await ScheduleAsync(priority: "HIGH");
        await ScheduleAsync(priority: "LOW");
        Assert.Equal(3, Drain(all).Count);
        Assert.Equal([high], Drain(urgent).Select(r => r.GetString(T.AffectedSOPInstanceUID)));
        await Worklist.SuspendAsync("ALL", WorkitemService.GlobalSubscriptionUid, Steward);
        await ScheduleAsync();
        Assert.Empty(Drain(all));
        await Worklist.ClaimAsync(before, DicomUid.Generate(), Performer);
        Assert.Equal(["1 IN PROGRESS"], Drain(all).Select(Describe));
        await Worklist.UnsubscribeAsync("ALL", WorkitemService.GlobalSubscriptionUid, Steward);
        Assert.Empty(await Worklist.Store.SubscriptionsOfAsync("ALL"));
    }
}
