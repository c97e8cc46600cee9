using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Workitems;

public sealed partial class WorkitemStore
{
    sealed class SubscriptionRow
    {
        public string ae_title { get; set; } = "";
        public string workitem_uid { get; set; } = "";
        public string owner { get; set; } = "";
        public long deletion_lock { get; set; }
        public string? filter { get; set; }
        public long suspended { get; set; }
        public long created_us { get; set; }

        public WorkitemSubscription ToRecord() =>
            new(ae_title, workitem_uid, owner, deletion_lock != 0, filter, suspended != 0, FromMicros(created_us));
    }

    const string SubscriptionColumns = "ae_title, workitem_uid, owner, deletion_lock, filter, suspended, created_us";

    /// <summary>Adds or renews (deletion lock, filter; a suspended global subscription resumes) a subscription.</summary>
    public async Task SubscribeAsync(WorkitemSubscription s, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_workitem_subscriptions ({SubscriptionColumns}) VALUES (@AeTitle, @WorkitemUid, @Owner, @lockFlag, @FilterJson, 0, @created)
            ON CONFLICT (ae_title, workitem_uid) DO UPDATE SET deletion_lock = excluded.deletion_lock, filter = excluded.filter, suspended = 0
            """, new { s.AeTitle, s.WorkitemUid, s.Owner, lockFlag = s.DeletionLock ? 1 : 0, s.FilterJson, created = ToMicros(s.Created) },
            cancellationToken: ct));
    }

    /// <summary>Removes one subscription; false when there was none.</summary>
    public async Task<bool> UnsubscribeAsync(string aeTitle, string workitemUid, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_workitem_subscriptions WHERE ae_title = @aeTitle AND workitem_uid = @workitemUid",
            new { aeTitle, workitemUid }, cancellationToken: ct)) == 1;
    }

    /// <summary>Removes every subscription of an AE title (to work items and to the worklist); how many there were.</summary>
    public async Task<int> UnsubscribeAllAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_workitem_subscriptions WHERE ae_title = @aeTitle", new { aeTitle }, cancellationToken: ct));
    }

    /// <summary>Marks a global subscription suspended (no new work items join it); false when there is none.</summary>
    public async Task<bool> SuspendAsync(string aeTitle, string globalUid, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mira_workitem_subscriptions SET suspended = 1 WHERE ae_title = @aeTitle AND workitem_uid = @globalUid",
            new { aeTitle, globalUid }, cancellationToken: ct)) == 1;
    }

    /// <summary>The subscriptions to <paramref name="workitemUid"/> (a work item, or a global subscription UID).</summary>
    public async Task<IReadOnlyList<WorkitemSubscription>> SubscriptionsToAsync(string workitemUid, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. (await c.QueryAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionColumns} FROM mira_workitem_subscriptions WHERE workitem_uid = @workitemUid ORDER BY ae_title",
            new { workitemUid }, cancellationToken: ct))).Select(r => r.ToRecord())];
    }

    /// <summary>Every subscription of an AE title.</summary>
    public async Task<IReadOnlyList<WorkitemSubscription>> SubscriptionsOfAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. (await c.QueryAsync<SubscriptionRow>(new CommandDefinition(
            $"SELECT {SubscriptionColumns} FROM mira_workitem_subscriptions WHERE ae_title = @aeTitle ORDER BY workitem_uid",
            new { aeTitle }, cancellationToken: ct))).Select(r => r.ToRecord())];
    }

    /// <summary>The account that holds an AE title (subscribed under it first), or null when it has no subscription.</summary>
    public async Task<string?> OwnerOfAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT owner FROM mira_workitem_subscriptions WHERE ae_title = @aeTitle ORDER BY created_us LIMIT 1",
            new { aeTitle }, cancellationToken: ct));
    }
}
