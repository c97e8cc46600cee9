using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Annotating in a real Chromium on a real <c>mira serve --demo</c>, as an annotator does it: from the task queue to the
/// task page, from there into the viewer's segmentation mode on the project's data source; add a segment named after a
/// protocol label, paint it with the brush on the viewport, save. The viewer stores the SEG through the project's STOW-RS
/// (with the session's antiforgery token, which the viewer's configuration adds) and it becomes the annotator's read of
/// the task, tool <c>ohif</c>, with the voxels painted. And the task page's protocol form: a grade posted is a read.
/// </summary>
public sealed class AnnotationBrowserTests(BrowserFixture browser, WorkspaceServer server, ITestOutputHelper output)
    : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    HttpClient Admin => server.Server.Http;

    HttpClient As(string user)
    {
        var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes($"{user}:{WorkspaceServer.Password}")));
        return http;
    }

    static async Task Ok(HttpResponseMessage r, params HttpStatusCode[] expected)
    {
        if (!expected.Contains(r.StatusCode))
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// A project with the demo MR copied in and the glioma protocol attached, a task on that study (annotators
    /// <paramref name="annotators"/>, reviewer and arbitrator of their own), everyone a member: the task's id.
    /// </summary>
    async Task<long> TaskAsync(string project, params string[] annotators)
    {
        string[] people = [.. annotators, "reviewer1", "arbiter1"];
        foreach (var user in people.Where(u => u != "annotator"))
            await Ok(await Admin.PostAsJsonAsync("/api/users", new { name = user, password = WorkspaceServer.Password, roles = new[] { "annotator" }, mustChangePassword = false }),
                HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict);
        await Ok(await Admin.PostAsJsonAsync("/api/projects", new { id = project, name = "Project " + project, recipe = "research" }), HttpStatusCode.Created);
        foreach (var user in people) await Ok(await Admin.PostAsJsonAsync($"/api/projects/{project}/members", new { user }), HttpStatusCode.OK);
        await Ok(await Admin.PostAsJsonAsync($"/api/projects/{project}/copy", new { studies = new[] { DemoStudies.StudyUid("mr") } }), HttpStatusCode.OK);
        await Ok(await Admin.PostAsJsonAsync($"/api/projects/{project}/protocols", new { protocol = "glioma-brats" }), HttpStatusCode.OK, HttpStatusCode.Created);
        using var member = As(annotators[0]);
        var study = Dicomweb.Value(Assert.Single(JsonNode.Parse(await member.GetStringAsync($"/api/projects/{project}/dicomweb/studies"))!.AsArray()), "0020000D")!;
        var created = await Admin.PostAsJsonAsync($"/api/projects/{project}/tasks",
            new { studyInstanceUid = study, protocol = "glioma-brats", annotators, reviewer = "reviewer1", arbitrator = "arbiter1" });
        await Ok(created, HttpStatusCode.Created);
        return (long)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
    }

    async Task<JsonArray> ReadsAsync(string user, long task)
    {
        using var http = As(user);
        return JsonNode.Parse(await http.GetStringAsync($"/api/tasks/{task}"))!["reads"]!.AsArray();
    }

    async Task OnFailureAsync(IPage page, string name, IReadOnlyList<string> errors)
    {
        output.WriteLine("screenshot: " + await SegmentationMode.ScreenshotAsync(page, name));
        output.WriteLine("page errors:\n" + string.Join("\n", errors));
    }

    [Fact]
    public async Task An_annotator_opens_the_task_from_the_queue_paints_in_segmentation_mode_saves_and_the_SEG_is_their_read()
    {
        const string project = "paint";
        var task = await TaskAsync(project, "annotator", "reader3");
        await using var viewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "annotator", WorkspaceServer.Password, "/");
        var page = viewer.Page;
        try
        {
            await page.ClickAsync("#nav-tasks");
            await page.ClickAsync($"#tasks tr[data-task='{task}'] a");
            Assert.EndsWith($"/tasks/{task}", page.Url);
            Assert.Equal("annotator", await page.InnerTextAsync("#task-role"));
            Assert.Equal("open", await page.InnerTextAsync("#task-state"));
            await page.ClickAsync("#annotate");
            await viewer.WaitForImageAsync();
            Assert.StartsWith($"{server.BaseUrl}viewer/segmentation/project-{project}", page.Url);

            var mode = new SegmentationMode(viewer);
            await mode.AddSegmentAsync("ET");
            await mode.PaintAsync();
            var painted = await mode.PaintedVoxelsAsync();
            Assert.True(painted > 100, $"the brush painted {painted} voxels");
            var stow = await mode.SaveAsync();
            var body = await stow.TextAsync();
            Assert.True(stow.Status == 200, $"STOW-RS answered {stow.Status}: {body} {string.Join(" ", await stow.HeaderValuesAsync("warning"))}");
            var stored = JsonNode.Parse(body)!["00081199"]!["Value"]![0]!;
            Assert.Equal("1.2.840.10008.5.1.4.1.1.66.7", Dicomweb.Value(stored, "00081150")); // OHIF stores a Label Map SEG
            Assert.Contains($"/api/projects/{project}/dicomweb/studies/", Dicomweb.Value(stored, "00081190"));

            // The SEG is the annotator's read of the task, made with the viewer; its own SEG (written by Mira) has the
            // painted voxels as the label's, as pydicom reads them.
            var read = Assert.Single(await ReadsAsync("annotator", task))!;
            Assert.Equal("ohif", (string)read["tool"]!);
            Assert.Equal("annotator", (string)read["author"]!);
            Assert.Equal("masks", (string)read["kind"]!);
            var segOfRead = await SegOfAsync(project, read["sopInstanceUids"]!.AsArray().Select(u => (string)u!).ToList());
            var readBack = await PydicomAsync(segOfRead);
            Assert.Equal(painted, readBack.GetProperty("nonzero").GetInt32());
            Assert.Contains("ET", readBack.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));

            await page.GotoAsync($"/tasks/{task}");
            Assert.Equal(1, await page.Locator("#task-versions tr[data-tool=ohif]").CountAsync());
            Assert.True(viewer.Failures.Count == 0, "failed requests:\n" + string.Join("\n", viewer.Failures));
        }
        catch
        {
            await OnFailureAsync(page, "paint", viewer.Errors);
            throw;
        }
    }

    [Fact]
    public async Task The_task_pages_form_refuses_a_missing_required_answer_and_stores_a_WHO_grade_as_the_read()
    {
        const string project = "grade";
        var task = await TaskAsync(project, "reader2", "reader3");
        await using var viewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "reader2", WorkspaceServer.Password, $"/tasks/{task}");
        var page = viewer.Page;
        try
        {
            Assert.Equal(1, await page.Locator("#answers-form fieldset[data-field=whoCnsGrade]").CountAsync());
            await page.CheckAsync("#answers-form input[name='answer.whoCnsGrade'][value='4']");
            var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#submit-answers"), r => r.Request.Method == "POST");
            Assert.Equal(400, refused.Status);
            Assert.Contains("timepoint", await page.InnerTextAsync("#form-error")); // required, not answered
            Assert.Empty(await ReadsAsync("reader2", task));

            await page.CheckAsync("#answers-form input[name='answer.timepoint'][value='pre-op']");
            Assert.True(await page.IsCheckedAsync("#answers-form input[name='answer.whoCnsGrade'][value='4']")); // kept from the refused post
            await page.ClickAsync("#submit-answers");
            Assert.Contains("stored as version", await page.InnerTextAsync("#form-stored"));
            var read = Assert.Single(await ReadsAsync("reader2", task))!;
            Assert.Equal("form", (string)read["tool"]!);
            Assert.Equal("form", (string)read["kind"]!);
            Assert.Equal(1, await page.Locator("#task-versions tr[data-tool=form]").CountAsync());
        }
        catch
        {
            await OnFailureAsync(page, "grade", viewer.Errors);
            throw;
        }
    }

    [Fact]
    public async Task The_task_page_is_for_the_people_on_the_task_and_its_form_for_its_annotators()
    {
        const string project = "people";
        var task = await TaskAsync(project, "reader4", "reader5");
        // The reviewer sees the task, with the form closed; the queue lists it with their role.
        await using (var reviewer = await ViewerPage.OpenAsync(browser, server.BaseUrl, "reviewer1", WorkspaceServer.Password, "/tasks"))
        {
            Assert.Equal("reviewer", await reviewer.Page.InnerTextAsync($"#tasks tr[data-task='{task}'] td:nth-child(5)"));
            await reviewer.Page.GotoAsync($"/tasks/{task}");
            Assert.Equal("reviewer", await reviewer.Page.InnerTextAsync("#task-role"));
            Assert.Equal(0, await reviewer.Page.Locator("#answers-form").CountAsync());
            Assert.True(await reviewer.Page.IsVisibleAsync("#form-closed"));
            Assert.Contains("project people", await reviewer.Page.InnerTextAsync("#zone"), StringComparison.OrdinalIgnoreCase);
        }
        // An annotator who is not on the task: refused, and the zone does not name the project; a task that does not exist: 404.
        await using var outsider = await ViewerPage.OpenAsync(browser, server.BaseUrl, "annotator", WorkspaceServer.Password, $"/tasks/{task}");
        Assert.Contains($"annotator is not assigned to task {task}", await outsider.Page.InnerTextAsync("#refusal-reason"));
        Assert.Contains(outsider.Requests, r => r.StartsWith("403 GET", StringComparison.Ordinal) && r.EndsWith($"/tasks/{task}", StringComparison.Ordinal));
        Assert.DoesNotContain("people", await outsider.Page.InnerTextAsync("#zone"), StringComparison.OrdinalIgnoreCase);
        var missing = await outsider.Page.GotoAsync("/tasks/999999");
        Assert.Equal(404, missing!.Status);
    }

    /// <summary>The SEG among a version's objects, through the project's WADO-RS.</summary>
    async Task<byte[]> SegOfAsync(string project, IReadOnlyList<string> sops)
    {
        using var http = As("annotator");
        foreach (var sop in sops)
        {
            var found = JsonNode.Parse(await http.GetStringAsync($"/api/projects/{project}/dicomweb/instances?SOPInstanceUID={sop}"))!.AsArray();
            var item = Assert.Single(found);
            if (Dicomweb.Value(item, "00080060") != "SEG") continue;
            var r = await http.GetAsync($"/api/projects/{project}/dicomweb/studies/{Dicomweb.Value(item, "0020000D")}/series/{Dicomweb.Value(item, "0020000E")}/instances/{sop}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            return Assert.Single(await Dicomweb.ReadParts(r));
        }
        throw new InvalidOperationException($"no SEG among the read's objects {string.Join(", ", sops)}");
    }

    /// <summary>pydicom's reading of a SEG: its segment labels and the number of non-zero pixels of all frames.</summary>
    static async Task<JsonElement> PydicomAsync(byte[] seg)
    {
        var file = Path.Combine(Path.GetTempPath(), $"mira-read-seg-{Guid.NewGuid():N}.dcm");
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
