using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Mira.Platform.Audit;
using System.Text.Json.Nodes;
using static Mira.Server.Tests.Datasets.DatasetServer;

namespace Mira.Server.Tests.Datasets;

/// <summary>The release endpoints: made by a steward, listed, read and downloaded per role; the zip opened with pydicom and nibabel.</summary>
public sealed class DatasetApiTests : IAsyncLifetime
{
    readonly DatasetServer s = new();
    public Task InitializeAsync() => s.InitializeAsync();
    public Task DisposeAsync() => s.DisposeAsync();

    [Fact]
    public async Task A_steward_makes_a_release_a_developer_downloads_its_tree_and_pydicom_and_nibabel_read_it()
    {
        var created = await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases",
            Body("lung", splits: new { fractions = new[] { 0.34, 0.33, 0.33 }, stratify = new[] { "sex" }, seed = 1 })), HttpStatusCode.Created);
        var id = (string)created["id"]!;
        Assert.Equal(4, (int)created["size"]!);

        var listed = Assert.Single((await s.As("dev").GetFromJsonAsync<JsonArray>($"/api/projects/{Project}/releases"))!);
        Assert.Equal(id, (string)listed!["id"]!);
        var sheet = await JsonOf(await s.As("dev").GetAsync($"/api/releases/{id}"));
        Assert.Equal("passed", (string)sheet["datasheet"]!["leakageCheck"]!["result"]!);
        Assert.Equal(4, sheet["cases"]!.AsArray().Count);

        var response = Ok(await s.As("dev").GetAsync($"/api/releases/{id}/download"));
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        var folder = Path.Combine(s.DataFolder, "unzipped");
        using (var zip = new ZipArchive(await response.Content.ReadAsStreamAsync()))
            zip.ExtractToDirectory(folder);
        var root = Path.Combine(folder, "lung-v1");
        var tsv = File.ReadAllLines(Path.Combine(root, "cases.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.Equal(["case-0001", "case-0002", "case-0003", "case-0004"], tsv.Select(r => r[0]));
        Assert.True(File.Exists(Path.Combine(root, "datasheet.json")) && File.Exists(Path.Combine(root, "datasheet.html")));

        // Every case's DICOM files carry its patient pseudonym, and its NIfTI volume has the DICOM's rows, columns and slices.
        var script = """
            import sys, os, glob, pydicom, nibabel
            root = sys.argv[1]
            for case in sorted(os.listdir(os.path.join(root, "images"))):
                files = sorted(glob.glob(os.path.join(root, "images", case, "*.dcm")))
                ds = [pydicom.dcmread(f) for f in files]
                img = nibabel.load(os.path.join(root, "nifti", case + ".nii.gz"))
                print(case, ds[0].PatientID, len(files), ds[0].Columns, ds[0].Rows, *img.shape[:3])
            """;
        var lines = RunPython(script, root);
        Assert.Equal(4, lines.Count);
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            var row = tsv.Single(r => r[0] == f[0]);
            Assert.Equal(row[1], f[1]);
            Assert.Equal((f[3], f[4], f[2]), (f[5], f[6], f[7])); // columns, rows, slices
        }
        var audit = (await s.Archive.Audit.ReadAsync(1, 100_000)).Where(r => r.Action == AuditActions.DatasetDownload).ToList();
        Assert.Equal(("dev", "success"), (Assert.Single(audit).Actor, audit[0].Outcome));
    }

    [Fact]
    public async Task Only_stewards_make_releases_only_developers_and_stewards_download_and_non_members_are_told_nothing()
    {
        var denied = await JsonOf(await s.As("dev").PostAsJsonAsync($"/api/projects/{Project}/releases", Body("x")), HttpStatusCode.Forbidden);
        Assert.Contains("steward", (string)denied["detail"]!);
        var bad = await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", new { name = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("'datasheet'", (string)bad["detail"]!);
        var id = (string)(await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("lung")), HttpStatusCode.Created))["id"]!;
        Ok(await s.As("reader").GetAsync($"/api/releases/{id}"));
        Ok(await s.As("reader").GetAsync($"/api/releases/{id}/download"), HttpStatusCode.Forbidden);
        Ok(await s.As("dev2").GetAsync($"/api/releases/{id}"), HttpStatusCode.NotFound);
        Ok(await s.As("dev2").GetAsync($"/api/releases/{id}/download"), HttpStatusCode.NotFound);
        Ok(await s.As("dev2").GetAsync($"/api/projects/{Project}/releases"), HttpStatusCode.NotFound);
        Ok(await s.Steward.GetAsync($"/api/releases/{id}/download"));
        Ok(await s.Steward.GetAsync($"/api/releases/{new string('0', 64)}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_release_sharing_a_patient_with_a_training_release_is_refused_with_409_naming_the_pseudonym()
    {
        var series = await s.SeriesAsync();
        var mr = series.Single(x => x.Modality == "MR");
        Ok(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("train", series: new[] { mr.Series })), HttpStatusCode.Created);
        var refused = await JsonOf(await s.Steward.PostAsJsonAsync($"/api/projects/{Project}/releases", Body("test", "test", new[] { mr.Series })), HttpStatusCode.Conflict);
        var detail = (string)refused["detail"]!;
        Assert.Contains($"patient '{mr.Patient}'", detail);
        Assert.DoesNotContain(mr.Series, detail);
        Assert.DoesNotContain(mr.Study, detail);
    }

    internal static List<string> RunPython(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
