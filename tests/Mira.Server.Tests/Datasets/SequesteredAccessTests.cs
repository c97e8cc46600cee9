using System.Net;
using System.Net.Http.Json;
using Mira.Platform.Audit;
using System.Text.Json.Nodes;
using static Mira.Server.Tests.Datasets.DatasetServer;

namespace Mira.Server.Tests.Datasets;

/// <summary>
/// A model submitter (<c>dev</c>, a developer and a member of the project) tries every path to a case of a sequestered
/// release: the release's datasheet and download, the project's DICOMweb (QIDO-RS searches at every level, WADO-RS
/// retrieve, metadata, frames, bulk data, rendered images, thumbnails) and the project's annotation export. Each is
/// refused, while the same paths still serve the project's other studies.
/// </summary>
public sealed class SequesteredAccessTests : IAsyncLifetime
{
    readonly DatasetServer s = new();
    string id = "";
    (string Study, string Series, string Sop, string Modality, string Patient) hidden, open;

    public async Task InitializeAsync()
    {
        await s.InitializeAsync();
        var series = await s.SeriesAsync();
        hidden = series.Single(x => x.Modality == "PT");
        open = series.Single(x => x.Modality == "MR");
        id = (string)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("vault", "sequestered", new[] { hidden.Series })),
            HttpStatusCode.Created))["id"]!;
    }

    public Task DisposeAsync() => s.DisposeAsync();

    HttpClient Dev => s.As("dev");
    static string Root => $"/api/projects/{Project}/dicomweb";

    [Fact]
    public async Task The_release_list_shows_only_that_it_exists()
    {
        var listed = (JsonObject)Assert.Single((await Dev.GetFromJsonAsync<JsonArray>($"/api/projects/{Project}/releases"))!)!;
        Assert.Equal((id, "sequestered", 1), ((string)listed["id"]!, (string)listed["kind"]!, (int)listed["size"]!));
        Assert.Null(listed["cases"]);
        Assert.Null(listed["datasheet"]);
    }

    [Fact]
    public async Task The_datasheet_is_refused()
    {
        var r = await Dev.GetAsync($"/api/releases/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        var body = await r.Content.ReadAsStringAsync();
        Assert.DoesNotContain(hidden.Patient, body);
        Assert.DoesNotContain("case-0001", body);
        Ok(await s.Steward.GetAsync($"/api/releases/{id}"));
    }

    [Fact]
    public async Task The_download_is_refused_to_everyone()
    {
        Ok(await Dev.GetAsync($"/api/releases/{id}/download"), HttpStatusCode.Forbidden);
        Ok(await s.Steward.GetAsync($"/api/releases/{id}/download"), HttpStatusCode.Forbidden);
        var audit = (await s.Archive.Audit.ReadAsync(1, 100_000)).Where(r => r.Action == AuditActions.DatasetDownload).ToList();
        Assert.Equal(2, audit.Count(r => r.Outcome == "denied"));
    }

    [Fact]
    public async Task Qido_searches_do_not_return_its_study_series_or_instances()
    {
        var studies = await Dev.GetStringAsync($"{Root}/studies");
        Assert.Contains(open.Study, studies);
        Assert.DoesNotContain(hidden.Study, studies);
        Assert.DoesNotContain(hidden.Series, await Dev.GetStringAsync($"{Root}/series"));
        Assert.DoesNotContain(hidden.Sop, await Dev.GetStringAsync($"{Root}/instances"));
        foreach (var path in new[] { $"{Root}/studies/{hidden.Study}/series", $"{Root}/studies/{hidden.Study}/instances", $"{Root}/studies/{hidden.Study}/series/{hidden.Series}/instances",
                     $"{Root}/studies?StudyInstanceUID={hidden.Study}", $"{Root}/instances?SOPInstanceUID={hidden.Sop}" })
        {
            var r = await Dev.GetAsync(path);
            Assert.True(r.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.OK, path);
            Assert.DoesNotContain(hidden.Sop, await r.Content.ReadAsStringAsync());
            Assert.DoesNotContain(hidden.Series, await r.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Wado_retrieve_metadata_frames_and_bulk_data_are_not_found()
    {
        var instance = $"{Root}/studies/{hidden.Study}/series/{hidden.Series}/instances/{hidden.Sop}";
        foreach (var path in new[] { $"{Root}/studies/{hidden.Study}", $"{Root}/studies/{hidden.Study}/series/{hidden.Series}", instance,
                     $"{Root}/studies/{hidden.Study}/metadata", $"{instance}/metadata", $"{instance}/frames/1", $"{instance}/bulkdata/7FE00010" })
            Assert.Equal(HttpStatusCode.NotFound, (await Dev.GetAsync(path)).StatusCode);
        Ok(await Dev.GetAsync($"{Root}/studies/{open.Study}/metadata"));
    }

    [Fact]
    public async Task Rendered_images_and_thumbnails_are_not_found()
    {
        var instance = $"{Root}/studies/{hidden.Study}/series/{hidden.Series}/instances/{hidden.Sop}";
        foreach (var path in new[] { $"{instance}/rendered", $"{instance}/frames/1/rendered", $"{instance}/thumbnail", $"{instance}/frames/1/thumbnail",
                     $"{Root}/studies/{hidden.Study}/series/{hidden.Series}/thumbnail", $"{Root}/studies/{hidden.Study}/thumbnail", $"{Root}/studies/{hidden.Study}/rendered" })
            Assert.Equal(HttpStatusCode.NotFound, (await Dev.GetAsync(path)).StatusCode);
        Ok(await Dev.GetAsync($"{Root}/studies/{open.Study}/thumbnail"));
    }

    [Fact]
    public async Task The_viewer_does_not_open_its_study()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Dev.GetAsync($"/projects/{Project}/studies/{hidden.Study}/view")).StatusCode);
        Assert.NotEqual(HttpStatusCode.NotFound, (await Dev.GetAsync($"/projects/{Project}/studies/{open.Study}/view")).StatusCode);
    }

    [Fact]
    public async Task The_annotation_export_is_refused()
    {
        Ok(await Dev.GetAsync($"/api/projects/{Project}/annotations/export?format=seg"), HttpStatusCode.Forbidden);
    }
}

/// <summary>A developer who is also an annotator on a task of a case that is then sequestered loses the task from every view.</summary>
public sealed class SequesteredTaskTests : IAsyncLifetime
{
    readonly DatasetServer s = new();
    public Task InitializeAsync() => s.InitializeAsync();
    public Task DisposeAsync() => s.DisposeAsync();

    [Fact]
    public async Task Its_annotation_tasks_leave_the_queue_and_the_task_view()
    {
        foreach (var p in new[] { "dev3", "r2", "r3", "r4" })
        {
            await s.Archive.Accounts.CreateUserAsync(p, TestArchive.UserPassword, p == "dev3" ? [Roles.Developer, Roles.Annotator] : [Roles.Annotator]);
            Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = p, role = "member" }));
        }
        Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol = "fundus-dr-multidisease" }));
        var pet = (await s.SeriesAsync()).Single(x => x.Modality == "PT");
        var task = (long)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks", new
        {
            studyInstanceUid = pet.Study, protocol = "fundus-dr-multidisease", annotators = new[] { "dev3", "r2" }, reviewer = "r3", arbitrator = "r4",
        }), HttpStatusCode.Created))["id"]!;
        Ok(await s.As("dev3").GetAsync($"/api/tasks/{task}"));
        Assert.Contains($"{task}", await s.As("dev3").GetStringAsync("/api/me/tasks"));

        Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("vault", "sequestered", new[] { pet.Series })), HttpStatusCode.Created);
        Ok(await s.As("dev3").GetAsync($"/api/tasks/{task}"), HttpStatusCode.NotFound);
        Assert.Equal("[]", (await s.As("dev3").GetStringAsync("/api/me/tasks")).Trim());
        Ok(await s.As("dev3").GetAsync($"/tasks/{task}"), HttpStatusCode.NotFound);
        Ok(await s.Steward.GetAsync($"/api/tasks/{task}"));
    }
}
