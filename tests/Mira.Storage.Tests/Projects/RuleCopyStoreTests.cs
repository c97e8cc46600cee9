using Mira.Storage.Projects;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Projects;

/// <summary>The durable rule queue (<c>mira_project_rule_copies</c>) on SQLite and PostgreSQL.</summary>
public abstract class RuleCopyStoreTests : SecurityTestBase
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Projects a and b with a rule for MODALITY1, project c with one for OTHER.</summary>
    async Task<RuleCopyStore> OpenWithRulesAsync()
    {
        var projects = await ProjectStore.OpenAsync(Db);
        foreach (var (id, ae) in new[] { ("a", "MODALITY1"), ("b", "MODALITY1"), ("c", "OTHER") })
        {
            Assert.True(await projects.CreateAsync(id, id, "basic", "{}", "hash", new byte[32]));
            await projects.AddRuleAsync(id, ae);
        }
        return await RuleCopyStore.OpenAsync(Db);
    }

    [Fact]
    public async Task An_arrival_is_queued_once_for_each_project_with_a_rule_for_its_AE_and_not_without_one()
    {
        var store = await OpenWithRulesAsync();
        Assert.Equal(2, await store.EnqueueAsync("MODALITY1", "1.2.3", T0));
        Assert.Equal(0, await store.EnqueueAsync("NORULE", "1.2.4", T0));
        var all = await store.ListAsync();
        Assert.Equal(["a", "b"], all.Select(c => c.Project));
        Assert.All(all, c => Assert.Equal(("1.2.3", "MODALITY1", 0, (string?)null, RuleCopyStates.Pending, T0), (c.SopInstanceUid, c.AeTitle, c.Attempts, c.LastError, c.State, c.Queued)));
        Assert.Equal(2, (await store.DueAsync(T0, 10)).Count);
    }

    [Fact]
    public async Task A_resend_does_not_queue_twice_and_revives_a_copy_that_was_given_up()
    {
        var store = await OpenWithRulesAsync();
        await store.EnqueueAsync("MODALITY1", "1.2.3", T0);
        await store.RecordFailureAsync("a", "1.2.3", "disk on fire", retryAt: null);
        Assert.Equal(RuleCopyStates.Failed, (await store.ListAsync("a")).Single().State);
        await store.EnqueueAsync("MODALITY1", "1.2.3", T0.AddMinutes(1));
        var rows = await store.ListAsync();
        Assert.Equal(2, rows.Count);
        var revived = rows.Single(r => r.Project == "a");
        Assert.Equal((RuleCopyStates.Pending, 0, (string?)null, T0.AddMinutes(1)), (revived.State, revived.Attempts, revived.LastError, revived.NextAttempt));
    }

    [Fact]
    public async Task Failures_count_attempts_keep_the_last_error_and_hold_the_copy_back_until_its_retry_time()
    {
        var store = await OpenWithRulesAsync();
        await store.EnqueueAsync("OTHER", "1.2.3", T0);
        await store.RecordFailureAsync("c", "1.2.3", "first", T0.AddSeconds(30));
        await store.RecordFailureAsync("c", "1.2.3", "second", T0.AddSeconds(90));
        var row = (await store.ListAsync("c")).Single();
        Assert.Equal((2, "second", RuleCopyStates.Pending, T0.AddSeconds(90)), (row.Attempts, row.LastError, row.State, row.NextAttempt));
        Assert.Empty(await store.DueAsync(T0.AddSeconds(89), 10));
        Assert.Single(await store.DueAsync(T0.AddSeconds(90), 10));
        Assert.Equal(T0.AddSeconds(90), await store.NextDueAsync());

        await store.RecordFailureAsync("c", "1.2.3", "third, and last", retryAt: null);
        row = (await store.ListAsync("c", RuleCopyStates.Failed)).Single();
        Assert.Equal((3, "third, and last"), (row.Attempts, row.LastError));
        Assert.Empty(await store.DueAsync(T0.AddDays(1), 10));
        Assert.Null(await store.NextDueAsync());
    }

    [Fact]
    public async Task A_completed_copy_leaves_the_queue_and_the_others_stay()
    {
        var store = await OpenWithRulesAsync();
        await store.EnqueueAsync("MODALITY1", "1.2.3", T0);
        await store.CompleteAsync("a", "1.2.3");
        Assert.Equal(["b"], (await store.ListAsync()).Select(c => c.Project));
        // Opening again (the next server start) keeps the table and its rows.
        Assert.Single(await (await RuleCopyStore.OpenAsync(Db)).DueAsync(T0, 10));
    }

    [Fact]
    public async Task An_upload_is_queued_for_each_project_with_a_rule_for_its_uploader_and_an_AE_arrival_is_not()
    {
        var store = await OpenWithRulesAsync();
        var projects = await ProjectStore.OpenAsync(Db);
        await projects.AddUploaderRuleAsync("b", "alice");
        await projects.AddUploaderRuleAsync("c", "alice");
        Assert.Equal(4, await store.EnqueueUploadsAsync("alice", ["1.2.5", "1.2.6"], T0));
        Assert.Equal(0, await store.EnqueueUploadsAsync("bob", ["1.2.7"], T0));
        Assert.Equal(0, await store.EnqueueAsync("alice", "1.2.8", T0)); // an AE title named like the account has no rule
        var rows = await store.ListAsync();
        Assert.Equal([("b", "1.2.5"), ("b", "1.2.6"), ("c", "1.2.5"), ("c", "1.2.6")], rows.Select(r => (r.Project, r.SopInstanceUid)).Order());
        Assert.All(rows, r => Assert.Equal(("alice", "", new ProjectRule(r.Project, ProjectRuleKinds.Uploader, "alice")), (r.Uploader, r.AeTitle, r.Rule)));
    }

    [Fact]
    public async Task Removing_a_rule_drops_only_its_own_pending_and_given_up_copies()
    {
        var store = await OpenWithRulesAsync();
        var projects = await ProjectStore.OpenAsync(Db);
        await projects.AddUploaderRuleAsync("a", "alice");
        await store.EnqueueAsync("MODALITY1", "1.2.3", T0);
        await store.EnqueueAsync("MODALITY1", "1.2.4", T0);
        await store.EnqueueUploadsAsync("alice", ["1.2.5"], T0);
        await store.RecordFailureAsync("a", "1.2.4", "gave up", retryAt: null);

        var rule = new ProjectRule("a", ProjectRuleKinds.AeTitle, "MODALITY1");
        Assert.True(await projects.RemoveRuleAsync(rule));
        Assert.False(await projects.RemoveRuleAsync(rule));
        Assert.Equal((1, 1), await store.RemoveForRuleAsync(rule));
        Assert.Equal([("a", "1.2.5"), ("b", "1.2.3"), ("b", "1.2.4")], (await store.ListAsync()).Select(r => (r.Project, r.SopInstanceUid)).Order());
        Assert.Equal([new ProjectRule("a", ProjectRuleKinds.Uploader, "alice")], await projects.ListRulesAsync("a"));
        Assert.Equal((1, 0), await store.RemoveForRuleAsync(new ProjectRule("a", ProjectRuleKinds.Uploader, "alice")));
    }

    [Fact]
    public async Task A_queue_made_before_uploader_rules_gets_the_uploader_column_and_keeps_its_rows()
    {
        await using (var c = await Db.OpenAsync())
        {
            await Dapper.SqlMapper.ExecuteAsync(c, """
                CREATE TABLE mira_project_rule_copies (project TEXT NOT NULL, sop_instance_uid TEXT NOT NULL, ae_title TEXT NOT NULL,
                    queued_us BIGINT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT, next_attempt_us BIGINT NOT NULL, state TEXT NOT NULL,
                    PRIMARY KEY (project, sop_instance_uid))
                """);
            await Dapper.SqlMapper.ExecuteAsync(c,
                "INSERT INTO mira_project_rule_copies VALUES ('a', '1.2.3', 'MODALITY1', 0, 2, 'old error', 0, 'pending')");
        }
        var store = await OpenWithRulesAsync();
        await RuleCopyStore.OpenAsync(Db); // again: the upgrade is idempotent
        var old = Assert.Single(await store.ListAsync());
        Assert.Equal(("a", "MODALITY1", (string?)null, 2, "old error"), (old.Project, old.AeTitle, old.Uploader, old.Attempts, old.LastError));
        var projects = await ProjectStore.OpenAsync(Db);
        await projects.AddUploaderRuleAsync("c", "alice");
        Assert.Equal(1, await store.EnqueueUploadsAsync("alice", ["1.2.9"], T0));
        Assert.Equal("alice", (await store.ListAsync("c")).Single().Uploader);
    }

    [Fact]
    public async Task Members_are_listed_and_a_removed_member_has_no_role()
    {
        var projects = await ProjectStore.OpenAsync(Db);
        Assert.True(await projects.CreateAsync("m", "m", "basic", "{}", "hash", new byte[32]));
        await projects.SetMemberAsync("m", "bob", ProjectRoles.Lead);
        await projects.SetMemberAsync("m", "alice", ProjectRoles.Member);
        Assert.Equal([new ProjectMember("m", "alice", "member"), new ProjectMember("m", "bob", "lead")], await projects.ListMembersAsync("m"));
        Assert.True(await projects.RemoveMemberAsync("m", "alice"));
        Assert.False(await projects.RemoveMemberAsync("m", "alice"));
        Assert.Null(await projects.GetMemberRoleAsync("m", "alice"));
        Assert.Equal(["bob"], (await projects.ListMembersAsync("m")).Select(x => x.User));
    }
}

public sealed class RuleCopyStoreSqliteTests : RuleCopyStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class RuleCopyStorePostgresTests(PostgresServer server) : RuleCopyStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
