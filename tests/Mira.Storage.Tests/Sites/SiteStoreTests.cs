using Mira.Storage.Migrations;
using Mira.Storage.Sites;
using Mira.Storage.Tests.Security;

namespace Mira.Storage.Tests.Sites;

/// <summary>The hub's sites, sources and provenance, and a site's hub link and push state (migration 17), on SQLite and PostgreSQL.</summary>
public abstract class SiteStoreTests : SecurityTestBase
{
    async Task<StorageDatabase> MigratedAsync()
    {
        await MigrationRunner.ApplyAsync(Db, MigrationCatalog.Intake);
        return Db;
    }

    [Fact]
    public async Task A_project_lists_its_sources_and_a_removed_site_leaves_every_project()
    {
        var store = new SiteStore(await MigratedAsync());
        Assert.True(await store.AddSiteAsync("north"));
        Assert.False(await store.AddSiteAsync("north"));
        Assert.True(await store.AddSiteAsync("south"));
        await store.SetSourceAsync("p1", "north", SourceFilter.All);
        await store.SetSourceAsync("p1", "south", new SourceFilter(["CT"]));
        await store.SetSourceAsync("p2", "north", SourceFilter.All);
        await store.SetSourceAsync("p1", "south", new SourceFilter(["MR"], "20240101")); // replaces the filter
        Assert.Equal(["north", "south"], (await store.ListSourcesAsync("p1")).Select(s => s.Site));
        Assert.Equal(["p1", "p2"], (await store.ListSourcesAsync(site: "north")).Select(s => s.Project));
        var south = await store.GetSourceAsync("p1", "south");
        Assert.Equal(["MR"], south!.Filter.Modalities);
        Assert.Equal("20240101", south.Filter.StudyDateFrom);
        Assert.Null(await store.GetSourceAsync("p2", "south"));

        Assert.True(await store.RemoveSiteAsync("north"));
        Assert.False(await store.IsSiteAsync("north"));
        Assert.Empty(await store.ListSourcesAsync(site: "north"));
        Assert.True(await store.RemoveSourceAsync("p1", "south"));
        Assert.False(await store.RemoveSourceAsync("p1", "south"));
    }

    [Fact]
    public async Task Received_instances_keep_the_site_that_sent_them_first()
    {
        var store = new SiteStore(await MigratedAsync());
        await store.RecordReceivedAsync("p", "north", [("2.25.1", "2.25.10"), ("2.25.2", "2.25.10")]);
        await store.RecordReceivedAsync("p", "south", [("2.25.2", "2.25.10"), ("2.25.3", "2.25.11")]);
        Assert.Equal([("2.25.1", "north"), ("2.25.2", "north"), ("2.25.3", "south")],
            (await store.ListReceivedAsync("p")).Select(r => (r.SopInstanceUid, r.Site)));
    }

    [Fact]
    public async Task A_site_keeps_one_hub_link_and_what_it_sent_per_project()
    {
        var links = new HubLinkStore(await MigratedAsync());
        Assert.Null(await links.GetLinkAsync());
        await links.SetLinkAsync("https://hub.example.org", "mira_first", null);
        await links.SetLinkAsync("https://hub2.example.org", "mira_second", new string('a', 64));
        var link = await links.GetLinkAsync();
        Assert.Equal(("https://hub2.example.org", "mira_second", new string('a', 64)), (link!.Url, link.Token, link.CertificateSha256));
        Assert.DoesNotContain("mira_second", link.ToString());

        await links.RecordSentAsync("p", [("1.2.3", "2.25.7"), ("1.2.4", "2.25.8")]);
        await links.RecordSentAsync("p", [("1.2.3", "2.25.7")]);
        await links.RecordSentAsync("q", [("1.2.3", "2.25.9")]);
        Assert.Equal(["1.2.3", "1.2.4"], (await links.SentAsync("p")).Order());
        Assert.Equal(["1.2.3"], await links.SentAsync("q"));
        Assert.Empty(await links.SentAsync("r"));
    }

    [Theory]
    [InlineData(new[] { "CT" }, null, null, new[] { "CT", "SR" }, "20240101", true)]
    [InlineData(new[] { "MR" }, null, null, new[] { "CT" }, "20240101", false)]
    [InlineData(null, "20240101", "20241231", new[] { "CT" }, "20240615", true)]
    [InlineData(null, "20240101", "20241231", new[] { "CT" }, "20231231", false)]
    [InlineData(null, "20240101", null, new[] { "CT" }, null, false)]
    [InlineData(null, null, null, new string[0], null, true)]
    public void A_filter_admits_studies_by_modality_and_inclusive_date_range(string[]? modalities, string? from, string? to, string[] study, string? date, bool admitted) =>
        Assert.Equal(admitted, new SourceFilter(modalities, from, to).Admits(study, date));

    [Theory]
    [InlineData(new[] { "ct" }, null, "modalities")]
    [InlineData(null, "2024-01-01", "studyDateFrom")]
    [InlineData(null, "20241301", "studyDateFrom")]
    public void An_invalid_filter_is_refused_naming_the_field(string[]? modalities, string? from, string field) =>
        Assert.Contains($"field '{field}'", new SourceFilter(modalities, from).Validate());
}

public sealed class SiteStoreSqliteTests : SiteStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class SiteStorePostgresTests(PostgresServer server) : SiteStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
