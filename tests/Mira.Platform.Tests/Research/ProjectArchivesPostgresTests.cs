using Dapper;
using Mira.Storage.Projects;
using Npgsql;

namespace Mira.Platform.Tests.Research;

/// <summary>
/// With a PostgreSQL intake index every project's index is its own schema (<see cref="ProjectSchema"/>) in the same
/// database: the rows are there, not in the intake's tables nor on the node's disk, and pooled connections keep to
/// their own schema.
/// </summary>
[Collection(PostgresServer.CollectionName)]
public sealed class ProjectArchivesPostgresTests(PostgresServer server) : ProjectArchivesTests
{
    protected override Task<StorageDatabase> CreateIntakeDatabaseAsync() => server.CreateDatabaseAsync();

    async Task<T> IntakeScalarAsync<T>(string sql, object? args = null)
    {
        await using var c = await IntakeDb.OpenAsync();
        return (await c.ExecuteScalarAsync<T>(sql, args))!;
    }

    async Task<List<string>> TablesOfAsync(string schema)
    {
        await using var c = await IntakeDb.OpenAsync();
        return [.. await c.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = @schema ORDER BY table_name", new { schema })];
    }

    [Fact]
    public async Task A_project_index_is_in_its_own_schema_with_the_intake_index_tables_and_not_on_disk()
    {
        var p = await Archives.GetAsync("lung-2026");
        var sop = await StoreAsync(p.Ingest, "PSEUDO-L");
        await StoreInIntakeAsync("INTAKE-L");

        Assert.Equal("mira_project_lung_2026", ProjectSchema.NameOf("lung-2026"));
        Assert.Equal(["instances", "mira_schema_migrations", "patients", "series", "studies"], await TablesOfAsync("mira_project_lung_2026"));
        Assert.Equal(sop, await IntakeScalarAsync<string>("SELECT sop_instance_uid FROM mira_project_lung_2026.instances"));
        Assert.Equal(0L, await IntakeScalarAsync<long>("SELECT COUNT(*) FROM public.instances WHERE sop_instance_uid = @sop", new { sop }));
        Assert.Equal(1L, await IntakeScalarAsync<long>("SELECT COUNT(*) FROM public.instances"));
        Assert.Equal(StorageProvider.PostgreSql, p.Index.Database.Provider);
        Assert.False(File.Exists(DataFolder.IndexPath(ProjectArchives.FolderOf(Folder, "lung-2026"))));
        Assert.True(Directory.Exists(DataFolder.BlobRoot(ProjectArchives.FolderOf(Folder, "lung-2026"))));
    }

    [Fact]
    public async Task Another_node_with_its_own_data_folder_sees_the_same_project_index()
    {
        var sop = await StoreAsync((await Archives.GetAsync("shared")).Ingest, "PSEUDO-S");
        var otherFolder = Directory.CreateTempSubdirectory("mira-projects-node2-").FullName;
        try
        {
            var onOtherNode = await new ProjectArchives(otherFolder, IntakeDb).GetAsync("shared");
            Assert.NotNull(await onOtherNode.Index.FindInstanceAsync(sop));
        }
        finally
        {
            Directory.Delete(otherFolder, recursive: true);
        }
    }

    [Fact]
    public async Task Pooled_connections_never_carry_a_search_path_between_the_intake_and_projects()
    {
        var a = (await Archives.GetAsync("pool-a")).Index.Database;
        var b = (await Archives.GetAsync("pool-b")).Index.Database;
        async Task<string> CurrentSchemaAsync(StorageDatabase db, string? sabotage = null)
        {
            await using var c = await db.OpenAsync();
            var schema = await c.ExecuteScalarAsync<string>("SELECT current_schema()");
            // A statement that changes the session's search path must not outlive the connection's checkout.
            if (sabotage is not null) await c.ExecuteAsync($"SET search_path TO {sabotage}");
            return schema!;
        }
        for (var round = 0; round < 20; round++)
        {
            var checks = new List<Task<(string Expected, string Actual)>>();
            foreach (var (db, expected, other) in new[] { (IntakeDb, "public", "mira_project_pool_a"), (a, "mira_project_pool_a", "public"), (b, "mira_project_pool_b", "mira_project_pool_a") })
                for (var i = 0; i < 4; i++)
                    checks.Add(Task.Run(async () => (expected, await CurrentSchemaAsync(db, i % 2 == 0 ? other : null))));
            foreach (var (expected, actual) in await Task.WhenAll(checks)) Assert.Equal(expected, actual);
        }
        // Unqualified names resolve to the connection's own schema only: a project connection cannot reach the intake tables.
        await using var project = await a.OpenAsync();
        await Assert.ThrowsAsync<PostgresException>(() => project.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mira_projects"));
    }

    [Fact]
    public async Task Projects_with_long_ids_get_distinct_schemas()
    {
        var one = new string('x', 60) + "-01";
        var two = new string('x', 60) + "-02";
        var sopOne = await StoreAsync((await Archives.GetAsync(one)).Ingest, "PSEUDO-1");
        var sopTwo = await StoreAsync((await Archives.GetAsync(two)).Ingest, "PSEUDO-2");
        Assert.Equal(sopOne, await IntakeScalarAsync<string>($"SELECT sop_instance_uid FROM {ProjectSchema.Quote(ProjectSchema.NameOf(one))}.instances"));
        Assert.Equal(sopTwo, await IntakeScalarAsync<string>($"SELECT sop_instance_uid FROM {ProjectSchema.Quote(ProjectSchema.NameOf(two))}.instances"));
    }
}
