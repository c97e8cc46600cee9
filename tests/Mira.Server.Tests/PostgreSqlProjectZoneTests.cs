using Dapper;
using Mira.Storage;
using Mira.Storage.Projects;
using Npgsql;

namespace Mira.Server.Tests;

/// <summary>
/// Research zones with the intake index on PostgreSQL: the same behaviour as on SQLite (<see cref="ProjectZoneSuite"/>),
/// and each project's rows in its own schema of the intake database, not in the intake's tables nor on the node's disk.
/// </summary>
public sealed class PostgreSqlProjectZoneTests(PostgreSqlProjectZoneArchive server) : ProjectZoneSuite(server), IClassFixture<PostgreSqlProjectZoneArchive>
{
    async Task<List<string>> SopsAsync(string table)
    {
        await using var c = new NpgsqlConnection(Server.IndexConnectionString);
        return [.. await c.QueryAsync<string>($"SELECT sop_instance_uid FROM {table}")];
    }

    [Fact]
    public async Task Copied_studies_are_rows_of_each_projects_own_schema_and_not_of_the_intake_tables()
    {
        await CreateProjectAsync("pg-one");
        await CreateProjectAsync("pg-two");
        await CopyAsync("pg-one", Study);
        await CopyAsync("pg-two", Study);

        var one = await SopsAsync("mira_project_pg_one.instances");
        var two = await SopsAsync("mira_project_pg_two.instances");
        var intake = await SopsAsync("public.instances");
        Assert.Equal(DemoStudies.MrSlices, one.Count);
        Assert.Equal(DemoStudies.MrSlices, two.Count);
        Assert.Empty(one.Intersect(two));
        Assert.Empty(one.Intersect(intake));
        Assert.Empty(two.Intersect(intake));
        Assert.Equal(DemoStudies.InstanceCount, intake.Count);

        // What a member retrieves is what the project's schema holds.
        var served = (await ProjectQidoAsync(Annotator, "pg-one", "instances")).Select(i => Dicomweb.Value(i, "00080018")!);
        Assert.Equal(one.Order(), served.Order());
        var folder = ProjectArchives.FolderOf(Server.DataFolder, "pg-one");
        Assert.False(File.Exists(DataFolder.IndexPath(folder)));
        Assert.NotEmpty(Directory.EnumerateFiles(DataFolder.BlobRoot(folder), "*", SearchOption.AllDirectories));
    }
}
