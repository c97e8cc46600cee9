using Mira.Storage.Jobs;
using Mira.Storage.Migrations;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests;

/// <summary>The durable job table (<c>mira_jobs</c>) on SQLite and PostgreSQL: queueing, claims, leases, retries, cancellation.</summary>
public abstract class JobStoreTests : SecurityTestBase
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    static readonly string[] Kinds = ["test.work"];

    async Task<JobStore> OpenAsync()
    {
        await MigrationRunner.ApplyAsync(Db, MigrationCatalog.Intake);
        return new JobStore(Db);
    }

    static JobRequest Work(string? key = null, int priority = 0, int maxAttempts = 3, string? project = null, string? origin = null) =>
        new("test.work", key, project, origin, "subject-" + key, Priority: priority, MaxAttempts: maxAttempts,
            Resources: new JobResources(Cpus: 2, MemoryMb: 512, Gpus: 1));

    [Fact]
    public async Task A_queued_job_is_claimed_once_with_its_request_and_a_lease()
    {
        var store = await OpenAsync();
        Assert.Equal(1, await store.EnqueueAsync([Work("a")], T0));
        var claimed = Assert.Single(await store.ClaimAsync("w1", Kinds, 10, Lease, T0));
        Assert.Equal(("test.work", JobStates.Running, 1, "w1", "subject-a"), (claimed.Kind, claimed.State, claimed.Attempts, claimed.Worker, claimed.Subject));
        Assert.Equal(new JobResources(2, 512, 1), claimed.Resources);
        Assert.Equal(T0 + Lease, claimed.LeaseUntil);
        Assert.Empty(await store.ClaimAsync("w2", Kinds, 10, Lease, T0 + TimeSpan.FromSeconds(1)));
        Assert.Empty(await store.ClaimAsync("w2", ["other.kind"], 10, Lease, T0 + TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task Higher_priority_is_claimed_first_then_the_oldest()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("low")], T0);
        await store.EnqueueAsync([Work("old")], T0 + TimeSpan.FromSeconds(1));
        await store.EnqueueAsync([Work("high", priority: 5)], T0 + TimeSpan.FromSeconds(2));
        await store.EnqueueAsync([Work("new")], T0 + TimeSpan.FromSeconds(3));
        var claimed = await store.ClaimAsync("w", Kinds, 3, Lease, T0 + TimeSpan.FromSeconds(4));
        Assert.Equal(["high", "low", "old"], claimed.Select(j => j.DedupeKey));
    }

    [Fact]
    public async Task A_job_whose_worker_died_is_claimed_again_exactly_once_after_its_lease()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a")], T0);
        var first = Assert.Single(await store.ClaimAsync("dead", Kinds, 1, Lease, T0));
        Assert.Empty(await store.ClaimAsync("w2", Kinds, 1, Lease, T0 + Lease - TimeSpan.FromSeconds(1)));
        var after = T0 + Lease + TimeSpan.FromSeconds(1);
        var again = Assert.Single(await store.ClaimAsync("w2", Kinds, 1, Lease, after));
        Assert.Equal((first.Id, 2, "w2"), (again.Id, again.Attempts, again.Worker));
        Assert.Empty(await store.ClaimAsync("w3", Kinds, 1, Lease, after));
        // The dead worker's late completion changes nothing; the new holder's does.
        Assert.False(await store.CompleteAsync(first.Id, "dead", after));
        Assert.False((await store.HeartbeatAsync(first.Id, "dead", Lease, after)).Held);
        Assert.True(await store.CompleteAsync(first.Id, "w2", after));
        Assert.Equal(JobStates.Succeeded, (await store.GetAsync(first.Id))!.State);
    }

    [Fact]
    public async Task A_worker_never_reclaims_its_own_running_job_however_late_its_heartbeat()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a")], T0);
        var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        Assert.Empty(await store.ClaimAsync("w", Kinds, 1, Lease, T0 + Lease * 3));
        Assert.Equal(2, Assert.Single(await store.ClaimAsync("other", Kinds, 1, Lease, T0 + Lease * 3)).Attempts);
        Assert.False(await store.CompleteAsync(job.Id, "w", T0 + Lease * 3));
    }

    [Fact]
    public async Task Listing_by_a_set_of_states_finds_queued_jobs_behind_more_ended_ones_than_the_limit()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.EnqueueAsync([Work("done" + i)], T0 + TimeSpan.FromSeconds(i));
            var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0 + TimeSpan.FromSeconds(i)));
            await store.CompleteAsync(job.Id, "w", T0 + TimeSpan.FromSeconds(i));
        }
        await store.EnqueueAsync([Work("waiting")], T0 + TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(await store.ListAsync(limit: 3), j => j.State == JobStates.Queued);
        Assert.Equal("waiting", Assert.Single(await store.ListAsync(limit: 3, states: [JobStates.Queued, JobStates.Running])).DedupeKey);
    }

    [Fact]
    public async Task Heartbeats_keep_the_lease()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a")], T0);
        var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        var beat = T0 + Lease - TimeSpan.FromSeconds(5);
        Assert.Equal((true, false), await store.HeartbeatAsync(job.Id, "w", Lease, beat));
        Assert.Empty(await store.ClaimAsync("thief", Kinds, 1, Lease, T0 + Lease + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Failures_are_retried_at_their_time_and_the_last_allowed_attempt_ends_failed_with_its_error()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a", maxAttempts: 2)], T0);
        var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        Assert.True(await store.FailAsync(job.Id, "w", "disk on fire", T0 + TimeSpan.FromMinutes(1), T0));
        Assert.Empty(await store.ClaimAsync("w", Kinds, 1, Lease, T0 + TimeSpan.FromSeconds(59)));
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), await store.NextDueAsync(Kinds));
        job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0 + TimeSpan.FromMinutes(1)));
        Assert.Equal(2, job.Attempts);
        Assert.True(await store.FailAsync(job.Id, "w", "still on fire", null, T0 + TimeSpan.FromMinutes(2)));
        var failed = (await store.GetAsync(job.Id))!;
        Assert.Equal((JobStates.Failed, 2, "still on fire"), (failed.State, failed.Attempts, failed.LastError));
        Assert.Null(await store.NextDueAsync(Kinds));
    }

    [Fact]
    public async Task Queuing_the_same_key_again_resets_the_job_instead_of_adding_one()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a", maxAttempts: 1)], T0);
        var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        await store.FailAsync(job.Id, "w", "gave up", null, T0);
        Assert.Equal(1, await store.EnqueueAsync([Work("a", maxAttempts: 1)], T0 + TimeSpan.FromMinutes(1)));
        var revived = Assert.Single(await store.ListAsync());
        Assert.Equal((job.Id, JobStates.Queued, 0, (string?)null), (revived.Id, revived.State, revived.Attempts, revived.LastError));
        await store.EnqueueAsync([Work(), Work()], T0);
        Assert.Equal(3, (await store.ListAsync()).Count); // jobs without a key are never merged
    }

    [Fact]
    public async Task Cancelling_ends_a_queued_job_and_asks_a_running_one_to_stop()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("queued"), Work("running")], T0);
        var jobs = await store.ListAsync();
        var running = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        var queued = jobs.Single(j => j.Id != running.Id);
        Assert.True(await store.CancelAsync(queued.Id, T0));
        Assert.Equal(JobStates.Cancelled, (await store.GetAsync(queued.Id))!.State);
        Assert.True(await store.CancelAsync(running.Id, T0));
        Assert.Equal((true, true), await store.HeartbeatAsync(running.Id, "w", Lease, T0));
        Assert.True(await store.MarkCancelledAsync(running.Id, "w", T0));
        Assert.False(await store.CancelAsync(running.Id, T0));
        Assert.False(await store.CancelAsync(999_999, T0));
    }

    [Fact]
    public async Task A_released_job_is_queued_again_without_counting_the_attempt()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a")], T0);
        var job = Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0));
        Assert.True(await store.ReleaseAsync(job.Id, "w"));
        Assert.Equal(1, Assert.Single(await store.ClaimAsync("w", Kinds, 1, Lease, T0)).Attempts);
    }

    [Fact]
    public async Task Removing_by_origin_drops_only_that_origins_queued_and_failed_jobs()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("1", project: "p", origin: "ae:X"), Work("2", project: "p", origin: "ae:X", maxAttempts: 1),
            Work("3", project: "p", origin: "ae:Y"), Work("4", project: "q", origin: "ae:X")], T0);
        var two = (await store.ListAsync()).Single(j => j.DedupeKey == "2");
        var claimed = await store.ClaimAsync("w", Kinds, 4, Lease, T0);
        foreach (var j in claimed.Where(j => j.Id != two.Id)) await store.ReleaseAsync(j.Id, "w");
        await store.FailAsync(two.Id, "w", "no", null, T0);
        Assert.Equal((1, 1), await store.RemoveAsync("test.work", "p", "ae:X"));
        Assert.Equal(["3", "4"], (await store.ListAsync()).Select(j => j.DedupeKey).Order());
    }

    [Fact]
    public async Task The_log_keeps_lines_in_order_and_purging_removes_only_old_ended_jobs()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([Work("a"), Work("b")], T0);
        var (a, b) = ((await store.ListAsync())[0], (await store.ListAsync())[1]);
        await store.AppendLogAsync(a.Id, "one");
        await store.AppendLogAsync(a.Id, "two\n");
        Assert.Equal("one\ntwo\n", await store.GetLogAsync(a.Id));
        var claimed = await store.ClaimAsync("w", Kinds, 2, Lease, T0);
        await store.CompleteAsync(a.Id, "w", T0);
        await store.FailAsync(b.Id, "w", "x", null, T0);
        Assert.Equal(1, await store.PurgeEndedAsync(T0 + TimeSpan.FromSeconds(1)));
        Assert.Equal([b.Id], (await store.ListAsync()).Select(j => j.Id));
    }

    [Fact]
    public async Task Concurrent_claimers_never_take_the_same_job()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync([.. Enumerable.Range(0, 40).Select(i => Work(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))], T0);
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var round = 0; round < 10; round++) mine.AddRange((await store.ClaimAsync($"w{w}", Kinds, 2, Lease, T0)).Select(j => j.Id));
            return mine;
        })));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(40, all.Count);
        Assert.Equal(40, all.Distinct().Count());
    }
}

public sealed class JobStoreSqliteTests : JobStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class JobStorePostgresTests(PostgresServer server) : JobStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
