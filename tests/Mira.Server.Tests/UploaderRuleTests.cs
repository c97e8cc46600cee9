using Mira.Storage.Jobs;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mira.Storage;
using Mira.Storage.Projects;

namespace Mira.Server.Tests;

/// <summary>
/// Uploader rules ("everything this account stores over STOW-RS"): STOW-RS uploads by that account are queued in the
/// durable rule queue before the response and copied; uploads by another account are not; removing the rule drops
/// its queued copies and stops further ones; a queue that cannot be written fails the instances with 0110. On either
/// index provider (<see cref="UploaderRuleTests"/>, <see cref="PostgreSqlUploaderRuleTests"/>).
/// </summary>
public abstract class UploaderRuleSuite
{
    protected abstract TestArchive NewServer(JobOptions ruleCopies);

    static readonly JobOptions Fast = new() { PollInterval = TimeSpan.FromMilliseconds(100) };
    static readonly JobOptions NoWorker = new() { Worker = false };

    static byte[][] Demo(string prefix) =>
        [.. DemoStudies.Generate().Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(d => d.Bytes)];

    static async Task<TestArchive> StartAsync(Func<JobOptions, TestArchive> create, JobOptions options)
    {
        var server = create(options);
        await server.InitializeAsync();
        await server.Archive.Accounts.CreateUserAsync("uploader", TestArchive.UserPassword, [Mira.Platform.Security.Roles.Steward]);
        var steward = server.Basic("steward", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Created, (await steward.PostAsJsonAsync("/api/projects", new { id = "up", name = "Uploads", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync("/api/projects/up/members", new { user = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync("/api/projects/up/rules", new { uploader = "uploader" })).StatusCode);
        return server;
    }

    static async Task<HttpResponseMessage> StowAsync(TestArchive server, string user, byte[][] parts) =>
        await Dicomweb.Stow(server.Basic(user, TestArchive.UserPassword), "/dicomweb/studies", parts);

    static async Task<int> ProjectInstancesAsync(TestArchive server)
    {
        var r = await server.Basic("annotator", TestArchive.UserPassword).GetAsync("/api/projects/up/dicomweb/instances");
        return r.StatusCode == HttpStatusCode.NoContent ? 0 : JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray().Count;
    }

    [Fact]
    public async Task Uploads_by_the_ruled_account_are_copied_and_uploads_by_another_account_are_not()
    {
        var server = await StartAsync(NewServer, Fast);
        try
        {
            var mr = Demo("mr/");
            Assert.Equal(HttpStatusCode.OK, (await StowAsync(server, "uploader", mr)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await StowAsync(server, "steward", Demo("ct/"))).StatusCode);
            await RuleCopyQueueSuite.EventuallyAsync(() => server.Archive.Projects.OutstandingRuleCopiesAsync(), r => r.Count == 0, "the queue to drain");
            Assert.Equal(mr.Length, await ProjectInstancesAsync(server));
            var copies = (await server.Archive.Audit.ReadAsync(1, 100_000)).Where(a => a.Action == "project.copy").ToList();
            Assert.Equal(mr.Length, copies.Count);
            Assert.All(copies, a => Assert.StartsWith("up:rule uploader=uploader sop=", a.Resource));
            Assert.All(copies, a => Assert.Equal("uploader", (string?)JsonNode.Parse(a.DetailsJson!)!["uploader"]));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Removing_the_rule_drops_its_queued_copies_and_stops_further_ones()
    {
        var server = await StartAsync(NewServer, NoWorker);
        try
        {
            var mr = Demo("mr/");
            Assert.Equal(HttpStatusCode.OK, (await StowAsync(server, "uploader", mr)).StatusCode);
            // Queued before the response, one row per instance, naming the uploader.
            var queued = await server.Archive.Projects.OutstandingRuleCopiesAsync("up");
            Assert.Equal(mr.Length, queued.Count);
            Assert.All(queued, q => Assert.Equal(("uploader:uploader", JobStates.Queued), (q.Origin, q.State)));
            var rules = JsonNode.Parse(await server.Basic("steward", TestArchive.UserPassword).GetStringAsync("/api/projects/up/rules"))!.AsArray();
            Assert.Equal(mr.Length, (int)rules.Single()!["pendingCopies"]!);

            var r = await server.Basic("steward", TestArchive.UserPassword).DeleteAsync("/api/projects/up/rules/uploader:uploader");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(mr.Length, (int)JsonNode.Parse(await r.Content.ReadAsStringAsync())!["droppedPending"]!);
            Assert.Empty(await server.Archive.Projects.OutstandingRuleCopiesAsync());
            var audit = (await server.Archive.Audit.ReadAsync(1, 100_000)).Last(a => a.Action == "project.rule");
            Assert.Equal(mr.Length, (int)JsonNode.Parse(audit.DetailsJson!)!["droppedPending"]!);

            Assert.Equal(HttpStatusCode.OK, (await StowAsync(server, "uploader", Demo("ct/"))).StatusCode);
            Assert.Empty(await server.Archive.Projects.OutstandingRuleCopiesAsync());
            Assert.Equal(0, await ProjectInstancesAsync(server));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Instances_whose_copies_cannot_be_queued_are_answered_as_processing_failures_and_a_resend_queues_them()
    {
        var server = await StartAsync(NewServer, NoWorker);
        try
        {
            var db = server.IndexConnectionString is { } pg ? StorageDatabase.PostgreSql(pg) : StorageDatabase.Sqlite(DataFolder.IndexPath(server.DataFolder));
            async Task SqlAsync(string sql)
            {
                await using var c = await db.OpenAsync();
                await c.ExecuteAsync(sql);
            }
            var parts = Demo("mr/").Take(2).ToArray();
            await SqlAsync("ALTER TABLE mira_jobs RENAME TO mira_jobs_away");
            HttpResponseMessage r;
            try
            {
                r = await StowAsync(server, "uploader", parts);
            }
            finally
            {
                await SqlAsync("ALTER TABLE mira_jobs_away RENAME TO mira_jobs");
            }
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            var failed = (await Dicomweb.Json(r))["00081198"]!["Value"]!.AsArray();
            Assert.Equal(2, failed.Count);
            Assert.All(failed, f => Assert.Equal("272", Dicomweb.Value(f, "00081197"))); // 0x0110 Processing failure
            Assert.Contains("not queued", string.Join(" ", r.Headers.GetValues("Warning")));
            Assert.Equal(2, (await server.Archive.Index.FindInstancesAsync(DemoStudies.StudyUid("mr"))).Count); // stored all the same

            r = await StowAsync(server, "uploader", parts);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode); // already stored: success with a warning
            Assert.Equal(2, (await server.Archive.Projects.OutstandingRuleCopiesAsync("up")).Count);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}

public sealed class UploaderRuleTests : UploaderRuleSuite
{
    protected override TestArchive NewServer(JobOptions ruleCopies) => new() { RuleCopies = ruleCopies };

    /// <summary>The real <c>mira serve</c>: an upload by the ruled account is copied; after the rule is removed, no more.</summary>
    [Fact]
    public async Task Mira_serve_copies_uploads_of_a_ruled_account_until_the_rule_is_removed()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-uploader-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data);
            var http = server.Http;
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/projects", new { id = "proc-up", name = "Uploads", recipe = "basic" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/proc-up/members", new { user = "admin" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/proc-up/rules", new { uploader = "admin" })).StatusCode);
            var (study, series) = (Dicomweb.Uid(), Dicomweb.Uid());
            Assert.Equal(HttpStatusCode.OK, (await Dicomweb.Stow(http, "/dicomweb/studies", Dicomweb.Make(study, series, Dicomweb.Uid()), Dicomweb.Make(study, series, Dicomweb.Uid()))).StatusCode);
            async Task<int> CopiedAsync()
            {
                var r = await http.GetAsync("/api/projects/proc-up/dicomweb/instances");
                return r.StatusCode == HttpStatusCode.NoContent ? 0 : JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray().Count;
            }
            await RuleCopyQueueSuite.EventuallyAsync(CopiedAsync, n => n == 2, "the uploads to be copied");

            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/api/projects/proc-up/rules/uploader:admin")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Dicomweb.Stow(http, "/dicomweb/studies", Dicomweb.Make(study, series, Dicomweb.Uid()))).StatusCode);
            var queue = new JobStore(StorageDatabase.Sqlite(DataFolder.IndexPath(data)));
            Assert.Empty(await queue.ListAsync(ProjectService.RuleCopyJobKind, state: JobStates.Queued));
            // A copy is visible in the project before its job is marked done: wait for the job rows, not only the copies.
            await RuleCopyQueueSuite.EventuallyAsync(async () => (await queue.ListAsync(ProjectService.RuleCopyJobKind, state: JobStates.Succeeded)).Count,
                n => n == 2, "both rule copy jobs to be marked succeeded");
            Assert.Empty(await queue.ListAsync(ProjectService.RuleCopyJobKind, state: JobStates.Queued));
            Assert.Equal(2, await CopiedAsync());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    /// <summary>A C-STORE arrival is not an upload: an uploader rule does not copy it (nor does it need a queue row).</summary>
    [Fact]
    public async Task An_uploader_rule_does_not_copy_DIMSE_arrivals()
    {
        await using var a = new Dimse.DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("MODALITY1");
        var steward = a.Basic("steward", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Created, (await steward.PostAsJsonAsync("/api/projects", new { id = "up", name = "Uploads", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync("/api/projects/up/rules", new { uploader = "steward" })).StatusCode);
        var folder = Directory.CreateTempSubdirectory("mira-uploader-dimse-").FullName;
        try
        {
            var files = DemoStudies.Generate().Where(d => d.Name.StartsWith("mr/", StringComparison.Ordinal)).Select(d =>
            {
                var path = Path.Combine(folder, d.Name.Replace('/', '-') + ".dcm");
                File.WriteAllBytes(path, d.Bytes);
                return path;
            }).ToArray();
            Assert.Equal(files.Length, (await ProjectZoneRuleTests.Send(a.DimsePort, "MODALITY1", files)).Succeeded);
            Assert.Empty(await a.Archive.Projects.OutstandingRuleCopiesAsync());
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}

public sealed class PostgreSqlUploaderRuleTests : UploaderRuleSuite
{
    protected override TestArchive NewServer(JobOptions ruleCopies) => new PostgresTestArchive { RuleCopies = ruleCopies };
}
