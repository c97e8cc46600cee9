using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Testing;
using static Mira.Server.Tests.Annotations.AnnotationServer;

namespace Mira.Server.Tests.Annotations;

/// <summary>The annotation API through HTTP on a real server: protocols, people, refusals, blind reads, grading agreement against sklearn.</summary>
public sealed class AnnotationApiTests(AnnotationServer server) : IClassFixture<AnnotationServer>
{
    async Task<int> TaskCountAsync() => JsonNode.Parse(await Ok(await server.Steward.GetAsync($"/api/projects/{Project}/tasks")).Content.ReadAsStringAsync())!.AsArray().Count;

    [Fact]
    public async Task The_ten_protocols_are_listed_and_a_custom_one_that_breaks_the_schema_is_refused_with_its_reason()
    {
        var list = JsonNode.Parse(await Ok(await server.As("alice").GetAsync("/api/protocols")).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(10, list.Count(p => (bool)p!["builtIn"]!));
        var glioma = await JsonOf(await server.As("alice").GetAsync("/api/protocols/glioma-brats?version=1"));
        Assert.Equal(("glioma-brats", 1, "dice"), ((string)glioma["id"]!, (int)glioma["version"]!, (string)glioma["workflow"]!["statistic"]!));
        Assert.Equal("glioma-brats", (string)glioma["definition"]!["id"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await server.As("alice").GetAsync("/api/protocols/glioma-brats?version=9")).StatusCode);
        var detail = await Refused(await server.Steward.PostAsJsonAsync("/api/protocols", new { id = "half-a-protocol" }), HttpStatusCode.BadRequest);
        Assert.StartsWith("the protocol does not follow protocol.schema.json", detail);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("alice").PostAsJsonAsync("/api/protocols", new { id = "x" })).StatusCode);
        var attached = JsonNode.Parse(await Ok(await server.As("alice").GetAsync($"/api/projects/{Project}/protocols")).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["fundus-dr-multidisease", "glioma-brats"], attached.Select(p => (string)p!["id"]!));
    }

    [Fact]
    public async Task Annotator_records_are_kept_by_stewards_and_refused_to_others()
    {
        var record = new
        {
            title = "Attending neuroradiologist", specialty = "neuroradiology", yearsOfExperience = 12, institution = "Site A",
            training = new[] { new { name = "BraTS labelling course", date = "2026-01-15" } },
            assessments = new[] { new { name = "BraTS qualification set", score = 0.86, date = "2026-02-01" } },
        };
        var saved = await JsonOf(await server.Steward.PutAsJsonAsync("/api/annotators/alice", record));
        Assert.Equal("alice", (string)saved["user"]!);
        var read = await JsonOf(await server.Steward.GetAsync("/api/annotators/alice"));
        Assert.Equal(("Site A", 0.86, "2026-02-01"), ((string)read["institution"]!, (double)read["assessments"]![0]!["score"]!, (string)read["assessments"]![0]!["date"]!));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("alice").GetAsync("/api/annotators")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("bob").PutAsJsonAsync("/api/annotators/bob", record)).StatusCode);
        var bad = await Refused(await server.Steward.PutAsJsonAsync("/api/annotators/bob", new { training = new[] { new { name = "x", date = "15/01/2026" } } }), HttpStatusCode.BadRequest);
        Assert.Equal("field 'training[0].date': a date yyyy-MM-dd is required", bad);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Steward.GetAsync("/api/annotators/bob")).StatusCode);
    }

    [Theory]
    [InlineData("alice", "alice", "bob", "carol", "'alice' is listed 2 times as an annotator of one case")]
    [InlineData("alice", "bob", "bob", "carol", "'bob' cannot be both annotator and reviewer on one case")]
    [InlineData("alice", "bob", "carol", "alice", "'alice' cannot be both annotator and arbitrator on one case")]
    [InlineData("alice", "bob", "carol", "carol", "'carol' cannot be both reviewer and arbitrator on one case")]
    public async Task A_person_in_two_roles_on_one_case_is_refused_with_a_clear_message_and_nothing_is_stored(string a, string b, string reviewer, string arbitrator, string message)
    {
        var before = await TaskCountAsync();
        var detail = await Refused(await server.Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks",
            new { studyInstanceUid = server.Study, protocol = "glioma-brats", annotators = new[] { a, b }, reviewer, arbitrator }), HttpStatusCode.BadRequest);
        Assert.StartsWith(message, detail);
        Assert.Equal(before, await TaskCountAsync());
    }

    [Fact]
    public async Task A_read_by_a_user_who_is_not_an_annotator_of_the_task_is_refused_and_not_stored()
    {
        var id = await server.CreateTaskAsync("fundus-dr-multidisease", ["alice", "bob"], "carol", "dave");
        Assert.Equal($"carol is not an annotator of task {id}", await Refused(await server.PostReadAsync("carol", id, "application/json", Form(2)), HttpStatusCode.Forbidden));
        Assert.Equal($"erin is not an annotator of task {id}", await Refused(await server.PostReadAsync("erin", id, "application/json", Form(2)), HttpStatusCode.Forbidden));
        var task = await JsonOf(await server.Steward.GetAsync($"/api/tasks/{id}"));
        Assert.Empty(task["reads"]!.AsArray());
        Assert.Equal("open", (string)task["state"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("erin").GetAsync($"/api/tasks/{id}")).StatusCode);
    }

    [Fact]
    public async Task Reads_are_blind_to_each_other_until_the_task_leaves_the_read_state()
    {
        var id = await server.CreateTaskAsync("fundus-dr-multidisease", ["alice", "bob"], "carol", "dave");
        var first = await JsonOf(await server.PostReadAsync("alice", id, "application/json", Form(1)), HttpStatusCode.Created);
        Assert.Equal((1, "open"), ((int)first["version"]!, (string)first["state"]!));
        var seenByBob = await JsonOf(await server.As("bob").GetAsync($"/api/tasks/{id}"));
        Assert.Empty(seenByBob["reads"]!.AsArray());
        var seenByAlice = await JsonOf(await server.As("alice").GetAsync($"/api/tasks/{id}"));
        Assert.Equal(["alice"], seenByAlice["reads"]!.AsArray().Select(r => (string)r!["author"]!));
        Assert.Null(seenByAlice["gold"]);
        await JsonOf(await server.PostReadAsync("bob", id, "application/json", Form(4)), HttpStatusCode.Created);
        var after = await JsonOf(await server.As("alice").GetAsync($"/api/tasks/{id}"));
        Assert.Equal("arbitration", (string)after["state"]!);
        Assert.Equal(["alice", "bob"], after["reads"]!.AsArray().Select(r => (string)r!["author"]!));
        var agreement = after["agreement"]!;
        Assert.Equal(("weighted-kappa", true, 3.0, 0.0), ((string)agreement["statistic"]!, (bool)agreement["disagree"]!, (double)agreement["values"]!["icdrDr"]!, (double)agreement["threshold"]!));

        var queue = JsonNode.Parse(await Ok(await server.As("dave").GetAsync("/api/me/tasks")).Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(queue, t => (long)t!["id"]! == id && (string)t["role"]! == "arbitrator" && (string)t["state"]! == "arbitration");
        var arbitration = await JsonOf(await server.As("dave").PostAsJsonAsync($"/api/tasks/{id}/arbitration", new { choose = 1 }), HttpStatusCode.Created);
        Assert.Equal((3, "review"), ((int)arbitration["version"]!, (string)arbitration["state"]!));
        var returned = await JsonOf(await server.As("carol").PostAsJsonAsync($"/api/tasks/{id}/review", new { accept = false, comment = "grade the left eye again", returnTo = "read" }));
        Assert.Equal("open", (string)returned["state"]!);
        Assert.Equal("grade the left eye again",
            (string)JsonNode.Parse(await Ok(await server.As("alice").GetAsync("/api/me/tasks")).Content.ReadAsStringAsync())!.AsArray().First(t => (long)t!["id"]! == id)!["comment"]!);
    }

    [Fact]
    public async Task Project_agreement_of_two_graders_is_the_quadratic_weighted_kappa_of_sklearn()
    {
        int[] a = [0, 1, 2, 2, 3, 4, 1, 0, 2, 3, 4, 1];
        int[] b = [0, 2, 2, 1, 3, 3, 1, 1, 4, 3, 4, 0];
        var project = "fundus-kappa";
        Ok(await server.Steward.PostAsJsonAsync("/api/projects", new { id = project, name = "Fundus grading", recipe = "research" }), HttpStatusCode.Created);
        foreach (var p in People) Ok(await server.Steward.PostAsJsonAsync($"/api/projects/{project}/members", new { user = p }));
        await JsonOf(await server.Steward.PostAsJsonAsync($"/api/projects/{project}/copy", new { studies = new[] { DemoStudies.StudyUid("mr") } }));
        Ok(await server.Steward.PostAsJsonAsync($"/api/projects/{project}/protocols", new { protocol = "fundus-dr-multidisease" }));
        var batch = await JsonOf(await server.Steward.PostAsJsonAsync($"/api/projects/{project}/tasks/batch", new
        {
            studies = new[] { server.Study }, protocol = "fundus-dr-multidisease", annotators = new[] { "alice", "bob" }, reviewer = "carol", arbitrator = "dave",
            batch = "wrong-project-study",
        }), HttpStatusCode.BadRequest);
        Assert.Contains("no study", (string)batch["detail"]!);
        var archive = await server.Archive.Projects.Archives.GetAsync(project);
        var study = (await archive.Index.QueryStudiesAsync(Mira.Storage.Query.QidoQuery.Parse(""))).Single().GetString(Mira.Dicom.DicomTags.StudyInstanceUID)!;
        for (var i = 0; i < a.Length; i++)
        {
            var id = (long)(await JsonOf(await server.Steward.PostAsJsonAsync($"/api/projects/{project}/tasks", new
            {
                studyInstanceUid = study, protocol = "fundus-dr-multidisease", annotators = new[] { "alice", "bob" }, reviewer = "carol", arbitrator = "dave",
            }), HttpStatusCode.Created))["id"]!;
            await JsonOf(await server.PostReadAsync("alice", id, "application/json", Form(a[i])), HttpStatusCode.Created);
            await JsonOf(await server.PostReadAsync("bob", id, "application/json", Form(b[i])), HttpStatusCode.Created);
        }
        var agreement = await JsonOf(await server.Steward.GetAsync($"/api/projects/{project}/agreement"));
        var pair = agreement["protocols"]![0]!["pairs"]![0]!;
        Assert.Equal(("alice", "bob", a.Length, "quadratic"), ((string)pair["a"]!, (string)pair["b"]!, (int)pair["cases"]!, (string)pair["weights"]!));
        var sklearn = double.Parse(ExternalTool.Run("/usr/bin/python3", "-c",
            $"from sklearn.metrics import cohen_kappa_score; print(repr(cohen_kappa_score([{string.Join(",", a)}], [{string.Join(",", b)}], weights='quadratic', labels=[0,1,2,3,4])))").Trim(),
            CultureInfo.InvariantCulture);
        Assert.Equal(sklearn, (double)pair["kappa"]!, 12);
        var readers = agreement["protocols"]![0]!["annotators"]!.AsArray();
        Assert.Equal(["alice", "bob"], readers.Select(r => (string)r!["name"]!));
        Assert.All(readers, r => Assert.Equal(sklearn, (double)r!["value"]!, 12));
        Assert.Equal(sklearn, (double)agreement["protocols"]![0]!["sites"]![0]!["value"]!, 12);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("alice").GetAsync($"/api/projects/{project}/agreement")).StatusCode);
    }

    [Fact]
    public async Task An_export_is_a_zip_with_a_manifest_of_versions_authors_and_roles()
    {
        var id = await server.CreateTaskAsync("fundus-dr-multidisease", ["alice", "bob"], "carol", "dave");
        await JsonOf(await server.PostReadAsync("alice", id, "application/json", Form(2)), HttpStatusCode.Created);
        await JsonOf(await server.PostReadAsync("bob", id, "application/json", Form(2)), HttpStatusCode.Created);
        var r = Ok(await server.Steward.GetAsync($"/api/projects/{Project}/annotations/export?format=sr&version=all"));
        Assert.Equal("application/zip", r.Content.Headers.ContentType!.MediaType);
        using var zip = new ZipArchive(await r.Content.ReadAsStreamAsync());
        using var manifestStream = zip.GetEntry("manifest.json")!.Open();
        var manifest = JsonNode.Parse(manifestStream)!;
        var task = manifest["tasks"]!.AsArray().Single(t => (long)t!["task"]! == id)!;
        Assert.Equal(("fundus-dr-multidisease", 1, server.Study), ((string)task["protocol"]!, (int)task["protocolVersion"]!, (string)task["studyInstanceUid"]!));
        Assert.Equal(["alice/annotator", "bob/annotator", "mira/consensus"], task["versions"]!.AsArray().Select(v => $"{v!["author"]}/{v["role"]}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.As("alice").GetAsync($"/api/projects/{Project}/annotations/export?format=sr")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.Steward.GetAsync($"/api/projects/{Project}/annotations/export?format=png")).StatusCode);
    }
}
