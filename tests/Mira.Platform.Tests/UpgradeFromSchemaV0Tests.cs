using Dapper;
using Microsoft.Data.Sqlite;
using Mira.Storage.Blobs;
using Mira.Storage.Jobs;
using Mira.Storage.Migrations;
using Mira.Storage.Verify;
using Mira.Testing;
using Npgsql;

namespace Mira.Platform.Tests;

/// <summary>
/// A data folder and database made by the code before the one migrations runner (commit 24aeb63; the dumps and what
/// is in them: <c>Fixtures/schema-v0/README.md</c>) open under the new code with nothing lost: every instance (index and
/// blob), account, password, token, the audit chain, the AE table, the project with its members, rules, vault and
/// research index, and the queued rule copies, which become jobs with their attempts and errors.
/// </summary>
public abstract class UpgradeFromSchemaV0Tests : IAsyncLifetime
{
    protected static string FixtureFolder => Path.Combine(Corpus.RepositoryRoot, "tests", "Mira.Platform.Tests", "Fixtures", "schema-v0");

    static readonly (string Corpus, string Key, string Sop)[] Blobs =
    [
        ("dicom/dicomdir/77654033/CT2/17106", "59/cf/59cf4ecf2c07c8a96927cd787624ceb7a5826716296f3bc6bb705c410ffd4eb7.678df720411e86df.dcm",
            "1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.93"),
        ("dicom/dicomdir/77654033/CT2/17136", "b0/a5/b0a58b06fcc8f288da7d2e71b8ab1118d1a2711d43fa683a40cc9c093927e2d5.5b2d0734bfd387e9.dcm",
            "1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.94"),
        ("dicom/dicomdir/98892003/MR1/5641", "5b/b0/5bb0b866ffc811ffc97a485a83ab648596ff6d917c7e04dd6eb5077a9a4165f2.fb809e867ae98a1c.dcm",
            "1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.16"),
    ];

    const string ProjectSop = "2.25.36455996430054601587985914868783113454";

    protected readonly string Folder = Path.Combine(Path.GetTempPath(), "mira-upgrade-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>Loads the old database; returns the connection string for the platform (null: SQLite in the folder).</summary>
    protected abstract Task<string?> LoadOldDatabaseAsync();

    /// <summary>The valid token of alice in this provider's dump (the two dumps were made by two runs).</summary>
    protected abstract string AliceToken { get; }

    public async Task InitializeAsync()
    {
        foreach (var (corpus, key, _) in Blobs)
        {
            var target = Path.Combine(Folder, "blobs", key);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Corpus.Get(corpus).FullPath, target);
        }
        connectionString = await LoadOldDatabaseAsync();
    }

    string? connectionString;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    Task<MiraPlatform> OpenAsync(TextWriter? console = null) => MiraPlatform.OpenAsync(new PlatformOptions
    {
        DataFolder = Folder, ConnectionString = connectionString, Security = new() { Pbkdf2Iterations = 1000 }, Console = console ?? TextWriter.Null,
    });

    [Fact]
    public async Task The_old_archive_opens_with_nothing_lost()
    {
        var messages = new StringWriter();
        await using var platform = await OpenAsync(messages);
        Assert.Contains($"upgraded the database from version 1 to {MigrationCatalog.Intake.LatestVersion}", messages.ToString());

        // Archive: every instance indexed, its blob where the index says, the whole archive consistent.
        foreach (var (_, key, sop) in Blobs)
            Assert.Equal(key, (await platform.Index.FindInstanceAsync(sop))!.BlobKey);
        var report = await new ArchiveVerifier(platform.Index, platform.Blobs).VerifyAsync();
        Assert.True(report.IsConsistent, string.Join("; ", report.Problems.Select(p => p.Detail)));
        Assert.Equal(3, report.Instances);

        // Security: passwords, roles, the disabled account, tokens, the audit chain (and it goes on from its head).
        Assert.Equal(["admin"], (await platform.Accounts.VerifyPasswordAsync("admin", "admin-fixture-pw"))!.Roles);
        Assert.Equal(["annotator", "developer"], (await platform.Accounts.VerifyPasswordAsync("alice", "alice-fixture-pw"))!.Roles);
        Assert.Null(await platform.Accounts.VerifyPasswordAsync("bob", "bob-fixture-pw"));
        Assert.True((await platform.Accounts.GetAsync("bob"))!.Disabled);
        Assert.Equal("alice", (await platform.Tokens.ValidateAsync(AliceToken))!.Name);
        Assert.Equal(2, (await platform.Tokens.ListAsync()).Count);
        var audit = await platform.Audit.VerifyAsync();
        Assert.Null(audit.FirstBreak);
        Assert.Equal(9, audit.RecordsChecked);
        await platform.Audit.AppendAsync(new Mira.Storage.Security.AuditEntry("test", "test.after-upgrade"));
        Assert.Null((await platform.Audit.VerifyAsync()).FirstBreak);

        // DIMSE peers.
        var ae = Assert.Single(await platform.ApplicationEntities.ListAsync());
        Assert.Equal(("MODALITY1", "10.0.0.5", 104, DimsePermissions.Echo | DimsePermissions.Store | DimsePermissions.Find), (ae.AETitle, ae.Host, ae.Port, ae.Allow));

        // Research zone: the project, its member, rules, vault and research index.
        var project = (await platform.Projects.Store.GetAsync("study-a"))!;
        Assert.Equal(("Study A", "basic"), (project.Name, project.RecipeName));
        Assert.Equal("lead", await platform.Projects.Store.GetMemberRoleAsync("study-a", "alice"));
        Assert.Equal(["ae:MODALITY1", "uploader:alice"], (await platform.Projects.Store.ListRulesAsync("study-a")).Select(r => r.Id).Order());
        var research = await platform.Projects.Archives.GetAsync("study-a");
        Assert.NotNull(await research.Index.FindInstanceAsync(ProjectSop));

        // The queued rule copies are jobs now, with their attempts, errors and due times.
        var jobs = await platform.Projects.Jobs.ListAsync(ProjectService.RuleCopyJobKind, "study-a");
        Assert.Equal(2, jobs.Count);
        var pending = jobs.Single(j => j.Origin == "ae:MODALITY1");
        Assert.Equal((JobStates.Queued, Blobs[1].Sop, 0), (pending.State, pending.Subject, pending.Attempts));
        var failed = jobs.Single(j => j.Origin == "uploader:alice");
        Assert.Equal((JobStates.Failed, Blobs[2].Sop, 2, "fixture: the intake blob could not be read"), (failed.State, failed.Subject, failed.Attempts, failed.LastError));
        // A resend of the failed copy's instance revives its job instead of adding one (same key as new copies).
        Assert.Equal(1, await platform.Projects.QueueRuleCopiesAsync(null, "alice", [Blobs[2].Sop]));
        Assert.Equal(2, (await platform.Projects.Jobs.ListAsync(ProjectService.RuleCopyJobKind, "study-a")).Count);

        // The history: the index step adopted, the others applied; the old queue table gone.
        var history = await MigrationRunner.HistoryAsync(platform.Database);
        Assert.Equal(MigrationCatalog.Intake.Steps.Select(s => s.Version), history.Select(h => h.Version));
        Assert.Contains("adopted", history[0].Name);
        await using var c = await platform.Database.OpenAsync();
        Assert.False(await MigrationRunner.TableExistsAsync(c, null, "mira_project_rule_copies", default));
    }

    [Fact]
    public async Task Opening_again_applies_nothing_and_changes_nothing()
    {
        await (await OpenAsync()).DisposeAsync();
        var messages = new StringWriter();
        await using var platform = await OpenAsync(messages);
        Assert.DoesNotContain("upgraded", messages.ToString());
        Assert.Equal(2, (await platform.Projects.Jobs.ListAsync(ProjectService.RuleCopyJobKind)).Count);
        Assert.Equal(MigrationCatalog.Intake.Steps.Count, (await MigrationRunner.HistoryAsync(platform.Database)).Count);
    }

    [Fact]
    public async Task A_queued_rule_copy_runs_as_a_job_and_leaves_a_run_record_and_lineage()
    {
        await using var platform = await OpenAsync();
        using var stop = new CancellationTokenSource();
        var running = platform.CreateJobWorker().RunAsync(stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Job job;
        do
        {
            job = (await platform.Projects.Jobs.ListAsync(ProjectService.RuleCopyJobKind, "study-a")).Single(j => j.Origin == "ae:MODALITY1");
            if (job.State == JobStates.Succeeded) break;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        await stop.CancelAsync();
        await running;
        Assert.Equal(JobStates.Succeeded, job.State);
        Assert.Contains("copied 1", await platform.Jobs.Store.GetLogAsync(job.Id));

        var run = Mira.Deid.DeidRunRecord.FromJson(Assert.Single(await platform.Projects.Runs.ListAsync("study-a")).RecordJson);
        var file = Assert.Single(run.Files);
        Assert.Equal((Blobs[1].Sop, Mira.Deid.DeidFileStatus.Deidentified), (file.OriginalSopInstanceUid, file.Status));
        var research = await platform.Projects.Archives.GetAsync("study-a");
        Assert.NotNull(await research.Index.FindInstanceAsync(file.SopInstanceUid!));
        var edge = Assert.Single(await platform.Projects.Runs.InputsOfAsync($"project:study-a/sop:{file.SopInstanceUid}"));
        Assert.Equal(($"intake/sop:{Blobs[1].Sop}", $"deid-run:{run.RunId}"), (edge.Input, edge.Activity));
    }
}

public sealed class UpgradeFromSchemaV0SqliteTests : UpgradeFromSchemaV0Tests
{
    protected override string AliceToken => "mira_Gz9hQyxL5zkErpIp821cwd12Lj9_t8Jtc_fr_u0xL4g";

    protected override Task<string?> LoadOldDatabaseAsync()
    {
        Load(Path.Combine(Folder, "index.db"), "sqlite.sql");
        var project = Path.Combine(Folder, "projects", "study-a");
        Directory.CreateDirectory(project);
        Load(Path.Combine(project, "index.db"), "sqlite-project-study-a.sql");
        return Task.FromResult<string?>(null);
    }

    static void Load(string path, string dump)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        c.Execute(File.ReadAllText(Path.Combine(FixtureFolder, dump)));
    }
}

[Collection(PostgresServer.CollectionName)]
public sealed class UpgradeFromSchemaV0PostgresTests(PostgresServer server) : UpgradeFromSchemaV0Tests
{
    protected override string AliceToken => "mira_3tE-ef-c-XcVwQ-_vc5D9PIFFatG92MD1NBwRM8YxY4";

    protected override async Task<string?> LoadOldDatabaseAsync()
    {
        var cs = await server.CreateDatabaseConnectionStringAsync();
        await using (var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ToString()))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(FixtureFolder, "postgres.sql")), c);
            await cmd.ExecuteNonQueryAsync();
        }
        return cs;
    }
}
