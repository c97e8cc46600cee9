using Mira.Storage.Security;

namespace Mira.Storage.Tests.Security;

/// <summary><see cref="AuditLog.QueryAsync"/>: the auditor's filtered, newest-first, paged reading of the log.</summary>
public abstract class AuditLogQueryTests : SecurityTestBase
{
    static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>30 records, one a minute: actors alice/bob/carol in turn, actions cycling through four names, every
    /// fifth one denied.</summary>
    async Task<AuditLog> FillAsync()
    {
        var log = await AuditLog.OpenAsync(Db, Options);
        string[] actors = ["alice", "bob", "carol"];
        string[] actions = ["project.copy", "project.qido", "qido.search", "projectx.other"];
        for (var i = 0; i < 30; i++)
        {
            await log.AppendAsync(new AuditEntry(actors[i % 3], actions[i % 4], $"r{i + 1}", "127.0.0.1",
                (i + 1) % 5 == 0 ? AuditOutcome.Denied : AuditOutcome.Success));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        return log;
    }

    static long[] Seqs(IEnumerable<AuditRecord> records) => records.Select(r => r.Sequence).ToArray();

    [Fact]
    public async Task Without_a_filter_the_newest_records_come_first_up_to_the_limit()
    {
        var log = await FillAsync();
        Assert.Equal(new long[] { 30, 29, 28, 27, 26 }, Seqs(await log.QueryAsync(new AuditFilter(), 5)));
        Assert.Equal(await log.ReadAsync(30, 1), await log.QueryAsync(new AuditFilter(), 1));
    }

    [Fact]
    public async Task Actor_outcome_and_action_prefix_each_narrow_the_records()
    {
        var log = await FillAsync();
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 3 == 1).Select(i => (long)i + 1).Reverse(), Seqs(await log.QueryAsync(new AuditFilter(Actor: "bob"))));
        Assert.Equal(new long[] { 30, 25, 20, 15, 10, 5 }, Seqs(await log.QueryAsync(new AuditFilter(Outcome: AuditOutcome.Denied))));
        // "project." is a prefix of project.copy and project.qido, not of projectx.other.
        var project = await log.QueryAsync(new AuditFilter(ActionPrefix: "project."));
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 4 < 2).Select(i => (long)i + 1).Reverse(), Seqs(project));
        Assert.All(project, r => Assert.StartsWith("project.", r.Action));
        Assert.Equal(Enumerable.Range(0, 30).Where(i => i % 4 == 2).Select(i => (long)i + 1).Reverse(),
            Seqs(await log.QueryAsync(new AuditFilter(ActionPrefix: "qido.search"))));
        // All at once: bob's denied project records.
        Assert.Equal(new long[] { 20, 5 }, Seqs(await log.QueryAsync(new AuditFilter("bob", "project", AuditOutcome.Denied))));
    }

    [Fact]
    public async Task A_wildcard_in_the_prefix_or_actor_matches_only_itself()
    {
        var log = await FillAsync();
        Assert.Empty(await log.QueryAsync(new AuditFilter(ActionPrefix: "%")));
        Assert.Empty(await log.QueryAsync(new AuditFilter(ActionPrefix: "project_")));
        Assert.Empty(await log.QueryAsync(new AuditFilter(Actor: "%")));
        Assert.Empty(await log.QueryAsync(new AuditFilter(Actor: "ALICE")));
    }

    [Fact]
    public async Task The_time_range_includes_its_start_and_excludes_its_end()
    {
        var log = await FillAsync();
        // Record n was written at Start + (n-1) minutes.
        var range = await log.QueryAsync(new AuditFilter(From: Start.AddMinutes(10), Until: Start.AddMinutes(14)));
        Assert.Equal(new long[] { 14, 13, 12, 11 }, Seqs(range));
        Assert.Equal(new long[] { 30, 29 }, Seqs(await log.QueryAsync(new AuditFilter(From: Start.AddMinutes(28)))));
        Assert.Equal(new long[] { 1 }, Seqs(await log.QueryAsync(new AuditFilter(Until: Start.AddSeconds(30)))));
    }

    [Fact]
    public async Task Pages_follow_by_sequence_and_are_not_shifted_by_new_records()
    {
        var log = await FillAsync();
        var filter = new AuditFilter(Actor: "alice");
        var first = await log.QueryAsync(filter, 4);
        Assert.Equal(new long[] { 28, 25, 22, 19 }, Seqs(first));
        await log.AppendAsync(new AuditEntry("alice", "qido.search")); // arrives between the two page loads
        var second = await log.QueryAsync(filter with { BeforeSequence = first[^1].Sequence }, 4);
        Assert.Equal(new long[] { 16, 13, 10, 7 }, Seqs(second));
        var last = await log.QueryAsync(filter with { BeforeSequence = second[^1].Sequence }, 4);
        Assert.Equal(new long[] { 4, 1 }, Seqs(last));
    }

    [Fact]
    public async Task A_limit_outside_one_to_the_maximum_is_refused()
    {
        var log = await FillAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.QueryAsync(new AuditFilter(), 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => log.QueryAsync(new AuditFilter(), AuditLog.MaxQueryLimit + 1));
        Assert.Equal(30, (await log.QueryAsync(new AuditFilter(), AuditLog.MaxQueryLimit)).Count);
    }
}

public sealed class AuditLogQuerySqliteTests : AuditLogQueryTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class AuditLogQueryPostgresTests(PostgresServer server) : AuditLogQueryTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
