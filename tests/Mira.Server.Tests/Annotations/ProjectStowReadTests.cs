using System.Net;
using System.Text.Json.Nodes;
using Mira.Annotations.Protocols;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// A SEG stored through the project's STOW-RS by an annotator of an open task becomes their read of it (tool
/// <c>ohif</c>), on a server of its own, so that alice's one open task is the task.
/// </summary>
public sealed class ProjectStowReadTests(AnnotationServer server) : IClassFixture<AnnotationServer>
{
    const string Project = AnnotationServer.Project;
    static readonly string Stow = $"/api/projects/{Project}/dicomweb/studies";
    static readonly Protocol Glioma = BuiltInProtocols.Find("glioma-brats")!;

    static string Warnings(HttpResponseMessage r) => string.Join("\n", r.Headers.TryGetValues("Warning", out var w) ? w : []);

    static string Sop(byte[] part10) => DicomFile.Read(part10).Dataset.GetString(DicomTags.SOPInstanceUID)!;

    async Task<JsonArray> ReadsAsync(string user, long task) =>
        (await AnnotationServer.JsonOf(await server.As(user).GetAsync($"/api/tasks/{task}")))["reads"]!.AsArray();

    [Fact]
    public async Task A_SEG_of_the_tasks_series_by_its_annotator_becomes_their_read_with_tool_ohif_and_lands_in_the_projects_archive()
    {
        var task = await server.CreateTaskAsync("glioma-brats", ["alice", "bob"], "carol", "dave");
        var seg = await ProjectObjects.SegmentationAsync(server, Glioma, Glioma.LabelByName("ET")!.Value);
        var r = await Dicomweb.Stow(server.As("alice"), Stow, seg);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{(int)r.StatusCode} {Warnings(r)}");
        var read = Assert.Single(await ReadsAsync("alice", task));
        Assert.Equal("ohif", (string)read!["tool"]!);
        Assert.Equal("alice", (string)read["author"]!);
        Assert.Equal("masks", (string)read["kind"]!);
        var archive = await server.Archive.Projects.Archives.GetAsync(Project);
        Assert.NotNull(await archive.Index.FindInstanceAsync(Sop(seg))); // the object as sent, beside the version's own objects
        Assert.Null(await server.Archive.Index.FindInstanceAsync(Sop(seg))); // never the intake
        foreach (var uid in read["sopInstanceUids"]!.AsArray()) Assert.NotNull(await archive.Index.FindInstanceAsync((string)uid!));
        var audit = await server.Archive.Audit.ReadAsync(1, 100_000);
        Assert.Contains(audit, a => a.Action == AuditActions.ProjectStow && a.Actor == "alice" && a.Resource == $"{Project}:{Stow}"
                                    && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success));
    }

}
