using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// STOW-RS into a project's own archive (<c>POST /api/projects/{id}/dicomweb/studies</c>): the annotators of an open task
/// store annotation objects of its study there, never images; a SEG must carry the protocol's segments; what is refused
/// is answered with the PS3.18 failure reason and a reason naming the SOP class, the study or the labels, and nothing of
/// it is stored; every request is audited as <c>project.stow</c>. Project <c>brain</c> of <see cref="AnnotationServer"/>:
/// alice, bob, carol and dave are members (dave is never an annotator here), erin is not; the glioma protocol is attached.
/// Each annotator here has one open task on the study (an object is a part of the sender's one open task); a SEG that
/// becomes a read: <see cref="ProjectStowReadTests"/>.
/// </summary>
public sealed class ProjectStowTests(AnnotationServer server) : IClassFixture<AnnotationServer>
{
    const string Project = AnnotationServer.Project;
    static readonly string Stow = $"/api/projects/{Project}/dicomweb/studies";

    Task<(string Series, List<DicomDataset> Images)> SeriesAsync() => ProjectObjects.SeriesAsync(server);

    Task<byte[]> AnnotationAsync(string sopClass, string? study = null, string? series = null, string label = "ET", bool placeholder = false) =>
        ProjectObjects.AnnotationAsync(server, sopClass, study, series, label, placeholder);

    async Task<int> ProjectInstancesAsync() =>
        (await (await server.Archive.Projects.Archives.GetAsync(Project)).Index.QueryInstancesAsync(new Mira.Storage.Query.QidoQuery { Limit = 10_000 })).Count;

    static ushort FailureReason(JsonNode response, int item = 0) =>
        ushort.Parse(response["00081198"]!["Value"]![item]!["00081197"]!["Value"]![0]!.ToString());

    static string Warnings(HttpResponseMessage r) => string.Join("\n", r.Headers.TryGetValues("Warning", out var w) ? w : []);

    static string Sop(byte[] part10) => DicomFile.Read(part10).Dataset.GetString(DicomTags.SOPInstanceUID)!;

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AnnotationServer, Dictionary<string, long>> Tasks = [];

    /// <summary>The one open glioma task of <paramref name="annotator"/> (its only annotator), created on first use.</summary>
    async Task<long> TaskOfAsync(string annotator)
    {
        var tasks = Tasks.GetOrCreateValue(server);
        if (tasks.TryGetValue(annotator, out var id)) return id;
        var others = AnnotationServer.People.Where(p => p != annotator && p != "dave").Append("dave").ToArray();
        return tasks[annotator] = await server.CreateTaskAsync("glioma-brats", [annotator], others[0], others[^1]);
    }

    async Task<JsonArray> ReadsAsync(string user, long task) =>
        (await AnnotationServer.JsonOf(await server.As(user).GetAsync($"/api/tasks/{task}")))["reads"]!.AsArray();

    [Fact]
    public async Task A_SEG_whose_segment_codes_are_not_in_the_protocol_is_refused_with_the_reason_and_nothing_is_stored()
    {
        var task = await TaskOfAsync("bob");
        var prostate = BuiltInProtocols.Find("prostate-mri-pirads")!;
        var seg = await ProjectObjects.SegmentationAsync(server, prostate, prostate.LabelByName("PZ")!.Value);
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("bob"), Stow, seg);
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0xA900, FailureReason(await Dicomweb.Json(r)));
        Assert.Contains("(protocol glioma-brats) did not take the segmentation", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync());
        Assert.Null(await (await server.Archive.Projects.Archives.GetAsync(Project)).Index.FindInstanceAsync(Sop(seg)));
        Assert.Empty(await ReadsAsync("bob", task));
    }

    [Fact]
    public async Task A_viewer_SEG_whose_placeholder_coded_segment_is_named_after_no_label_is_refused_naming_the_labels()
    {
        var task = await TaskOfAsync("carol");
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("carol"), Stow, await AnnotationAsync("1.2.840.10008.5.1.4.1.1.66.7", label: "Segment 1", placeholder: true));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0xA900, FailureReason(await Dicomweb.Json(r)));
        Assert.Contains("'Segment 1' is no label of protocol glioma-brats: name it NETC, SNFH, ET, RC", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync());
        Assert.Empty(await ReadsAsync("carol", task));
    }

    [Fact]
    public async Task A_member_who_is_no_annotator_of_an_open_task_on_the_study_is_refused_0124_and_nothing_is_stored()
    {
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("dave"), Stow, await AnnotationAsync("1.2.840.10008.5.1.4.1.1.88.34"));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0x0124, FailureReason(await Dicomweb.Json(r)));
        Assert.Contains($"dave has no open task on study {server.Study} in project {Project}", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync());
    }

    [Fact]
    public async Task An_annotator_with_several_open_tasks_on_the_study_is_told_to_post_the_read_to_the_task()
    {
        await server.Archive.Accounts.CreateUserAsync("frank", TestArchive.UserPassword, [Mira.Platform.Security.Roles.Annotator]);
        AnnotationServer.Ok(await server.Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = "frank", role = "member" }));
        var first = await server.CreateTaskAsync("glioma-brats", ["frank"], "bob", "dave");
        var second = await server.CreateTaskAsync("glioma-brats", ["frank"], "carol", "dave");
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("frank"), Stow, await AnnotationAsync("1.2.840.10008.5.1.4.1.1.88.34"));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        Assert.Equal(0xA900, FailureReason(await Dicomweb.Json(r)));
        Assert.Contains($"frank has 2 open tasks on study {server.Study} (tasks {first}, {second})", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync());
    }

    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.88.34")]
    [InlineData("1.2.840.10008.5.1.4.1.1.88.33")]
    [InlineData("1.2.840.10008.5.1.4.1.1.88.22")]
    [InlineData("1.2.840.10008.5.1.4.1.1.91.1")]
    public async Task A_report_or_bulk_annotation_of_an_annotator_of_an_open_task_is_stored_in_the_projects_archive_only(string sopClass)
    {
        await TaskOfAsync("alice");
        var before = await ProjectInstancesAsync();
        var sr = await AnnotationAsync(sopClass);
        var r = await Dicomweb.Stow(server.As("alice"), $"{Stow}/{server.Study}", sr);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Contains($"/api/projects/{Project}/dicomweb/studies/{server.Study}/series/", body["00081199"]!["Value"]![0]!["00081190"]!["Value"]![0]!.ToString());
        Assert.Equal(before + 1, await ProjectInstancesAsync());
        Assert.Null(await server.Archive.Index.FindInstanceAsync(Sop(sr))); // never the intake
        var back = await server.As("alice").GetAsync($"/api/projects/{Project}/dicomweb/studies/{server.Study}/series/{DicomFile.Read(sr).Dataset.GetString(DicomTags.SeriesInstanceUID)}/instances/{Sop(sr)}");
        Assert.Equal(sr, Assert.Single(await Dicomweb.ReadParts(back)));
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Actor == "alice" && a.Resource == $"{Project}:{Stow}/{server.Study}"
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
    }

    [Fact]
    public async Task An_image_is_refused_with_the_reason_naming_its_SOP_class_and_nothing_is_stored()
    {
        var (series, _) = await SeriesAsync();
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("alice"), $"{Stow}/{server.Study}", Dicomweb.Make(server.Study, series, Dicomweb.Uid()));
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Equal(0x0122, FailureReason(body)); // SOP Class not supported (PS3.18 Table 10.5.3-1)
        Assert.Null(body["00081199"]);
        Assert.Contains("CT Image Storage (1.2.840.10008.5.1.4.1.1.2)", Warnings(r));
        Assert.Contains("annotation objects only", Warnings(r));
        Assert.Equal(before, await ProjectInstancesAsync());
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Resource!.StartsWith($"{Project}:", StringComparison.Ordinal)
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Failure));
    }

    [Fact]
    public async Task In_one_request_the_annotation_is_stored_and_the_image_refused()
    {
        await TaskOfAsync("alice");
        var (series, _) = await SeriesAsync();
        var before = await ProjectInstancesAsync();
        var r = await Dicomweb.Stow(server.As("alice"), Stow, Dicomweb.Make(server.Study, series, Dicomweb.Uid()), await AnnotationAsync("1.2.840.10008.5.1.4.1.1.88.34"));
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var body = await Dicomweb.Json(r);
        Assert.Equal(0x0122, FailureReason(body));
        Assert.Single(body["00081199"]!["Value"]!.AsArray());
        Assert.Equal(before + 1, await ProjectInstancesAsync());
    }

    [Fact]
    public async Task An_annotation_of_a_study_or_series_that_is_not_in_the_project_is_refused()
    {
        var before = await ProjectInstancesAsync();
        // The intake's (identified) UID of the same study, and a study nobody has.
        foreach (var study in new[] { DemoStudies.StudyUid("mr"), Dicomweb.Uid() })
        {
            var r = await Dicomweb.Stow(server.As("alice"), Stow, await AnnotationAsync("1.2.840.10008.5.1.4.1.1.66.4", study: study));
            Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
            Assert.Equal(0xA900, FailureReason(await Dicomweb.Json(r)));
            Assert.Contains($"Study Instance UID {study} is not a study of project {Project}", Warnings(r));
        }
        var other = Dicomweb.Uid();
        var s = await Dicomweb.Stow(server.As("alice"), Stow, await AnnotationAsync("1.2.840.10008.5.1.4.1.1.66.4", series: other));
        Assert.Equal(HttpStatusCode.Conflict, s.StatusCode);
        Assert.Contains($"references series {other}", Warnings(s));
        Assert.Equal(before, await ProjectInstancesAsync());
    }

    [Fact]
    public async Task Only_members_store_and_the_others_are_told_what_a_read_would_tell_them()
    {
        var sr = await AnnotationAsync("1.2.840.10008.5.1.4.1.1.88.34");
        var before = await ProjectInstancesAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await Dicomweb.Stow(server.Steward, Stow, sr)).StatusCode); // a steward who is not a member
        Assert.Equal(HttpStatusCode.NotFound, (await Dicomweb.Stow(server.As("erin"), Stow, sr)).StatusCode); // not a member: the unknown project's answer
        Assert.Equal(HttpStatusCode.NotFound, (await Dicomweb.Stow(server.As("alice"), "/api/projects/no-such-project/dicomweb/studies", sr)).StatusCode);
        Assert.Equal(before, await ProjectInstancesAsync());
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Actor == "steward" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
    }
}
