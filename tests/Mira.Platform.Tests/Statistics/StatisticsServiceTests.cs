using Mira.Deid;
using Mira.Platform.Audit;
using Mira.Platform.Demo;
using Mira.Platform.Statistics;
using Mira.Storage.Projects;
using Mira.Storage.Query;

namespace Mira.Platform.Tests.Statistics;

/// <summary>The statistics service on a platform holding the demo studies (SQLite in a temporary data folder).</summary>
public sealed class StatisticsServiceTests : StatisticsServiceSuite;

/// <summary>The same with the intake index, and so every project's index, on PostgreSQL.</summary>
[Collection(PostgresServer.CollectionName)]
public sealed class PostgreSqlStatisticsServiceTests(PostgresServer server) : StatisticsServiceSuite
{
    protected override async Task<string?> ConnectionStringAsync() => await server.CreateDatabaseConnectionStringAsync();
}

public abstract class StatisticsServiceSuite : IAsyncLifetime
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-statistics-").FullName;
    MiraPlatform platform = null!;

    protected virtual Task<string?> ConnectionStringAsync() => Task.FromResult<string?>(null);

    public async Task InitializeAsync()
    {
        platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, ConnectionString = await ConnectionStringAsync(), Console = TextWriter.Null });
        await platform.LoadDemoAsync();
    }

    public async Task DisposeAsync()
    {
        await platform.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    async Task<Project> CreateAsync(string id, DeidRecipe recipe, string? domain = null)
    {
        Assert.True(await platform.Projects.Store.CreateAsync(id, "Project " + id, recipe.Name, recipe.ToJson(), recipe.Hash, new byte[32], domain));
        return (await platform.Projects.Store.GetAsync(id))!;
    }

    [Fact]
    public async Task Intake_statistics_count_every_demo_series_once_and_each_study_under_its_modality_site_route_and_month()
    {
        var s = await platform.Statistics.IntakeAsync();
        Assert.Equal(new Breakdown("all", 3, DemoStudies.StudyCount, DemoStudies.SeriesCount, DemoStudies.InstanceCount), s.Totals);
        // The PET-CT study counts under CT and PT: its CT series (PetCtSlices) joins the CT study's 24 slices.
        Assert.Equal([("CT", 2L, 24L + DemoStudies.PetCtSlices), ("MR", 1L, 16L), ("PT", 1L, 16L)], s.ByModality.Select(b => (b.Key, b.Studies, b.Instances)));
        Assert.Equal([new Breakdown("Mira Demo Hospital", 3, 3, DemoStudies.SeriesCount, DemoStudies.InstanceCount)], s.BySite);
        Assert.Equal([new Breakdown("demo", 3, 3, DemoStudies.SeriesCount, DemoStudies.InstanceCount)], s.BySource);
        var dates = (await platform.Index.QueryStudiesAsync(new QidoQuery())).Select(d => d.GetString(Mira.Dicom.DicomTags.StudyDate)!).ToList();
        Assert.Equal(dates.GroupBy(d => $"{d[..4]}-{d[4..6]}").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Count())),
            s.ByMonth.Select(b => (b.Key, b.Studies)));
        Assert.Empty(s.Projects);
        Assert.Empty(s.ByDomain);
    }

    [Fact]
    public async Task A_projects_copy_its_domain_and_no_annotation_tasks_are_reported()
    {
        var p = await CreateAsync("glioma", DeidRecipe.Research, "glioma-brats");
        await CreateAsync("empty", DeidRecipe.Basic);
        var copy = await platform.Projects.CopyStudiesAsync(p, [DemoStudies.StudyUid("mr")], "steward");
        Assert.Equal(DemoStudies.MrSlices, copy.Copied);

        var s = await platform.Statistics.IntakeAsync();
        Assert.Equal(
            [new ProjectProgress("empty", "Project empty", null, 0, 0, 0, 0, 0, 0), new ProjectProgress("glioma", "Project glioma", "glioma-brats", 1, 1, 1, DemoStudies.MrSlices, 0, 0)],
            s.Projects);
        Assert.Equal([new DomainBreakdown("glioma-brats", 1, 1, 1, DemoStudies.MrSlices), new DomainBreakdown("none", 1, 0, 0, 0)], s.ByDomain);
    }

    [Fact]
    public async Task Unknown_domains_are_refused_by_the_store()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => platform.Projects.Store.CreateAsync("x", "x", "basic", "{}", "h", new byte[32], "cardiology"));
        Assert.Contains("'cardiology' is not a disease domain", e.Message);
        Assert.Null(await platform.Projects.Store.GetAsync("x"));
    }

    [Fact]
    public async Task Aggregate_queries_read_de_identified_projects_only_suppress_small_cells_and_are_audited()
    {
        var research = await CreateAsync("research", DeidRecipe.Research);
        var keeps = DeidRecipe.FromJson("""{"name":"identified","version":"1","overrides":[{"tag":"(0010,0010)","action":"K"}]}""");
        var identified = await CreateAsync("identified", keeps);
        var copied = await platform.Projects.CopyStudiesAsync(research, [DemoStudies.StudyUid("ct"), DemoStudies.StudyUid("mr"), DemoStudies.StudyUid("pt")], "steward");
        Assert.True(DemoStudies.InstanceCount == copied.Copied, string.Join("; ", copied.Reasons.Take(3)));
        await platform.Projects.CopyStudiesAsync(identified, [DemoStudies.StudyUid("ct")], "steward");

        var r = await platform.Statistics.AggregateAsync(["modality", "sex"], null, "regulator", "192.0.2.7");
        Assert.Equal(["research"], r.Projects);
        Assert.Equal("identified", Assert.Single(r.Excluded).Id);
        Assert.Contains("keeps direct identifiers", r.Excluded[0].Reason);
        Assert.Equal(3, r.Total);
        Assert.Equal("<5", r.ReportedTotal);
        // Each study in one cell: the PET-CT study's modality is its series' joined (CT+PT).
        Assert.Equal(["CT/F", "CT+PT/F", "MR/M"], r.Cells.Select(c => string.Join("/", c.Key)));
        Assert.All(r.Cells, c => Assert.Equal("<5", c.Reported));
        Assert.All(r.Marginals, m => Assert.Equal("<5", m.Reported));

        var refused = await Assert.ThrowsAsync<AggregateQueryException>(() => platform.Statistics.AggregateAsync(["sex"], ["identified"], "regulator", null));
        Assert.Contains("project 'identified' is not de-identified", refused.Message);
        await Assert.ThrowsAsync<AggregateQueryException>(() => platform.Statistics.AggregateAsync(["sex"], ["nowhere"], "regulator", null));

        var audit = (await platform.Audit.ReadAsync()).Where(a => a.Action == AuditActions.StatisticsQuery).ToList();
        Assert.Equal(3, audit.Count);
        Assert.Equal(("regulator", "by=modality,sex projects=research", "192.0.2.7", "success"), (audit[0].Actor, audit[0].Resource, audit[0].ClientAddress, audit[0].Outcome));
        Assert.Contains("\"excluded\":[\"identified\"]", audit[0].DetailsJson);
        Assert.Equal(("by=sex projects=identified", "failure"), (audit[1].Resource, audit[1].Outcome));
        Assert.Equal(("by=sex projects=nowhere", "failure"), (audit[2].Resource, audit[2].Outcome));
    }
}
