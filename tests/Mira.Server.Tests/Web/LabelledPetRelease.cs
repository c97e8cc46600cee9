using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Dicom;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Storage.Query;

namespace Mira.Server.Tests.Web;

/// <summary>
/// A test release with lesion labels, made the way a project makes one: a synthetic PET cohort
/// (<see cref="DemoCohort.PetLesions"/>) stored in the intake and copied into the project (de-identified), the
/// petct-tumour-metabolism protocol attached, one task per study read by two annotators (a reviewer and an arbitrator beside them) who each post the exact lesion
/// mask (<see cref="DemoCohortFolder.ReferenceMask"/> on the project copy's grid) as a NIfTI read, so the workflow makes
/// the consensus; then a test release of the annotated series with their consensus masks.
/// </summary>
static class LabelledPetRelease
{
    public static async Task<string> CreateAsync(TestArchive server, string project, int patients, int seed)
    {
        using var steward = server.Basic("steward", TestArchive.UserPassword);
        foreach (var user in new[] { "ann1", "ann2", "ann3", "ann4" })
        {
            await server.Archive.Accounts.CreateUserAsync(user, TestArchive.UserPassword, [Roles.Annotator]);
            await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{project}/members", new { user, role = "member" }));
        }
        var attached = await steward.PostAsJsonAsync($"/api/projects/{project}/protocols", new { protocol = "petct-tumour-metabolism" });
        Assert.True(attached.IsSuccessStatusCode, await attached.Content.ReadAsStringAsync());
        var archive = await server.Archive.Projects.Archives.GetAsync(project);
        var work = Directory.CreateDirectory(Path.Combine(server.DataFolder, "labelled-release")).FullName;
        foreach (var c in DemoCohort.PetLesions(patients, seed))
        {
            foreach (var instance in c.Instances) await server.Archive.Ingest.StoreAsync(instance.Bytes, new IngestSource("test"));
            var before = await StudiesAsync(archive);
            await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{project}/copy", new { studies = new[] { c.StudyInstanceUid } }));
            var study = Assert.Single((await StudiesAsync(archive)).Except(before));
            var series = Directory.CreateDirectory(Path.Combine(work, c.Key)).FullName;
            foreach (var si in await archive.Index.FindInstancesAsync(study))
            {
                await using var source = archive.Blobs.OpenRead(si.BlobKey);
                await using var target = File.Create(Path.Combine(series, si.SopInstanceUid + ".dcm"));
                await source.CopyToAsync(target);
            }
            var mask = DemoCohortFolder.ReferenceMask(c, Assert.Single(DicomVolumeBuilder.FromPath(series)).Volume);
            var maskPath = Path.Combine(work, c.Key + ".nii.gz");
            NiftiVolumes.WriteVolume(maskPath, mask);
            var task = await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{project}/tasks",
                new { studyInstanceUid = study, protocol = "petct-tumour-metabolism", annotators = new[] { "ann1", "ann2" }, reviewer = "ann3", arbitrator = "ann4" }), HttpStatusCode.Created);
            var id = (long)JsonNode.Parse(await task.Content.ReadAsStringAsync())!["id"]!;
            foreach (var user in new[] { "ann1", "ann2" })
            {
                using var http = server.Basic(user, TestArchive.UserPassword);
                using var body = new ByteArrayContent(await File.ReadAllBytesAsync(maskPath));
                body.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
                await EvaluationPagesServer.Ok(await http.PostAsync($"/api/tasks/{id}/reads", body), HttpStatusCode.Created);
            }
        }
        var release = await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{project}/releases", new
        {
            name = "onco-lesions", kind = "test", annotations = "consensus",
            datasheet = new { intendedUse = "Evaluation of PET lesion segmentation", inclusion = "Synthetic FDG PET cohort", exclusion = "None", referenceStandard = "Two annotators' masks, consensus", licence = "CC0" },
        }), HttpStatusCode.Created);
        return (string)JsonNode.Parse(await release.Content.ReadAsStringAsync())!["id"]!;
    }

    static async Task<HashSet<string>> StudiesAsync(Mira.Platform.Research.ProjectArchive archive) =>
        [.. (await archive.Index.QueryStudiesAsync(QidoQuery.Parse(""))).Select(d => d.GetString(DicomTags.StudyInstanceUID)!)];
}
