using Mira.Storage.Jobs;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Mira.Storage;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// The durable rule queue: copies "everything arriving from AE X" are written as jobs (<c>mira_jobs</c>)
/// before the C-STORE response, survive the server being killed, and failures are retried a bounded number of times
/// and recorded in the table and the audit log; on either index provider (<see cref="RuleCopyQueueTests"/>,
/// <see cref="PostgreSqlRuleCopyQueueTests"/>).
/// </summary>
public abstract class RuleCopyQueueSuite
{
    /// <summary>A fresh index database for a <c>mira serve</c> process on <paramref name="data"/>: the arguments naming it and the database.</summary>
    protected abstract Task<(string[] ServeArguments, StorageDatabase Index)> IndexDatabaseAsync(string data);

    /// <summary>A test server (not started) on a fresh index database.</summary>
    protected abstract TestArchive NewServer(JobOptions ruleCopies);

    static readonly JobOptions Fast = new()
    {
        MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(200), PollInterval = TimeSpan.FromMilliseconds(100),
    };

    static async Task CreateRuledProjectAsync(HttpClient steward, string id, string ae, string member)
    {
        Assert.Equal(HttpStatusCode.Created, (await steward.PostAsJsonAsync("/api/projects", new { id, name = id, recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = member })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync($"/api/projects/{id}/rules", new { aeTitle = ae })).StatusCode);
    }

    internal static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Rule_copies_pending_when_the_server_is_killed_are_made_exactly_once_after_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-rule-restart-" + Guid.NewGuid().ToString("N"));
        var files = Directory.CreateTempSubdirectory("mira-rule-restart-files-").FullName;
        var mr = DemoStudies.Generate().Where(d => d.Name.StartsWith("mr/", StringComparison.Ordinal)).ToList();
        var paths = mr.Select(d => Path.Combine(files, d.Name.Replace('/', '-') + ".dcm")).ToArray();
        for (var i = 0; i < mr.Count; i++) File.WriteAllBytes(paths[i], mr[i].Bytes);
        var port = ServeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (arguments, db) = await IndexDatabaseAsync(data);
        try
        {
            // AE rules fire only for a verified caller: MODALITY1 is in the AE table for this host.
            var added = Mira.Testing.ExternalTool.Exec("dotnet", [Path.Combine(AppContext.BaseDirectory, "mira.dll"), "ae", "add", "MODALITY1",
                "--host", "127.0.0.1", "--port", "104", "--allow", "echo,store", "--data", data, .. arguments]);
            Assert.True(added.ExitCode == 0, added.Output);
            // A node that queues rule copies but does not make them, so that all of them are pending when it is killed.
            await using (var first = await ServeProcess.StartAsync(data, [.. arguments, "--no-rule-copies", "--dimse-port", port]))
            {
                await CreateRuledProjectAsync(first.Http, "restart", "MODALITY1", "admin");
                var sent = await ProjectZoneRuleTests.Send(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), "MODALITY1", paths);
                Assert.Equal(mr.Count, sent.Succeeded);
                Assert.Equal(HttpStatusCode.NoContent, (await first.Http.GetAsync("/api/projects/restart/dicomweb/instances")).StatusCode);
                await first.KillAsync();
            }

            // Every acknowledged instance has its queue row, written before its C-STORE response.
            var queue = new JobStore(db);
            var queued = await queue.ListAsync(ProjectService.RuleCopyJobKind, "restart");
            Assert.Equal(mr.Select(d => d.SopInstanceUid).Order(), queued.Select(q => q.Subject).Order());
            Assert.All(queued, q => Assert.Equal((JobStates.Queued, 0, "MODALITY1"), (q.State, q.Attempts, q.Origin![3..])));

            await using (var second = await ServeProcess.StartAsync(data, arguments))
            {
                await EventuallyAsync(async () => (await queue.ListAsync(ProjectService.RuleCopyJobKind, "restart")).Count(j => j.State != JobStates.Succeeded), n => n == 0, "the queue to drain");
                var found = JsonNode.Parse(await second.Http.GetStringAsync("/api/projects/restart/dicomweb/instances"))!.AsArray();
                Assert.Equal(mr.Count, found.Count);
                Assert.Equal(mr.Count, found.Select(i => Dicomweb.Value(i, "00080018")).Distinct().Count());
                Assert.DoesNotContain(found, i => mr.Any(d => d.SopInstanceUid == Dicomweb.Value(i, "00080018")));
            }

            // Exactly once: one successful copy per instance, each one "copied" (none had to be redone).
            var audit = await (await AuditLog.OpenAsync(db)).ReadAsync(1, 100_000);
            var copies = audit.Where(a => a.Action == "project.copy" && a.Resource!.StartsWith("restart:rule ae=MODALITY1 sop=", StringComparison.Ordinal)).ToList();
            Assert.Equal(mr.Select(d => d.SopInstanceUid).Order(), copies.Select(a => a.Resource!.Split("sop=")[1]).Order());
            Assert.All(copies, a =>
            {
                Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Success), a.Outcome);
                var details = JsonNode.Parse(a.DetailsJson!)!;
                Assert.Equal((1, 0, 1), ((int)details["copied"]!, (int)details["alreadyStored"]!, (int)details["attempt"]!));
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
            Directory.Delete(files, true);
        }
    }

    [Fact]
    public async Task A_failing_rule_copy_is_retried_a_bounded_number_of_times_and_recorded_in_the_table_and_the_audit_log()
    {
        var server = NewServer(Fast);
        await server.InitializeAsync();
        try
        {
            await CreateRuledProjectAsync(server.Basic("steward", TestArchive.UserPassword), "retry", "MODALITY1", "annotator");
            var sop = Dicomweb.Uid();
            var stored = await server.Archive.Ingest.StoreAsync(Dicomweb.Make(Dicomweb.Uid(), Dicomweb.Uid(), sop), new IngestSource("test", "MODALITY1"));
            server.Archive.Blobs.Delete(stored.Instance!.BlobKey); // the intake copy can no longer be read: every attempt fails
            Assert.Equal(1, await server.Archive.Projects.QueueRuleCopiesAsync("MODALITY1", null, [sop]));

            var failed = await EventuallyAsync(() => server.Archive.Projects.OutstandingRuleCopiesAsync("retry", JobStates.Failed), r => r.Count == 1, "the copy to be given up", 30);
            Assert.Equal(Fast.MaxAttempts, failed[0].Attempts);
            Assert.False(string.IsNullOrWhiteSpace(failed[0].LastError));
            await Task.Delay(Fast.PollInterval * 5); // given up: no further attempt
            Assert.Equal(Fast.MaxAttempts, (await server.Archive.Projects.OutstandingRuleCopiesAsync("retry")).Single().Attempts);
            Assert.Equal(0, await server.Archive.Projects.PendingRuleCopiesAsync());

            var attempts = (await server.Archive.Audit.ReadAsync(1, 100_000))
                .Where(a => a.Action == "project.copy" && a.Resource == $"retry:rule ae=MODALITY1 sop={sop}").ToList();
            Assert.Equal(Enumerable.Range(1, Fast.MaxAttempts), attempts.Select(a => (int)JsonNode.Parse(a.DetailsJson!)!["attempt"]!));
            Assert.All(attempts, a => Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Failure), a.Outcome));
            Assert.All(attempts, a => Assert.Equal(Fast.MaxAttempts, (int)JsonNode.Parse(a.DetailsJson!)!["maxAttempts"]!));
            Assert.Equal(HttpStatusCode.NoContent, (await server.Basic("annotator", TestArchive.UserPassword).GetAsync("/api/projects/retry/dicomweb/instances")).StatusCode);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_rule_copy_of_an_instance_no_longer_in_the_intake_archive_is_dropped_and_audited()
    {
        var server = NewServer(Fast);
        await server.InitializeAsync();
        try
        {
            await CreateRuledProjectAsync(server.Basic("steward", TestArchive.UserPassword), "gone", "MODALITY1", "annotator");
            var sop = Dicomweb.Uid();
            Assert.Equal(1, await server.Archive.Projects.QueueRuleCopiesAsync("MODALITY1", null, [sop]));
            await EventuallyAsync(() => server.Archive.Projects.OutstandingRuleCopiesAsync("gone"), r => r.Count == 0, "the copy to be dropped", 30);
            var entry = Assert.Single(await server.Archive.Audit.ReadAsync(1, 100_000), a => a.Resource == $"gone:rule ae=MODALITY1 sop={sop}");
            Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Failure), entry.Outcome);
            Assert.Contains("no longer in the intake archive", entry.DetailsJson);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class RuleCopyQueueTests : RuleCopyQueueSuite
{
    protected override Task<(string[] ServeArguments, StorageDatabase Index)> IndexDatabaseAsync(string data) =>
        Task.FromResult<(string[], StorageDatabase)>(([], StorageDatabase.Sqlite(DataFolder.IndexPath(data))));

    protected override TestArchive NewServer(JobOptions ruleCopies) => new() { RuleCopies = ruleCopies };
}

/// <summary>The rule queue with the intake index, the queue and the project indexes on PostgreSQL (<c>mira serve --db</c>).</summary>
public sealed class PostgreSqlRuleCopyQueueTests(Mira.Storage.Tests.PostgresServer postgres) : RuleCopyQueueSuite, IClassFixture<Mira.Storage.Tests.PostgresServer>
{
    protected override async Task<(string[] ServeArguments, StorageDatabase Index)> IndexDatabaseAsync(string data)
    {
        var connectionString = await postgres.CreateDatabaseConnectionStringAsync();
        return (["--db", connectionString], StorageDatabase.PostgreSql(connectionString));
    }

    protected override TestArchive NewServer(JobOptions ruleCopies) => new PostgresTestArchive { RuleCopies = ruleCopies };
}
