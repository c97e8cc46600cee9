using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Annotating in a real Chromium on a real <c>mira serve --demo</c>: an annotator opens their task from the queue
/// (<c>/tasks</c> → <c>/tasks/{id}</c> → "Annotate in the viewer"), adds a segment in the viewer's segmentation mode,
/// paints it with the brush and saves it; the viewer stores the SEG through the project's STOW-RS (with the session's
/// antiforgery token, which the viewer's configuration adds), the object lands in the project's archive with the voxels
/// painted, as pydicom reads it, and the annotation workflow takes it as the annotator's read of the task (tool ohif).
/// </summary>
public sealed class AnnotationBrowserTests(BrowserFixture browser, WorkspaceServer server, ITestOutputHelper output)
    : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    HttpClient Admin => server.Server.Http;

    HttpClient Annotator()
    {
        var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes("annotator:" + WorkspaceServer.Password)));
        return http;
    }

    /// <summary>A project with the demo MR copied in and <c>annotator</c> a member; the project's Study Instance UID.</summary>
    async Task<string> ProjectAsync(string id)
    {
        Assert.Equal(HttpStatusCode.Created, (await Admin.PostAsJsonAsync("/api/projects", new { id, name = "Project " + id, recipe = "research" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsJsonAsync($"/api/projects/{id}/members", new { user = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsJsonAsync($"/api/projects/{id}/copy", new { studies = new[] { DemoStudies.StudyUid("mr") } })).StatusCode);
        using var annotator = Annotator();
        var studies = JsonNode.Parse(await annotator.GetStringAsync($"/api/projects/{id}/dicomweb/studies"))!.AsArray();
        return Dicomweb.Value(Assert.Single(studies), "0020000D")!;
    }

    /// <summary>A glioma task on the project's study: <c>annotator</c> and a second reader, a reviewer and an arbitrator.</summary>
    async Task<long> TaskAsync(string project, string study)
    {
        foreach (var name in new[] { "reader2", "reviewer1", "arbiter1" })
        {
            using var user = await Admin.PostAsJsonAsync("/api/users", new { name, password = WorkspaceServer.Password, roles = new[] { "annotator" }, mustChangePassword = false });
            Assert.True(user.IsSuccessStatusCode || user.StatusCode == HttpStatusCode.Conflict, await user.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsJsonAsync($"/api/projects/{project}/members", new { user = name })).StatusCode);
        }
        using var attach = await Admin.PostAsJsonAsync($"/api/projects/{project}/protocols", new { protocol = "glioma-brats" });
        Assert.True(attach.IsSuccessStatusCode, await attach.Content.ReadAsStringAsync());
        using var annotator = Annotator();
        var series = JsonNode.Parse(await annotator.GetStringAsync($"/api/projects/{project}/dicomweb/studies/{study}/series"))!.AsArray();
        using var created = await Admin.PostAsJsonAsync($"/api/projects/{project}/tasks", new
        {
            studyInstanceUid = study, seriesInstanceUid = Dicomweb.Value(series[0]!, "0020000E"), protocol = "glioma-brats",
            annotators = new[] { "annotator", "reader2" }, reviewer = "reviewer1", arbitrator = "arbiter1",
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<long>();
    }

    [Fact]
    public async Task An_annotator_opens_the_task_from_the_queue_paints_a_segment_saves_and_the_SEG_is_a_version_of_the_task()
    {
        const string project = "paint";
        var study = await ProjectAsync(project);
        var taskId = await TaskAsync(project, study);
        await using var viewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "annotator", WorkspaceServer.Password, "/tasks");
        try
        {
            await viewer.Page.ClickAsync($"#task-queue tr[data-task='{taskId}'] a.button");
            await viewer.Page.WaitForURLAsync($"**/tasks/{taskId}");
            Assert.Equal("open", (await viewer.Page.InnerTextAsync("#task-state")).Trim());
            await viewer.Page.ClickAsync("#annotate");
            await viewer.WaitForImageAsync();
            Assert.StartsWith($"{server.BaseUrl}viewer/segmentation/project-{project}", viewer.Page.Url);
            var mode = new SegmentationMode(viewer);
            await mode.AddSegmentAsync("ET");
            await mode.PaintAsync();
            var painted = await mode.PaintedVoxelsAsync();
            Assert.True(painted > 100, $"the brush painted {painted} voxels");

            var stow = await mode.SaveAsync();
            var body = await stow.TextAsync();
            Assert.True(stow.Status == 200, $"STOW-RS answered {stow.Status}: {body} {(await stow.AllHeadersAsync()).GetValueOrDefault("warning")}");
            var stored = JsonNode.Parse(body)!["00081199"]!["Value"]![0]!;
            Assert.Equal("1.2.840.10008.5.1.4.1.1.66.7", Dicomweb.Value(stored, "00081150")); // OHIF stores a Label Map SEG
            var retrieve = Dicomweb.Value(stored, "00081190")!;
            Assert.Contains($"/api/projects/{project}/dicomweb/studies/{study}/series/", retrieve);

            // The object is in the project's archive: retrieved through its WADO-RS and read by pydicom, it holds the
            // painted voxels and the segment the annotator named.
            using var annotator = Annotator();
            var response = await annotator.GetAsync(new Uri(retrieve).PathAndQuery);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var seg = Assert.Single(await Dicomweb.ReadParts(response));
            var read = await PydicomAsync(seg);
            Assert.Equal("LABELMAP", read.GetProperty("type").GetString());
            Assert.Equal(painted, read.GetProperty("nonzero").GetInt32());
            Assert.Equal(["ET"], read.GetProperty("labels").EnumerateArray().Select(l => l.GetString() ?? "").ToArray());
            Assert.True(viewer.Failures.Count == 0, "failed requests:\n" + string.Join("\n", viewer.Failures));

            // The workflow took the SEG as the annotator's read of the task: one version, by the annotator, tool ohif.
            var task = JsonNode.Parse(await annotator.GetStringAsync($"/api/tasks/{taskId}"))!;
            Assert.Equal("open", task["state"]!.GetValue<string>()); // the second reader has not read yet
            var version = Assert.Single(task["reads"]!.AsArray())!;
            Assert.Equal("annotator", version["author"]!.GetValue<string>());
            Assert.Equal("ohif", version["tool"]!.GetValue<string>());
            await viewer.Page.GotoAsync($"/tasks/{taskId}");
            Assert.Equal("ohif", (await viewer.Page.InnerTextAsync("#task-versions td.tool")).Trim());
        }
        catch
        {
            output.WriteLine("screenshot: " + await SegmentationMode.ScreenshotAsync(viewer.Page, "paint"));
            output.WriteLine("page errors:\n" + string.Join("\n", viewer.Errors));
            throw;
        }
    }

    /// <summary>pydicom's reading of a SEG: its Segmentation Type, segment labels and the number of non-zero pixels of all frames.</summary>
    static async Task<JsonElement> PydicomAsync(byte[] seg)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mira-ohif-seg-{Guid.NewGuid():N}.dcm");
        await File.WriteAllBytesAsync(file, seg);
        try
        {
            const string script = """
                import json, sys, pydicom
                d = pydicom.dcmread(sys.argv[1])
                a = d.pixel_array
                print(json.dumps({"type": str(d.SegmentationType), "labels": [str(s.SegmentLabel) for s in d.SegmentSequence], "nonzero": int((a != 0).sum())}))
                """;
            var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            var psi = new ProcessStartInfo(python, ["-c", script, file]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {python}");
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"pydicom could not read the SEG (python3-pydicom installed?): {await stderr}");
            return JsonDocument.Parse(stdout).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
