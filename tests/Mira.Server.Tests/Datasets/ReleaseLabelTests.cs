using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using static Mira.Server.Tests.Datasets.DatasetServer;

namespace Mira.Server.Tests.Datasets;

/// <summary>A masks protocol's consensus goes into the release tree as a label map on the image grid (read back by nibabel).</summary>
public sealed class ReleaseLabelTests : IAsyncLifetime
{
    readonly DatasetServer s = new();
    public Task InitializeAsync() => s.InitializeAsync();
    public Task DisposeAsync() => s.DisposeAsync();

    [Fact]
    public async Task The_consensus_label_map_is_written_beside_the_image_volume_on_its_grid()
    {
        foreach (var p in new[] { "a1", "a2", "a3", "a4" })
        {
            await s.Archive.Accounts.CreateUserAsync(p, TestArchive.UserPassword, [Roles.Annotator]);
            Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = p, role = "member" }));
        }
        Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol = "glioma-brats" }));
        var mr = (await s.SeriesAsync()).Single(x => x.Modality == "MR");

        // The MR volume as Mira.Imaging builds it, and a label map on it: ET a ball of radius 3 in its middle.
        var work = Path.Combine(s.DataFolder, "work");
        Directory.CreateDirectory(work);
        var archive = await s.Archive.Projects.Archives.GetAsync(Project);
        foreach (var si in await archive.Index.FindInstancesAsync(mr.Study, mr.Series))
        {
            await using var source = archive.Blobs.OpenRead(si.BlobKey);
            await using var target = File.Create(Path.Combine(work, si.SopInstanceUid + ".dcm"));
            await source.CopyToAsync(target);
        }
        var image = Assert.Single(DicomVolumeBuilder.FromPath(work)).Volume;
        var labels = Volume.Create([image.Nx, image.Ny, image.Nz], VoxelType.UInt8, image.Geometry);
        for (var k = 0; k < image.Nz; k++)
            for (var j = 0; j < image.Ny; j++)
                for (var i = 0; i < image.Nx; i++)
                    if ((i - image.Nx / 2) * (i - image.Nx / 2) + (j - image.Ny / 2) * (j - image.Ny / 2) + (k - image.Nz / 2) * (k - image.Nz / 2) <= 9)
                        labels.SetValue(labels.Index(i, j, k), 3);
        var posted = Path.Combine(s.DataFolder, "read.nii.gz");
        NiftiVolumes.WriteVolume(posted, labels);

        var task = (long)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks", new
        {
            studyInstanceUid = mr.Study, seriesInstanceUid = mr.Series, protocol = "glioma-brats", annotators = new[] { "a1", "a2" }, reviewer = "a3", arbitrator = "a4",
        }), HttpStatusCode.Created))["id"]!;
        foreach (var reader in new[] { "a1", "a2" })
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(posted));
            content.Headers.ContentType = new("application/gzip");
            Ok(await s.As(reader).PostAsync($"/api/tasks/{task}/reads", content), HttpStatusCode.Created);
        }
        Ok(await s.As("a3").PostAsJsonAsync($"/api/tasks/{task}/review", new { accept = true }));

        var body = new
        {
            name = "seg", kind = "training", annotations = "consensus",
            datasheet = new { intendedUse = "Segmentation", inclusion = "all", exclusion = "none", referenceStandard = "two readers", licence = "CC0" },
        };
        var id = (string)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", body), HttpStatusCode.Created))["id"]!;
        var zip = Ok(await s.As("dev").GetAsync($"/api/releases/{id}/download"));
        var folder = Path.Combine(s.DataFolder, "seg");
        using (var z = new ZipArchive(await zip.Content.ReadAsStreamAsync())) z.ExtractToDirectory(folder);
        var root = Path.Combine(folder, "seg-v1");

        var script = """
            import sys, numpy, nibabel
            img = nibabel.load(sys.argv[1] + "/nifti/case-0001.nii.gz")
            lab = nibabel.load(sys.argv[1] + "/labels/case-0001.nii.gz")
            read = nibabel.load(sys.argv[2])
            print(img.shape[:3] == lab.shape[:3], numpy.allclose(img.affine, lab.affine, atol=1e-3),
                  numpy.array_equal(numpy.asarray(lab.dataobj), numpy.asarray(read.dataobj)), int((numpy.asarray(lab.dataobj) == 3).sum()))
            """;
        var result = Assert.Single(DatasetApiTests.RunPython(script, root, posted)).Split(' ');
        Assert.Equal(["True", "True", "True"], result[..3]);
        Assert.True(int.Parse(result[3]) > 0);
    }
}
