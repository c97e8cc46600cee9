using Mira.Storage.Migrations;
using Mira.Storage.Tests.Security;
using Mira.Storage.Workitems;

namespace Mira.Storage.Tests.Workitems;

/// <summary>The UPS work item and subscription tables (migration 15) on SQLite and PostgreSQL.</summary>
public abstract class WorkitemStoreTests : SecurityTestBase
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    async Task<WorkitemStore> OpenAsync()
    {
        await MigrationRunner.ApplyAsync(Db, MigrationCatalog.Intake);
        return new WorkitemStore(Db);
    }

    static WorkitemRecord Item(string uid, string priority = "MEDIUM", int minutes = 0, string? label = "ai", string study = "1.2.3",
        IReadOnlyList<string>? series = null) =>
        new(uid, WorkitemStates.Scheduled, null, T0.AddMinutes(minutes), priority, label, study, series ?? [], null, "steward",
            "{\"00741000\":{\"vr\":\"CS\",\"Value\":[\"SCHEDULED\"]}}", T0, T0);

    [Fact]
    public async Task A_work_item_is_stored_once_and_read_back_with_every_column()
    {
        var store = await OpenAsync();
        var item = Item("2.25.1", series: ["1.2.3.4", "1.2.3.5"]);
        Assert.True(await store.AddAsync(item));
        Assert.False(await store.AddAsync(item with { Priority = "HIGH" }));
        var read = await store.GetAsync("2.25.1");
        Assert.NotNull(read);
        Assert.Equal(item with { InputSeries = read.InputSeries }, read);
        Assert.Equal(["1.2.3.4", "1.2.3.5"], read.InputSeries);
        Assert.Null(await store.GetAsync("2.25.404"));
    }

    [Fact]
    public async Task A_change_is_written_only_from_the_state_and_transaction_it_was_read_in()
    {
        var store = await OpenAsync();
        var item = Item("2.25.1");
        await store.AddAsync(item);
        var claimed = item with { State = WorkitemStates.InProgress, TransactionUid = "2.25.77", Performer = "ai-service", Updated = T0.AddMinutes(1) };
        Assert.True(await store.ReplaceAsync(claimed, WorkitemStates.Scheduled, null));
        // A second claimer read the item while it was SCHEDULED: its write finds it changed.
        Assert.False(await store.ReplaceAsync(item with { State = WorkitemStates.InProgress, TransactionUid = "2.25.88" }, WorkitemStates.Scheduled, null));
        Assert.False(await store.ReplaceAsync(claimed with { State = WorkitemStates.Completed }, WorkitemStates.InProgress, "2.25.88"));
        Assert.True(await store.ReplaceAsync(claimed with { State = WorkitemStates.Completed }, WorkitemStates.InProgress, "2.25.77"));
        var read = await store.GetAsync("2.25.1");
        Assert.Equal((WorkitemStates.Completed, "2.25.77", "ai-service"), (read!.State, read.TransactionUid, read.Performer));
    }

    [Fact]
    public async Task Search_filters_by_state_label_and_visibility_and_puts_the_most_urgent_first()
    {
        var store = await OpenAsync();
        await store.AddAsync(Item("2.25.1", "LOW", minutes: 0));
        await store.AddAsync(Item("2.25.2", "HIGH", minutes: 30));
        await store.AddAsync(Item("2.25.3", "MEDIUM", minutes: 10));
        await store.AddAsync(Item("2.25.4", "HIGH", minutes: 5, label: "other"));
        var mine = Item("2.25.5", "HIGH", minutes: 1) with { State = WorkitemStates.InProgress, TransactionUid = "2.25.9", Performer = "p1" };
        await store.AddAsync(mine);
        Assert.Equal(["2.25.5", "2.25.4", "2.25.2", "2.25.3", "2.25.1"], (await store.SearchAsync(new WorkitemFilter())).Select(r => r.Uid));
        Assert.Equal(["2.25.2", "2.25.3", "2.25.1"],
            (await store.SearchAsync(new WorkitemFilter(States: [WorkitemStates.Scheduled], WorklistLabel: "ai"))).Select(r => r.Uid));
        Assert.Equal(["2.25.4", "2.25.2", "2.25.3", "2.25.1"], (await store.SearchAsync(new WorkitemFilter(VisibleTo: "p2"))).Select(r => r.Uid));
        Assert.Contains("2.25.5", (await store.SearchAsync(new WorkitemFilter(VisibleTo: "p1"))).Select(r => r.Uid));
        Assert.Equal(["2.25.3"], (await store.SearchAsync(new WorkitemFilter(ScheduledFrom: T0.AddMinutes(6), ScheduledTo: T0.AddMinutes(20)))).Select(r => r.Uid));
    }

    [Fact]
    public async Task The_inputs_a_performer_holds_are_those_of_its_in_progress_items_only()
    {
        var store = await OpenAsync();
        await store.AddAsync(Item("2.25.1", series: ["1.2.3.4"]) with { State = WorkitemStates.InProgress, TransactionUid = "2.25.9", Performer = "p1" });
        await store.AddAsync(Item("2.25.2", study: "1.2.9") with { State = WorkitemStates.Completed, TransactionUid = "2.25.8", Performer = "p1" });
        await store.AddAsync(Item("2.25.3", study: "1.2.7"));
        Assert.Equal(["1.2.3.4"], await store.HeldInputSeriesAsync("p1", "1.2.3"));
        Assert.Null(await store.HeldInputSeriesAsync("p2", "1.2.3"));
        Assert.Null(await store.HeldInputSeriesAsync("p1", "1.2.9"));
        Assert.Null(await store.HeldInputSeriesAsync("p1", "1.2.7"));
        await store.AddAsync(Item("2.25.4") with { State = WorkitemStates.InProgress, TransactionUid = "2.25.7", Performer = "p1" });
        Assert.Equal([], await store.HeldInputSeriesAsync("p1", "1.2.3"));
    }

    [Fact]
    public async Task Subscriptions_are_kept_per_ae_title_and_item_renewed_suspended_and_removed()
    {
        var store = await OpenAsync();
        await store.SubscribeAsync(new WorkitemSubscription("AI_SVC", "2.25.1", "p1", false, null, false, T0));
        await store.SubscribeAsync(new WorkitemSubscription("AI_SVC", "1.2.840.10008.5.1.4.34.5.1", "p1", false, "[]", false, T0.AddSeconds(1)));
        await store.SubscribeAsync(new WorkitemSubscription("OTHER", "2.25.1", "p2", true, null, false, T0.AddSeconds(2)));
        Assert.Equal(["AI_SVC", "OTHER"], (await store.SubscriptionsToAsync("2.25.1")).Select(s => s.AeTitle));
        Assert.True((await store.SubscriptionsToAsync("2.25.1"))[1].DeletionLock);
        Assert.Equal("p1", await store.OwnerOfAsync("AI_SVC"));
        Assert.Null(await store.OwnerOfAsync("NOBODY"));
        Assert.True(await store.SuspendAsync("AI_SVC", "1.2.840.10008.5.1.4.34.5.1"));
        Assert.True((await store.SubscriptionsToAsync("1.2.840.10008.5.1.4.34.5.1")).Single().Suspended);
        Assert.False(await store.SuspendAsync("OTHER", "1.2.840.10008.5.1.4.34.5.1"));
        // Subscribing again resumes a suspended subscription.
        await store.SubscribeAsync(new WorkitemSubscription("AI_SVC", "1.2.840.10008.5.1.4.34.5.1", "p1", false, "[]", false, T0.AddSeconds(3)));
        Assert.False((await store.SubscriptionsToAsync("1.2.840.10008.5.1.4.34.5.1")).Single().Suspended);
        Assert.True(await store.UnsubscribeAsync("OTHER", "2.25.1"));
        Assert.False(await store.UnsubscribeAsync("OTHER", "2.25.1"));
        Assert.Equal(2, await store.UnsubscribeAllAsync("AI_SVC"));
        Assert.Empty(await store.SubscriptionsOfAsync("AI_SVC"));
    }
}

public sealed class WorkitemStoreSqliteTests : WorkitemStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class WorkitemStorePostgresTests(PostgresServer server) : WorkitemStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
