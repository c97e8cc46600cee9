using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// STOW-RS into a project's own archive (<c>POST /api/projects/{id}/dicomweb/studies</c>): members store annotation
/// objects of the project's studies there, never images; what is refused is answered with the PS3.18 failure reason and
/// a reason naming the SOP class, and nothing of it is stored; every request is audited as <c>project.stow</c>.
/// </summary>
public sealed class ProjectStowTests(ProjectZoneArchive server) : IClassFixture<ProjectZoneArchive>
{
    static readonly string MrStudy = DemoStudies.StudyUid("mr");
    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    HttpClient Annotator => server.Basic("annotator", TestArchive.UserPassword);

    /// <summary>A project with the MR demo study copied in and <c>annotator</c> a member; its study, first series and instance.</summary>
    async Task<(string Study, string Series, string Sop)> ProjectAsync(string id)
    {
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id, name = id, recipe = "research" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = "annotator" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync($"/api/projects/{id}/copy", new { studies = new[] { MrStudy } })).StatusCode);
        var first = JsonNode.Parse(await Annotator.GetStringAsync($"/api/projects/{id}/dicomweb/instances?limit=1"))![0];
        return (Dicomweb.Value(first, "0020000D")!, Dicomweb.Value(first, "0020000E")!, Dicomweb.Value(first, "00080018")!);
    }

    /// <summary>
    /// An open glioma task on the study with <c>annotator</c> as one of two readers: what an annotation object stored
    /// through the project's STOW-RS is tied to (the workflow refuses objects of a member without one).
    /// </summary>
    async Task<long> OpenTaskAsync(string id, (string Study, string Series, string Sop) p)
    {
        foreach (var name in new[] { "reader2", "reviewer1", "arbiter1" })
        {
            if (await server.Archive.Accounts.GetAsync(name) is null)
                await server.Archive.Accounts.CreateUserAsync(name, TestArchive.UserPassword, [Roles.Annotator]);
            Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = name })).StatusCode);
        }
        using var attach = await Steward.PostAsJsonAsync($"/api/projects/{id}/protocols", new { protocol = "glioma-brats" });
        Assert.True(attach.IsSuccessStatusCode, await attach.Content.ReadAsStringAsync());
        using var created = await Steward.PostAsJsonAsync($"/api/projects/{id}/tasks", new
        {
            studyInstanceUid = p.Study, seriesInstanceUid = p.Series, protocol = "glioma-brats",
            annotators = new[] { "annotator", "reader2" }, reviewer = "reviewer1", arbitrator = "arbiter1",
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!["id"]!.GetValue<long>();
    }

    /// <summary>A segmentation object of <paramref name="study"/> that references one image of <paramref name="series"/> (Common Instance Reference, PS3.3 §C.12.2).</summary>
    static byte[] Segmentation(string study, string series, string image, string sopClass = "1.2.840.10008.5.1.4.1.1.66.4") =>
        Dicomweb.Make(study, Dicomweb.Uid(), Dicomweb.Uid(), ds =>
        {
            ds.Set(DicomTags.SOPClassUID, sopClass);
            ds.Set(DicomTags.Modality, "SEG");
            var reference = new DicomDataset()
                .Set(DicomTags.ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.4")
                .Set(DicomTags.ReferencedSOPInstanceUID, image);
            ds.Set(new DicomSequence(DicomTags.ReferencedSeriesSequence, [new DicomDataset()
                .Set(DicomTags.SeriesInstanceUID, series)
                .Set(new DicomSequence(DicomTags.ReferencedInstanceSequence, [reference]))]));
        });

    async Task<int> ProjectInstancesAsync(string id) =>
        (await (await server.Archive.Projects.Archives.GetAsync(id)).Index.QueryInstancesAsync(new Mira.Storage.Query.QidoQuery { Limit = 10_000 })).Count;

    static ushort FailureReason(JsonNode response, int item = 0) =>
        ushort.Parse(response["00081198"]!["Value"]![item]!["00081197"]!["Value"]![0]!.ToString());

    static string Warnings(HttpResponseMessage r) => string.Join("\n", r.Headers.TryGetValues("Warning", out var w) ? w : []);

    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.88.34")]
    [InlineData("1.2.840.10008.5.1.4.1.1.88.33")]
    public async Task A_member_stores_an_annotation_object_of_a_project_study_in_the_projects_archive_only(string sopClass)
    {
        var id = "stow-ok-" + sopClass[^4..].Replace(".", "");
        var p = await ProjectAsync(id);
        await OpenTaskAsync(id, p);
        var before = await ProjectInstancesAsync(id);
        var seg = Segmentation(p.Study, p.Series, p.Sop, sopClass);
        var sop = DicomFile.Read(seg).Dataset.GetString(DicomTags.SOPInstanceUID)!;

        var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies", seg);

        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Contains($"/api/projects/{id}/dicomweb/studies/{p.Study}/series/", body["00081199"]!["Value"]![0]!["00081190"]!["Value"]![0]!.ToString());
        Assert.Equal(before + 1, await ProjectInstancesAsync(id));
        Assert.NotNull(await (await server.Archive.Projects.Archives.GetAsync(id)).Index.FindInstanceAsync(sop));
        Assert.Null(await server.Archive.Index.FindInstanceAsync(sop)); // never the intake
        // Readable back through the project's WADO-RS, byte for byte.
        var back = await Annotator.GetAsync($"/api/projects/{id}/dicomweb/studies/{p.Study}/series/{DicomFile.Read(seg).Dataset.GetString(DicomTags.SeriesInstanceUID)}/instances/{sop}");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(seg, Assert.Single(await Dicomweb.ReadParts(back)));
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Actor == "annotator" && a.Resource == $"{id}:/api/projects/{id}/dicomweb/studies"
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
    }

    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.66.4")]
    [InlineData("1.2.840.10008.5.1.4.1.1.66.7")]
    public async Task A_segmentation_that_is_no_read_of_the_protocol_is_refused_with_the_workflows_reason_and_nothing_is_stored(string sopClass)
    {
        var id = "stow-seg-" + sopClass[^4..].Replace(".", "");
        var p = await ProjectAsync(id);
        var task = await OpenTaskAsync(id, p);
        var before = await ProjectInstancesAsync(id);

        // A SEG object without segments or frames: the workflow cannot take it as the annotator's read.
        var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies", Segmentation(p.Study, p.Series, p.Sop, sopClass));

        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0xC000, FailureReason(await Dicomweb.Json(r)));
        Assert.NotEmpty(Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync(id));
        var view = JsonNode.Parse(await Annotator.GetStringAsync($"/api/tasks/{task}"))!;
        Assert.Empty(view["reads"]!.AsArray());
    }

    [Fact]
    public async Task An_annotation_object_of_a_member_without_an_open_task_on_the_study_is_refused()
    {
        const string id = "stow-no-task";
        var p = await ProjectAsync(id);
        var before = await ProjectInstancesAsync(id);
        var sr = Segmentation(p.Study, p.Series, p.Sop, "1.2.840.10008.5.1.4.1.1.88.34");

        var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies", sr);

        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0x0124, FailureReason(await Dicomweb.Json(r))); // Not Authorized
        Assert.Contains("annotator has no open task on study", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync(id));
    }

    [Fact]
    public async Task An_image_is_refused_with_the_reason_naming_its_SOP_class_and_nothing_is_stored()
    {
        const string id = "stow-image";
        var p = await ProjectAsync(id);
        var before = await ProjectInstancesAsync(id);
        var image = Dicomweb.Make(p.Study, p.Series, Dicomweb.Uid()); // a CT image of the project's own study

        var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies/{p.Study}", image);

        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Equal(0x0122, FailureReason(body)); // Referenced SOP Class not supported (PS3.18 Table 10.5.3-1)
        Assert.Null(body["00081199"]);
        var warning = Warnings(r);
        Assert.Contains("CT Image Storage (1.2.840.10008.5.1.4.1.1.2)", warning);
        Assert.Contains("annotation objects only", warning);
        Assert.Equal(before, await ProjectInstancesAsync(id));
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Resource!.StartsWith($"{id}:", StringComparison.Ordinal)
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Failure));
    }

    [Fact]
    public async Task In_one_request_the_annotation_is_stored_and_the_image_refused()
    {
        const string id = "stow-mixed";
        var p = await ProjectAsync(id);
        await OpenTaskAsync(id, p);
        var before = await ProjectInstancesAsync(id);
        var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies",
            Dicomweb.Make(p.Study, p.Series, Dicomweb.Uid()), Segmentation(p.Study, p.Series, p.Sop, "1.2.840.10008.5.1.4.1.1.88.34"));
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Equal(0x0122, FailureReason(body));
        Assert.Single(body["00081199"]!["Value"]!.AsArray());
        Assert.Equal(before + 1, await ProjectInstancesAsync(id));
    }

    [Fact]
    public async Task An_annotation_of_a_study_that_is_not_in_the_project_is_refused()
    {
        const string id = "stow-elsewhere";
        var p = await ProjectAsync(id);
        var before = await ProjectInstancesAsync(id);
        // The intake's (identified) UIDs of the same study, and a study nobody has.
        foreach (var study in new[] { MrStudy, Dicomweb.Uid() })
        {
            var r = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies", Segmentation(study, p.Series, p.Sop));
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal(0xA900, FailureReason(await Dicomweb.Json(r)));
            Assert.Contains($"Study Instance UID {study} is not a study of project {id}", Warnings(r));
        }
        // A study of the project, but a series that is not in it.
        var other = Dicomweb.Uid();
        var s = await Dicomweb.Stow(Annotator, $"/api/projects/{id}/dicomweb/studies", Segmentation(p.Study, other, p.Sop));
        Assert.Equal(HttpStatusCode.Conflict, s.StatusCode);
        Assert.Contains($"references series {other}", Warnings(s));
        Assert.Equal(before, await ProjectInstancesAsync(id));
    }

    [Fact]
    public async Task Only_members_store_and_the_others_are_told_what_a_read_would_tell_them()
    {
        const string id = "stow-members";
        var p = await ProjectAsync(id);
        var before = await ProjectInstancesAsync(id);
        var seg = Segmentation(p.Study, p.Series, p.Sop);
        // A steward who is not a member: 403; an annotator of other projects: the 404 of a project that does not exist.
        await server.Archive.Accounts.CreateUserAsync("outsider", TestArchive.UserPassword, [Roles.Annotator]);
        Assert.Equal(HttpStatusCode.Forbidden, (await Dicomweb.Stow(Steward, $"/api/projects/{id}/dicomweb/studies", seg)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Dicomweb.Stow(server.Basic("outsider", TestArchive.UserPassword), $"/api/projects/{id}/dicomweb/studies", seg)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Dicomweb.Stow(Annotator, "/api/projects/no-such-project/dicomweb/studies", seg)).StatusCode);
        Assert.Equal(before, await ProjectInstancesAsync(id));
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Actor == "steward" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
    }
}
