using System.Data.Common;
using Mira.Storage.Security;

namespace Mira.Storage.Tests.Security;

public abstract class AuditLogTests : SecurityTestBase
{
    Task<AuditLog> OpenAsync() => AuditLog.OpenAsync(Db, Options);

    static AuditEntry Entry(int i) => new("alice", "wado.retrieve", $"1.2.826.0.1.3680043.8.498.{i}", "127.0.0.1",
        i % 3 == 0 ? AuditOutcome.Denied : AuditOutcome.Success, i % 2 == 0 ? $$"""{"instances":{{i}}}""" : null);

    async Task<AuditLog> FillAsync(int count)
    {
        var log = await OpenAsync();
        for (var i = 1; i <= count; i++)
        {
            await log.AppendAsync(Entry(i));
            Clock.Advance(TimeSpan.FromMilliseconds(1.5));
        }
        return log;
    }

    /// <summary>What an attacker with owner rights does first: switch off the append-only guard.</summary>
    Task DisableGuardAsync() => ExecuteAsync(Db.Provider == StorageProvider.Sqlite
        ? "DROP TRIGGER mira_audit_no_update; DROP TRIGGER mira_audit_no_delete"
        : "ALTER TABLE mira_audit DISABLE TRIGGER mira_audit_append_only");

    static void AssertBroken(AuditVerification v, long sequence, AuditBreakKind kind)
    {
        Assert.False(v.IsIntact);
        Assert.Equal((sequence, kind), (v.FirstBreak!.Sequence, v.FirstBreak.Kind));
        Assert.Equal(sequence - 1, v.RecordsChecked);
    }

    [Fact]
    public async Task Empty_log_is_intact()
    {
        var v = await (await OpenAsync()).VerifyAsync();
        Assert.True(v.IsIntact);
        Assert.Equal(0, v.RecordsChecked);
        Assert.Equal(new AuditAnchor(0, new string('0', 64)), v.Head);
    }

    [Fact]
    public async Task Appended_records_form_a_verifiable_chain()
    {
        var log = await OpenAsync();
        var appended = new List<AuditRecord>();
        for (var i = 1; i <= 10; i++) appended.Add(await log.AppendAsync(Entry(i)));
        appended.AddRange(await log.AppendAsync([Entry(11), Entry(12), Entry(13)]));

        Assert.Equal(Enumerable.Range(1, 13).Select(i => (long)i), appended.Select(r => r.Sequence));
        Assert.Equal(AuditLog.GenesisHash, appended[0].PreviousHash);
        for (var i = 1; i < appended.Count; i++) Assert.Equal(appended[i - 1].Hash, appended[i].PreviousHash);
        Assert.Equal(13, appended.Select(r => r.Hash).Distinct().Count());

        Assert.Equal(appended, await log.ReadAsync());
        Assert.Equal(appended[4..7], await log.ReadAsync(5, 3));
        var v = await log.VerifyAsync();
        Assert.True(v.IsIntact, v.FirstBreak?.Message);
        Assert.Equal(13, v.RecordsChecked);
        Assert.Equal(new AuditAnchor(13, appended[^1].Hash), v.Head);
    }

    [Fact]
    public async Task Records_keep_every_field()
    {
        var log = await OpenAsync();
        var r = await log.AppendAsync(new AuditEntry("bob", "qido.search", null, "::1", AuditOutcome.Failure, """{"q":"PatientName=Ö*"}"""));
        Assert.Equal(Clock.Now, r.TimeUtc);
        Assert.Equal(("bob", "qido.search", (string?)null, "::1", "failure", """{"q":"PatientName=Ö*"}"""),
            (r.Actor, r.Action, r.Resource, r.ClientAddress, r.Outcome, r.DetailsJson));
        Assert.Equal(r, Assert.Single(await log.ReadAsync()));
        Assert.Equal(r.Hash, AuditLog.ComputeHash(r));
    }

    [Fact]
    public async Task Invalid_entries_are_refused()
    {
        var log = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEntry("alice", "x", DetailsJson: "{not json")));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEntry("", "x")));
        await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync(new AuditEntry("alice", " ")));
        Assert.Empty(await log.ReadAsync());
    }

    [Fact]
    public async Task The_table_refuses_update_and_delete()
    {
        await FillAsync(3);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("UPDATE mira_audit SET actor = 'mallory' WHERE seq = 2"));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("DELETE FROM mira_audit WHERE seq = 3"));
        Assert.True((await (await OpenAsync()).VerifyAsync()).IsIntact);
    }

    [Theory]
    [InlineData("actor = 'mallory'")]
    [InlineData("resource = '1.2.3.999'")]
    [InlineData("resource = NULL")]
    [InlineData("outcome = 'success'")]
    [InlineData("details = '{\"instances\":0}'")]
    [InlineData("at_us = at_us + 1")]
    public async Task Altered_field_is_a_hash_mismatch_at_that_record(string assignment)
    {
        var log = await FillAsync(10);
        await DisableGuardAsync();
        Assert.Equal(1, await ExecuteAsync($"UPDATE mira_audit SET {assignment} WHERE seq = 6"));
        AssertBroken(await log.VerifyAsync(), 6, AuditBreakKind.HashMismatch);
    }

    [Fact]
    public async Task Deleted_record_is_a_gap_at_its_sequence()
    {
        var log = await FillAsync(10);
        await DisableGuardAsync();
        await ExecuteAsync("DELETE FROM mira_audit WHERE seq = 5");
        AssertBroken(await log.VerifyAsync(), 5, AuditBreakKind.SequenceGap);
    }

    [Fact]
    public async Task Deleted_first_record_is_a_gap_at_one()
    {
        var log = await FillAsync(4);
        await DisableGuardAsync();
        await ExecuteAsync("DELETE FROM mira_audit WHERE seq = 1");
        AssertBroken(await log.VerifyAsync(), 1, AuditBreakKind.SequenceGap);
    }

    [Fact]
    public async Task Reordered_records_break_the_previous_hash_link()
    {
        var log = await FillAsync(10);
        await DisableGuardAsync();
        await ExecuteAsync("UPDATE mira_audit SET seq = -3 WHERE seq = 3");
        await ExecuteAsync("UPDATE mira_audit SET seq = 3 WHERE seq = 4");
        await ExecuteAsync("UPDATE mira_audit SET seq = 4 WHERE seq = -3");
        AssertBroken(await log.VerifyAsync(), 3, AuditBreakKind.PreviousHashMismatch);
    }

    [Fact]
    public async Task Rehashed_forgery_is_caught_at_the_next_record()
    {
        var log = await FillAsync(10);
        var original = (await log.ReadAsync(6, 1))[0];
        var forged = original with { Actor = "mallory" };
        await DisableGuardAsync();
        await ExecuteAsync("UPDATE mira_audit SET actor = @Actor, hash = @Hash WHERE seq = 6",
            new { forged.Actor, Hash = AuditLog.ComputeHash(forged) });
        AssertBroken(await log.VerifyAsync(), 7, AuditBreakKind.PreviousHashMismatch);
    }

    [Fact]
    public async Task Truncation_is_caught_only_against_an_anchor()
    {
        var log = await FillAsync(10);
        var anchor = (await log.VerifyAsync()).Head;
        Assert.True((await log.VerifyAsync(anchor)).IsIntact);
        await DisableGuardAsync();
        await ExecuteAsync("DELETE FROM mira_audit WHERE seq > 8");
        Assert.True((await log.VerifyAsync()).IsIntact);
        AssertBroken(await log.VerifyAsync(anchor), 9, AuditBreakKind.Truncated);
        AssertBroken(await log.VerifyAsync(anchor with { Sequence = 5 }), 5, AuditBreakKind.AnchorMismatch);
    }

    [Fact]
    public async Task Concurrent_writers_never_fork_the_chain()
    {
        const int writers = 8, perWriter = 50;
        var logs = await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => OpenAsync()));
        await Task.WhenAll(logs.Select((log, w) => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
                await log.AppendAsync(new AuditEntry($"writer{w}", "stow.store", $"1.2.3.{w}.{i}", "10.0.0.1"));
        })));

        var v = await logs[0].VerifyAsync();
        Assert.True(v.IsIntact, v.FirstBreak?.Message);
        Assert.Equal(writers * perWriter, v.RecordsChecked);
        var all = await logs[0].ReadAsync(limit: 10_000);
        Assert.Equal(Enumerable.Range(1, writers * perWriter).Select(i => (long)i), all.Select(r => r.Sequence));
        Assert.All(all.GroupBy(r => r.Actor), g => Assert.Equal(perWriter, g.Count()));
        Assert.Equal(writers, all.Select(r => r.Actor).Distinct().Count());
    }
}

public sealed class AuditLogSqliteTests : AuditLogTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class AuditLogPostgresTests(PostgresServer server) : AuditLogTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
