using Mira.Storage.Annotations;
using Mira.Storage.Migrations;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Annotations;

/// <summary>The annotation tables (<c>mira_annotation_*</c>, <c>mira_protocol_versions</c>…) on SQLite and PostgreSQL.</summary>
public abstract class AnnotationStoreTests : SecurityTestBase
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    async Task<AnnotationStore> OpenAsync()
    {
        await MigrationRunner.ApplyAsync(Db, MigrationCatalog.Intake);
        return new AnnotationStore(Db);
    }

    static NewAnnotationTask NewTask(string study = "1.2.3", bool gold = false, DateTimeOffset? due = null) =>
        new("p1", study, "1.2.3.4", null, "glioma-brats", 1, "open", "b1", due, gold, true, "steward");

    static (string, string)[] People => [("alice", "annotator"), ("bob", "annotator"), ("carol", "reviewer"), ("dave", "arbitrator")];

    static AnnotationVersionRecord Version(long task, string author, string role = "annotator") =>
        new(task, 0, author, role, "glioma-brats", 1, "api-nifti", "masks", T0, $"annotations/task-{task}/{author}.msk.gz", ["1.2.9." + author.Length, "1.2.10"]);

    [Fact]
    public async Task Protocol_versions_are_kept_apart_and_the_latest_is_found()
    {
        var store = await OpenAsync();
        Assert.True(await store.AddProtocolVersionAsync(new("custom-a", 1, "aa", "{}", "{}", false, "steward", T0)));
        Assert.False(await store.AddProtocolVersionAsync(new("custom-a", 1, "bb", "{}", "{}", false, "steward", T0)));
        Assert.True(await store.AddProtocolVersionAsync(new("custom-a", 2, "cc", "{\"x\":1}", "{}", false, "steward", T0)));
        Assert.Equal(("cc", 2), ((await store.GetProtocolVersionAsync("custom-a"))!.Sha256, (await store.GetProtocolVersionAsync("custom-a"))!.Version));
        Assert.Equal("aa", (await store.GetProtocolVersionAsync("custom-a", 1))!.Sha256);
        Assert.Null(await store.GetProtocolVersionAsync("custom-a", 3));
        await store.AttachProtocolAsync(new("p1", "custom-a", 1, "steward", T0));
        await store.AttachProtocolAsync(new("p1", "custom-a", 2, "steward", T0));
        Assert.Equal(2, Assert.Single(await store.ListProjectProtocolsAsync("p1")).Version);
    }

    [Fact]
    public async Task One_person_cannot_hold_two_roles_on_one_task_even_below_the_platform()
    {
        var store = await OpenAsync();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            store.CreateTasksAsync([(NewTask(), [("alice", "annotator"), ("alice", "reviewer")])], T0));
        Assert.Empty(await store.ListTasksAsync("p1"));
    }

    [Fact]
    public async Task Tasks_keep_their_people_and_queues_sort_by_due_date()
    {
        var store = await OpenAsync();
        var ids = await store.CreateTasksAsync([(NewTask("1.1", due: T0.AddDays(3)), People), (NewTask("1.2", gold: true, due: T0.AddDays(1)), People), (NewTask("1.3"), People)], T0);
        Assert.Equal(3, ids.Distinct().Count());
        var t = (await store.GetTaskAsync(ids[1]))!;
        Assert.Equal(("1.2", true, true, T0.AddDays(1), "open"), (t.StudyUid, t.Gold, t.Qc, t.Due, t.State));
        Assert.Equal(["alice", "bob", "carol", "dave"], (await store.AssignmentsAsync(ids[0])).Select(a => a.User).Order());
        var queue = await store.TasksOfAsync("carol");
        Assert.Equal([ids[1], ids[0], ids[2]], queue.Select(q => q.Task.Id));
        Assert.All(queue, q => Assert.Equal("reviewer", q.Role));
        Assert.Empty(await store.TasksOfAsync("erin"));
    }

    [Fact]
    public async Task Versions_are_numbered_in_order_and_move_the_task_only_from_the_state_read_before()
    {
        var store = await OpenAsync();
        var id = (await store.CreateTasksAsync([(NewTask(), People)], T0))[0];
        Assert.Equal([1], await store.AddVersionsAsync(id, [Version(id, "alice")], "open", "open", null, null, T0));
        Assert.Equal([2, 3], await store.AddVersionsAsync(id, [Version(id, "bob"), Version(id, "mira", "consensus")], "open", "review", "{\"dice\":0.8}", null, T0));
        Assert.Null(await store.AddVersionsAsync(id, [Version(id, "alice")], "open", "open", null, null, T0));
        var versions = await store.VersionsAsync(id);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Number));
        Assert.Equal(["1.2.9.5", "1.2.10"], versions[0].SopInstanceUids);
        Assert.Equal(("review", "{\"dice\":0.8}"), ((await store.GetTaskAsync(id))!.State, (await store.GetTaskAsync(id))!.AgreementJson));
        Assert.False(await store.TransitionAsync(id, "arbitration", "done", null, null, T0));
        Assert.True(await store.TransitionAsync(id, "review", "open", null, "redo the oedema", T0, restartReads: true));
        var back = (await store.GetTaskAsync(id))!;
        Assert.Equal(("open", "redo the oedema", 3, (string?)null), (back.State, back.Comment, back.ReadsAfter, back.AgreementJson));
    }

    [Fact]
    public async Task Annotator_records_are_replaced_whole_and_listed_by_name()
    {
        var store = await OpenAsync();
        await store.SetAnnotatorAsync(new("bob", "{\"title\":\"resident\"}", "steward", T0));
        await store.SetAnnotatorAsync(new("alice", "{\"title\":\"attending\"}", "steward", T0));
        await store.SetAnnotatorAsync(new("bob", "{\"title\":\"fellow\"}", "admin", T0.AddDays(1)));
        var all = await store.ListAnnotatorsAsync();
        Assert.Equal(["alice", "bob"], all.Select(a => a.User));
        Assert.Equal(("{\"title\":\"fellow\"}", "admin"), (all[1].ProfileJson, all[1].UpdatedBy));
        Assert.Equal(["bob"], (await store.ListAnnotatorsAsync(["bob", "zoe"])).Select(a => a.User));
    }
}

public sealed class AnnotationStoreSqliteTests : AnnotationStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class AnnotationStorePostgresTests(PostgresServer server) : AnnotationStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
