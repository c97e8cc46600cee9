using Mira.Dicom;
using Mira.Platform.Audit;
using Mira.Storage.Workitems;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Workitems;

public sealed partial class WorkitemService
{
    /// <summary>The Global Subscription instance: every work item, now and later (PS3.4 CC.3.1).</summary>
    public const string GlobalSubscriptionUid = DicomUids.UPSGlobalSubscriptionInstance;
    /// <summary>The Filtered Global Subscription instance: the work items matching the subscription's keys (PS3.4 CC.3.1).</summary>
    public const string FilteredGlobalSubscriptionUid = DicomUids.UPSFilteredGlobalSubscriptionInstance;

    public static bool IsGlobal(string uid) => uid is GlobalSubscriptionUid or FilteredGlobalSubscriptionUid;

    /// <summary>An AE title (PS3.5 §6.2, VR AE): 1 to 16 characters, no backslash or control characters, not only spaces.</summary>
    public static string CheckAeTitle(string aeTitle)
    {
        if (aeTitle.Length is 0 or > 16 || aeTitle.Trim().Length == 0 || aeTitle.Any(c => c == '\\' || char.IsControl(c) || c > '~'))
            throw WorkitemRefusedException.Invalid($"AE title '{aeTitle}': 1 to 16 printable ASCII characters, no backslash (PS3.5 §6.2)");
        return aeTitle.Trim();
    }

    async Task CheckOwnerAsync(string aeTitle, WorkitemActor actor, string action, CancellationToken ct)
    {
        var owner = await store.OwnerOfAsync(aeTitle, ct);
        await RequireAsync(owner is null || owner == actor.Name, actor, action, aeTitle, $"AE title {aeTitle} is subscribed by another account");
    }

    /// <summary>
    /// Subscribes an AE title (PS3.4 CC.2.3.2, UPS-RS subscribe): to one work item the caller may see, or to the
    /// worklist (the global UIDs; filtered by <paramref name="filter"/>), which subscribes it to every matching work
    /// item not yet ended and to new ones as they are created. Each subscribed item sends an initial UPS State Report.
    /// An AE title belongs to the account that first subscribed under it. Returns how many work items it now follows.
    /// </summary>
    public async Task<int> SubscribeAsync(string aeTitle, string uid, bool deletionLock, WorkitemQuery? filter, WorkitemActor actor,
        CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemSubscribe, uid, "the worklist needs one of the roles: steward, admin, performer");
        aeTitle = CheckAeTitle(aeTitle);
        await CheckOwnerAsync(aeTitle, actor, AuditActions.WorkitemSubscribe, ct);
        if (filter is { Keys.Count: > 0 } && uid != FilteredGlobalSubscriptionUid)
            throw WorkitemRefusedException.Invalid($"matching keys are for the filtered global subscription ({FilteredGlobalSubscriptionUid}) only");
        var now = Now;
        var items = new List<WorkitemRecord>();
        if (IsGlobal(uid))
        {
            await store.SubscribeAsync(new WorkitemSubscription(aeTitle, uid, actor.Name, deletionLock, filter is null ? null : FilterJson(filter), false, now), ct);
            var rows = await store.SearchAsync(new WorkitemFilter(States: [WorkitemStates.Scheduled, WorkitemStates.InProgress],
                VisibleTo: actor.ManagesWorklist ? null : actor.Name), ct);
            items.AddRange(rows.Where(r => filter is null || filter.Matches(WorkitemDatasets.FromJson(r.DatasetJson))));
        }
        else items.Add(await VisibleAsync(uid, actor, ct));
        foreach (var r in items)
        {
            await store.SubscribeAsync(new WorkitemSubscription(aeTitle, r.Uid, actor.Name, deletionLock, null, false, now), ct);
            Events.Publish([(aeTitle, actor.Name)], WorkitemEventReports.StateReport(r.Uid, r.State, WorkitemDatasets.FromJson(r.DatasetJson)));
        }
        await AuditAsync(actor, AuditActions.WorkitemSubscribe, uid, new { ae = aeTitle, items = items.Count, deletionLock });
        return items.Count;
    }

    /// <summary>
    /// Unsubscribes (PS3.4 CC.2.3.2): from one work item; or, with a global UID, from the worklist and from every work
    /// item the AE title followed.
    /// </summary>
    public async Task UnsubscribeAsync(string aeTitle, string uid, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemUnsubscribe, uid, "the worklist needs one of the roles: steward, admin, performer");
        aeTitle = CheckAeTitle(aeTitle);
        await CheckOwnerAsync(aeTitle, actor, AuditActions.WorkitemUnsubscribe, ct);
        var removed = IsGlobal(uid) ? await store.UnsubscribeAllAsync(aeTitle, ct) : await store.UnsubscribeAsync(aeTitle, uid, ct) ? 1 : 0;
        if (removed == 0) throw WorkitemRefusedException.NotFound($"AE title {aeTitle} has no subscription to {uid}");
        await AuditAsync(actor, AuditActions.WorkitemUnsubscribe, uid, new { ae = aeTitle, removed });
    }

    /// <summary>Suspends a global subscription (PS3.4 CC.2.3.2): new work items no longer join it; those it follows stay.</summary>
    public async Task SuspendAsync(string aeTitle, string uid, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemUnsubscribe, uid, "the worklist needs one of the roles: steward, admin, performer");
        if (!IsGlobal(uid)) throw WorkitemRefusedException.Invalid($"only a global subscription ({GlobalSubscriptionUid}, {FilteredGlobalSubscriptionUid}) can be suspended, not {uid}");
        aeTitle = CheckAeTitle(aeTitle);
        await CheckOwnerAsync(aeTitle, actor, AuditActions.WorkitemUnsubscribe, ct);
        if (!await store.SuspendAsync(aeTitle, uid, ct)) throw WorkitemRefusedException.NotFound($"AE title {aeTitle} has no subscription to {uid}");
        await AuditAsync(actor, AuditActions.WorkitemUnsubscribe, uid, new { ae = aeTitle, suspended = true });
    }

    /// <summary>Opens the event channel of an AE title for the caller (PS3.18 §11.11); refused when another account holds the title.</summary>
    public async Task<WorkitemEventListener> ListenAsync(string aeTitle, WorkitemActor actor, CancellationToken ct = default)
    {
        await RequireAsync(MayUse(actor), actor, AuditActions.WorkitemChannel, aeTitle, "the worklist needs one of the roles: steward, admin, performer");
        aeTitle = CheckAeTitle(aeTitle);
        await CheckOwnerAsync(aeTitle, actor, AuditActions.WorkitemChannel, ct);
        await AuditAsync(actor, AuditActions.WorkitemChannel, aeTitle, new { opened = true });
        return Events.Listen(aeTitle, actor.Name);
    }

    /// <summary>A new work item joins the global subscriptions (not suspended) whose keys it matches, each with an initial state report.</summary>
    async Task JoinGlobalSubscriptionsAsync(string uid, DicomDataset ds, CancellationToken ct)
    {
        foreach (var global in (string[])[GlobalSubscriptionUid, FilteredGlobalSubscriptionUid])
            foreach (var s in await store.SubscriptionsToAsync(global, ct))
            {
                if (s.Suspended || (s.FilterJson is { } f && !ParseFilter(f).Matches(ds))) continue;
                await store.SubscribeAsync(s with { WorkitemUid = uid, FilterJson = null, Created = Now }, ct);
                Events.Publish([(s.AeTitle, s.Owner)], WorkitemEventReports.StateReport(uid, WorkitemStates.Scheduled, ds));
            }
    }

    /// <summary>A filter's keys as stored: a JSON array of [path of tag numbers, value].</summary>
    static string FilterJson(WorkitemQuery q) =>
        System.Text.Json.JsonSerializer.Serialize(q.Keys.Select(k => new { path = k.Path.Select(t => t.Value).ToArray(), value = k.Value }));

    sealed record StoredKey(uint[] path, string value);

    static WorkitemQuery ParseFilter(string json) =>
        new([.. (System.Text.Json.JsonSerializer.Deserialize<StoredKey[]>(json) ?? []).Select(k => new WorkitemMatchKey([.. k.path.Select(v => new DicomTag(v))], k.value))]);
}
