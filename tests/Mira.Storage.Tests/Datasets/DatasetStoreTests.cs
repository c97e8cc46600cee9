using Mira.Storage.Datasets;
using Mira.Storage.Migrations;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Datasets;

/// <summary>The release tables (<c>mira_dataset_releases</c>, <c>mira_dataset_members</c>) on SQLite and PostgreSQL.</summary>
public abstract class DatasetStoreTests : SecurityTestBase
{
    static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    async Task<DatasetStore> OpenAsync()
    {
        await MigrationRunner.ApplyAsync(Db, MigrationCatalog.Intake);
        return new DatasetStore(Db);
    }

    static DatasetReleaseRecord Release(string id, string name, int version, string kind, string project = "p1", int members = 2) =>
        new(id, project, name, version, kind, null, "{\"seed\":0}", "{\"version\":" + version + "}", members, "steward", T0);

    static DatasetMemberRecord Member(string release, int i, string patient, string split, string study = "1.2.1", string? annotation = null) =>
        new(release, i, $"case-{i + 1:0000}", study, $"1.2.{release.Length}.{i}", patient, split, "{\"sex\":\"F\"}", new string('a', 63) + i, new string('b', 64), annotation);

    [Fact]
    public async Task A_release_and_its_members_are_stored_once_and_read_back_in_order()
    {
        var store = await OpenAsync();
        var r = Release(new string('1', 64), "lung", 1, "training");
        Assert.True(await store.AddAsync(r, [Member(r.Id, 1, "P2", "test"), Member(r.Id, 0, "P1", "train", annotation: "{\"Task\":3}")]));
        Assert.False(await store.AddAsync(r, [Member(r.Id, 0, "P1", "train")]));                             // the same id
        Assert.False(await store.AddAsync(r with { Id = new string('2', 64) }, [Member(new string('2', 64), 0, "P1", "train")])); // the same name and version
        Assert.Equal(r, await store.GetAsync(r.Id));
        var members = await store.MembersAsync(r.Id);
        Assert.Equal(["case-0001", "case-0002"], members.Select(m => m.CaseId));
        Assert.Equal("{\"Task\":3}", members[0].AnnotationJson);
        Assert.Null(members[1].AnnotationJson);
        Assert.Empty(await store.MembersAsync(new string('2', 64)));
    }

    [Fact]
    public async Task Versions_are_listed_by_name_and_the_latest_is_found()
    {
        var store = await OpenAsync();
        foreach (var (id, v) in new[] { ('a', 1), ('b', 2) })
            Assert.True(await store.AddAsync(Release(new string(id, 64), "vault", v, "sequestered", members: 1), [Member(new string(id, 64), 0, "P9", "test", "1.2.9")]));
        Assert.True(await store.AddAsync(Release(new string('c', 64), "other", 1, "training", project: "p2"), []));
        Assert.Equal([1, 2], (await store.ListAsync("p1")).Select(r => r.Version));
        Assert.Equal(2, (await store.LatestAsync("p1", "vault"))!.Version);
        Assert.Null(await store.LatestAsync("p1", "other"));
        var facts = await store.ProjectMembersAsync("p1");
        Assert.Equal(2, facts.Count);
        Assert.All(facts, f => Assert.Equal(("vault", "sequestered", "P9"), (f.ReleaseName, f.Kind, f.Patient)));
        var (studies, series) = await store.CasesOfKindAsync("p1", ["sequestered"]);
        Assert.Equal(["1.2.9"], studies);
        Assert.Equal(["1.2.64.0"], series); // both versions hold the same series
        Assert.Empty((await store.CasesOfKindAsync("p1", ["training"])).Studies);
        Assert.Empty((await store.CasesOfKindAsync("p2", ["sequestered"])).Series);
    }
}

public sealed class DatasetStoreSqliteTests : DatasetStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class DatasetStorePostgresTests(PostgresServer server) : DatasetStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
