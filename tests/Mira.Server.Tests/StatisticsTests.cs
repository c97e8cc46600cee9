using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>The demo studies, with an auditor and a developer besides the usual accounts.</summary>
public sealed class StatisticsArchive : ProjectZoneArchive
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Archive.Accounts.CreateUserAsync("auditor", UserPassword, [Roles.Auditor]);
        await Archive.Accounts.CreateUserAsync("developer", UserPassword, [Roles.Developer]);
    }
}

/// <summary>Statistics and supervision on the demo archive (in-process server, SQLite).</summary>
public sealed class StatisticsTests(StatisticsArchive server) : IClassFixture<StatisticsArchive>
{
    HttpClient As(string user) => server.Basic(user, TestArchive.UserPassword);
    HttpClient Steward => As("steward");
    HttpClient Auditor => As("auditor");

    async Task<IReadOnlyList<AuditRecord>> AuditAsync(string action) =>
        [.. (await server.Archive.Audit.ReadAsync(1, 100000)).Where(r => r.Action == action)];

    async Task<JsonObject> JsonAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task Api_statistics_equals_the_counts_qido_finds_on_the_demo()
    {
        var stats = await JsonAsync(await Steward.GetAsync("/api/statistics"));
        var series = await StatisticsQido.AssertIntakeEqualsQidoAsync(Steward, stats);
        Assert.Equal(DemoStudies.SeriesCount, series.Count);
        Assert.Equal(["CT", "MR", "PT"], stats["byModality"]!.AsArray().Select(b => b!["key"]!.ToString()));
        Assert.Equal("demo", stats["bySource"]![0]!["key"]!.ToString());
        Assert.Contains(await AuditAsync(AuditActions.StatisticsView), r => r.Actor == "steward" && r.Resource == "/api/statistics" && r.Outcome == "success");
    }

    [Fact]
    public async Task A_projects_domain_and_copy_appear_in_the_statistics_with_no_annotation_tasks()
    {
        var bad = await Steward.PostAsJsonAsync("/api/projects", new { id = "stats-bad", name = "x", recipe = "research", domain = "cardiology" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("field 'domain'", await bad.Content.ReadAsStringAsync());
        var create = await Steward.PostAsJsonAsync("/api/projects", new { id = "stats-glioma", name = "Glioma", recipe = "research", domain = "glioma-brats" });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = JsonNode.Parse(await create.Content.ReadAsStringAsync())!;
        Assert.Equal("glioma-brats", created["domain"]!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/stats-glioma/copy", new { studies = new[] { DemoStudies.StudyUid("mr") } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/stats-glioma/members", new { user = "annotator", role = "member" })).StatusCode);

        var stats = await JsonAsync(await Steward.GetAsync("/api/statistics"));
        var project = stats["projects"]!.AsArray().Single(p => p!["id"]!.ToString() == "stats-glioma")!;
        var copied = await StatisticsQido.SeriesAsync(As("annotator"), "/api/projects/stats-glioma/dicomweb");
        Assert.Equal((copied.Select(s => s.Study).Distinct().Count(), copied.Count, copied.Sum(s => s.Instances)),
            ((int)project["studies"]!, (int)project["series"]!, (long)project["instances"]!));
        Assert.Equal(DemoStudies.MrSlices, (int)project["instances"]!);
        Assert.Equal((0, 0), ((int)project["annotationTasks"]!, (int)project["annotationTasksCompleted"]!));
        Assert.Equal("glioma-brats", project["domain"]!.ToString());
        var domain = stats["byDomain"]!.AsArray().Single(d => d!["key"]!.ToString() == "glioma-brats")!;
        Assert.Equal((1, DemoStudies.MrSlices), ((int)domain["projects"]!, (int)domain["instances"]!));
    }

    [Theory]
    [InlineData("annotator")]
    [InlineData("developer")]
    [InlineData("auditor")]
    public async Task Intake_statistics_and_plots_are_refused_outside_stewards_and_admins(string user)
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await As(user).GetAsync("/api/statistics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await As(user).GetAsync("/statistics/plots/modality.svg")).StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.StatisticsView), r => r.Actor == user && r.Outcome == "denied");
    }

    [Theory]
    [InlineData("annotator")]
    [InlineData("developer")]
    [InlineData("steward")]
    public async Task Aggregate_queries_are_refused_outside_auditors_and_admins(string user)
    {
        var r = await As(user).GetAsync("/api/statistics/aggregate?by=modality");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.StatisticsQuery), a => a.Actor == user && a.Outcome == "denied");
    }

    [Theory]
    [InlineData("by=modality,weight", "unknown dimension 'weight'")]
    [InlineData("by=", "at least one dimension")]
    [InlineData("by=sex&group=x", "query parameter 'group' is not known")]
    [InlineData("by=sex&projects=no-such-project", "no project 'no-such-project'")]
    public async Task Bad_aggregate_queries_are_400_naming_what_is_wrong(string query, string message)
    {
        var r = await Auditor.GetAsync("/api/statistics/aggregate?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(message, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_auditor_sees_de_identified_projects_only_with_small_cells_suppressed_and_every_query_audited()
    {
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id = "stats-deid", name = "De-identified", recipe = "research" })).StatusCode);
        var keeps = JsonNode.Parse("""{"id":"stats-named","name":"Named","recipe":{"name":"named","version":"1","overrides":[{"tag":"(0010,0010)","action":"K"}]},"keepDirectIdentifiers":{"reason":"registry linkage approved by the ethics board"}}""");
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", keeps)).StatusCode);
        var all = new[] { DemoStudies.StudyUid("ct"), DemoStudies.StudyUid("mr"), DemoStudies.StudyUid("pt") };
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/stats-deid/copy", new { studies = all })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/stats-named/copy", new { studies = all })).StatusCode);

        var body = await (await Auditor.GetAsync("/api/statistics/aggregate?by=modality,sex,ageBand,site&projects=stats-deid")).Content.ReadAsStringAsync();
        var r = JsonNode.Parse(body)!;
        Assert.Equal(["stats-deid"], r["projects"]!.AsArray().Select(p => p!.ToString()));
        Assert.Equal("<5", r["totals"]!["all"]!.ToString());
        var cells = r["cells"]!.AsArray();
        Assert.Equal(3, cells.Count);
        Assert.All(cells, c => Assert.Equal("<5", c!["studies"]!.ToString()));
        // The research recipe keeps sex and age (Retain Patient Characteristics) and removes Institution Name.
        Assert.Equal(["CT|F|50-59|unknown", "CT+PT|F|50-59|unknown", "MR|M|40-49|unknown"], // the PET-CT study: CT+PT
            cells.Select(c => $"{c!["modality"]}|{c["sex"]}|{c["ageBand"]}|{c["site"]}"));
        Assert.DoesNotContain("DEMO", body);
        Assert.DoesNotContain("Mira Demo Hospital", body);

        var defaults = JsonNode.Parse(await (await Auditor.GetAsync("/api/statistics/aggregate?by=project")).Content.ReadAsStringAsync())!;
        Assert.DoesNotContain("stats-named", defaults["projects"]!.AsArray().Select(p => p!.ToString()));
        Assert.Contains("stats-named", defaults["excluded"]!.AsArray().Select(e => e!["id"]!.ToString()));
        var named = await Auditor.GetAsync("/api/statistics/aggregate?by=sex&projects=stats-named");
        Assert.Equal(HttpStatusCode.BadRequest, named.StatusCode);
        Assert.Contains("not de-identified", await named.Content.ReadAsStringAsync());

        var audit = await AuditAsync(AuditActions.StatisticsQuery);
        Assert.Contains(audit, a => a.Actor == "auditor" && a.Resource == "by=modality,sex,ageBand,site projects=stats-deid" && a.Outcome == "success"
                                    && a.DetailsJson!.Contains("\"small\":"));
        Assert.Contains(audit, a => a.Actor == "auditor" && a.Resource == "by=sex projects=stats-named" && a.Outcome == "failure");
        Assert.Equal(HttpStatusCode.OK, (await server.Admin.GetAsync("/api/statistics/aggregate?by=sex")).StatusCode);
    }

    [Fact]
    public async Task Plots_are_svg_documents_with_the_numbers_labels()
    {
        var r = await Steward.GetAsync("/statistics/plots/modality.svg");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("image/svg+xml", r.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'none'", r.Headers.GetValues("Content-Security-Policy").Single());
        var svg = XDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        var texts = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();
        Assert.Contains("CT", texts);
        Assert.Contains("PT", texts);
        Assert.Contains("Studies per modality", texts);
        foreach (var name in new[] { "site", "source", "month", "domain", "projects" })
        {
            var plot = await Steward.GetAsync($"/statistics/plots/{name}.svg");
            Assert.Equal(HttpStatusCode.OK, plot.StatusCode);
            XDocument.Parse(await plot.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.GetAsync("/statistics/plots/patients.svg")).StatusCode);
    }

    /// <summary>
    /// ScottPlot asks for SkiaSharp.NativeAssets.Linux.NoDependencies, whose libSkiaSharp.so has the same path as the
    /// fontconfig build's; with it the default typeface has no glyphs. The fontconfig build must be the one loaded.
    /// </summary>
    [Fact]
    public void The_fontconfig_build_of_Skia_is_loaded_not_the_one_ScottPlot_brings()
    {
        using var typeface = SkiaSharp.SKTypeface.Default;
        Assert.True(typeface.GlyphCount > 0, $"the default typeface '{typeface.FamilyName}' has no glyphs");
    }
}
