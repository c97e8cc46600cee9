using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dapper;
using Mira.Storage;
using Mira.Storage.Projects;
using Npgsql;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// A real <c>mira serve --db &lt;PostgreSQL&gt;</c> process: a study stored over STOW-RS is copied into a project,
/// indexed in the project's own schema and served from there.
/// </summary>
public sealed class PostgreSqlProjectServeProcessTests(Mira.Storage.Tests.PostgresServer postgres) : IClassFixture<Mira.Storage.Tests.PostgresServer>
{
    [Fact]
    public async Task Mira_serve_on_postgresql_copies_a_study_into_a_project_and_serves_it_from_the_projects_schema()
    {
        var connectionString = await postgres.CreateDatabaseConnectionStringAsync();
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-pg-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, "--db", connectionString);
            var http = server.Http;
            var (study, series) = (Uid(), Uid());
            string[] originals = [Uid(), Uid()];
            foreach (var sop in originals)
                Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/dicomweb/studies", Multipart(Make(study, series, sop)))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/projects", new { id = "proc-pg", name = "Process", recipe = "basic" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/proc-pg/members", new { user = "admin" })).StatusCode);
            var copied = await http.PostAsJsonAsync("/api/projects/proc-pg/copy", new { studies = new[] { study } });
            Assert.Equal(HttpStatusCode.OK, copied.StatusCode);
            var copy = System.Text.Json.Nodes.JsonNode.Parse(await copied.Content.ReadAsStringAsync())!;
            Assert.Equal(originals.Length, (int)copy["copied"]!);

            var found = (await Json(await http.GetAsync("/api/projects/proc-pg/dicomweb/instances"))).AsArray();
            var served = found.Select(i => Value(i, "00080018")!).ToList();
            Assert.Equal(originals.Length, served.Count);
            Assert.Empty(served.Intersect(originals));
            var first = found[0];
            var parts = await ReadParts(await http.GetAsync(
                $"/api/projects/proc-pg/dicomweb/studies/{Value(first, "0020000D")}/series/{Value(first, "0020000E")}/instances/{served[0]}"));
            Assert.Contains(served[0], Encoding.ASCII.GetString(Assert.Single(parts)));

            await using var c = new NpgsqlConnection(connectionString);
            Assert.Equal(served.Order(), (await c.QueryAsync<string>("SELECT sop_instance_uid FROM mira_project_proc_pg.instances")).Order());
            Assert.Equal(originals.Order(), (await c.QueryAsync<string>("SELECT sop_instance_uid FROM public.instances")).Order());
            Assert.False(File.Exists(DataFolder.IndexPath(data)));
            Assert.False(File.Exists(DataFolder.IndexPath(ProjectArchives.FolderOf(data, "proc-pg"))));
            Assert.NotEmpty(Directory.EnumerateFiles(DataFolder.BlobRoot(ProjectArchives.FolderOf(data, "proc-pg")), "*", SearchOption.AllDirectories));
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }
}
