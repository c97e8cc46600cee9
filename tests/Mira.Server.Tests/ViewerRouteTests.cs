using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Platform.Demo;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// The viewer's routes without a browser: <c>/studies/{uid}/view</c> and the project equivalent redirect into the
/// viewer with the zone's data source or refuse (audited), <c>app-config.js</c> offers each user only the zones they
/// may read, and the viewer's files are served under <c>/viewer/</c> with their public path rewritten.
/// </summary>
public sealed class ViewerRouteTests(ProjectZoneArchive server) : IClassFixture<ProjectZoneArchive>
{
    static readonly string Ct = DemoStudies.StudyUid("ct");
    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    HttpClient Annotator => server.Basic("annotator", TestArchive.UserPassword);

    async Task<List<AuditRecord>> AuditAsync() => [.. await server.Archive.Audit.ReadAsync(1, 100_000)];

    [Fact]
    public async Task A_steward_opening_an_intake_study_is_redirected_into_the_viewer_with_the_intake_source_and_it_is_audited()
    {
        var r = await Steward.GetAsync($"/studies/{Ct}/view");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal($"/viewer/viewer/intake?StudyInstanceUIDs={Ct}", r.Headers.Location!.OriginalString);
        var seg = await Steward.GetAsync($"/studies/{Ct}/view?mode=segmentation");
        Assert.Equal($"/viewer/segmentation/intake?StudyInstanceUIDs={Ct}", seg.Headers.Location!.OriginalString);
        var record = (await AuditAsync()).Last(a => a.Action == AuditActions.ViewerOpen);
        Assert.Equal(("steward", Ct, "success"), (record.Actor, record.Resource, record.Outcome));
        Assert.Contains("segmentation", record.DetailsJson);
    }

    [Fact]
    public async Task An_annotator_opening_an_intake_study_gets_an_html_refusal_and_the_refusal_is_audited()
    {
        var r = await Annotator.GetAsync($"/studies/{Ct}/view");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.StartsWith("text/html", r.Content.Headers.ContentType!.ToString());
        Assert.Contains("You may not open this study", await r.Content.ReadAsStringAsync());
        Assert.Contains(await AuditAsync(), a => a is { Action: AuditActions.ViewerOpen, Actor: "annotator", Outcome: "denied" } && a.Resource == Ct);
    }

    [Fact]
    public async Task An_unknown_study_or_mode_is_answered_with_a_page_naming_it_not_a_redirect()
    {
        var unknown = await Steward.GetAsync("/studies/1.2.3.4/view");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("1.2.3.4", await unknown.Content.ReadAsStringAsync());
        var mode = await Steward.GetAsync($"/studies/{Ct}/view?mode=cinema");
        Assert.Equal(HttpStatusCode.BadRequest, mode.StatusCode);
        Assert.Contains("cinema", await mode.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_project_member_opens_the_projects_study_in_its_own_source_and_the_intake_uid_is_unknown_there()
    {
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id = "view-p", name = "Viewer P", recipe = "research" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/view-p/members", new { user = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/view-p/copy", new { studies = new[] { Ct } })).StatusCode);
        var studies = JsonNode.Parse(await Annotator.GetStringAsync("/api/projects/view-p/dicomweb/studies"))!.AsArray();
        var pseudonymous = Dicomweb.Value(studies.Single()!, "0020000D")!;
        Assert.NotEqual(Ct, pseudonymous);

        var r = await Annotator.GetAsync($"/projects/view-p/studies/{pseudonymous}/view?mode=segmentation");
        Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
        Assert.Equal($"/viewer/segmentation/project-view-p?StudyInstanceUIDs={pseudonymous}", r.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await Annotator.GetAsync($"/projects/view-p/studies/{Ct}/view")).StatusCode);
        // A steward who is not a member is told why; the audit shows both.
        Assert.Equal(HttpStatusCode.Forbidden, (await Steward.GetAsync($"/projects/view-p/studies/{pseudonymous}/view")).StatusCode);
        var audit = await AuditAsync();
        Assert.Contains(audit, a => a is { Action: AuditActions.ProjectViewerOpen, Actor: "annotator", Outcome: "success" } && a.Resource == $"view-p:{pseudonymous}");
        Assert.Contains(audit, a => a is { Action: AuditActions.ProjectViewerOpen, Actor: "steward", Outcome: "denied" });

        // The viewer's configuration offers each user the zones they may read, and no other.
        var annotatorConfig = await Annotator.GetStringAsync("/viewer/app-config.js");
        Assert.Contains("\"name\":\"project-view-p\"", annotatorConfig);
        Assert.Contains("\"root\":\"/api/projects/view-p/dicomweb\"", annotatorConfig);
        Assert.DoesNotContain("\"name\":\"intake\"", annotatorConfig);
        var stewardConfig = await Steward.GetStringAsync("/viewer/app-config.js");
        Assert.Contains("\"name\":\"intake\"", stewardConfig);
        Assert.DoesNotContain("project-view-p", stewardConfig);
    }

    [Fact]
    public async Task The_viewer_is_served_under_its_base_path_with_hashed_bundles_cached_and_wasm_typed()
    {
        var index = await Steward.GetAsync("/viewer/viewer/intake?StudyInstanceUIDs=1.2.3");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("window.PUBLIC_URL=\"/viewer/\"", html);
        Assert.Contains("src=\"/viewer/app-config.js\"", html);
        Assert.DoesNotContain("src=\"/app", html);
        var bundle = System.Text.RegularExpressions.Regex.Match(html, "src=\"/viewer/(app\\.bundle\\.[0-9a-f]+\\.js)\"").Groups[1].Value;
        var app = await Steward.GetAsync("/viewer/" + bundle);
        var cache = app.Headers.CacheControl!;
        Assert.True(cache.Private);
        Assert.Equal(TimeSpan.FromDays(365), cache.MaxAge);
        Assert.Contains(cache.Extensions, e => e.Name == "immutable");
        Assert.True((await Steward.GetAsync("/viewer/")).Headers.CacheControl!.NoCache);
        var js = await app.Content.ReadAsStringAsync();
        Assert.Contains("__webpack_require__.p = \"/viewer/\"", js);
        Assert.DoesNotContain("__webpack_require__.p = \"/\"", js);
        var wasm = Directory.GetFiles(Mira.Server.Viewer.ViewerLocation.Find(null)!, "*.wasm").Select(Path.GetFileName).First();
        var w = await Steward.GetAsync("/viewer/" + wasm);
        Assert.Equal("application/wasm", w.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.GetAsync("/viewer/sw.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.GetAsync("/viewer/missing.bundle.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.GetAsync("/viewer/..%2F..%2Fmira-viewer.path")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.GetAsync("/viewer/")).StatusCode);
    }
}
