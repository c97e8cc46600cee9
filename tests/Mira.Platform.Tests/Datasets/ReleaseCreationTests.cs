using System.Text.Json.Nodes;
using Mira.Platform.Audit;
using Mira.Platform.Datasets;

namespace Mira.Platform.Tests.Datasets;

/// <summary>Releases on a real platform (SQLite): splits, the datasheet, the id, the leakage check, the tree.</summary>
public sealed class ReleaseCreationTests : IAsyncLifetime
{
    readonly DatasetPlatform f = new();
    public Task InitializeAsync() => f.InitializeAsync();
    public Task DisposeAsync() => f.DisposeAsync();

    DatasetService S => f.Service;

    [Fact]
    public async Task Makes_a_training_release_split_by_patient_with_a_datasheet()
    {
        var release = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("lung", splits: new { fractions = new[] { 0.34, 0.33, 0.33 }, seed = 3 }));
        Assert.Equal(64, release.Id.Length);
        Assert.Equal(4, release.Size);
        Assert.Equal(["case-0001", "case-0002", "case-0003", "case-0004"], release.Cases.Select(c => c.CaseId));
        Assert.Equal(3, release.Cases.Select(c => c.Patient).Distinct().Count());
        foreach (var g in release.Cases.GroupBy(c => c.Patient)) Assert.Single(g.Select(c => c.Split).Distinct());
        Assert.Equal(3, release.Cases.Select(c => c.Split).Distinct().Count()); // three patients, one per split
        var sheet = JsonNode.Parse(release.DatasheetJson)!;
        Assert.Equal("Research on lesion detection", (string)sheet["intendedUse"]!);
        Assert.Equal("passed", (string)sheet["leakageCheck"]!["result"]!);
        Assert.Equal(4, (int)sheet["size"]!["cases"]!);
        Assert.Equal("research", (string)sheet["deidentification"]!["recipe"]!);
        Assert.NotEmpty(sheet["deidentification"]!["runs"]!.AsArray());
        Assert.Equal(4, sheet["distributions"]!["sex"]!["all"]!.AsObject().Sum(kv => (int)kv.Value!));
        Assert.Equal("version 1: first release", (string)sheet["changelog"]![0]!);
        Assert.DoesNotContain("case-0001", release.DatasheetJson); // the datasheet counts cases, it does not list them
        var audit = (await f.Platform.Audit.ReadAsync(1, 10_000)).Where(r => r.Action == AuditActions.DatasetRelease).ToList();
        Assert.Equal($"release:{release.Id}", Assert.Single(audit).Resource);
    }

    [Fact]
    public async Task The_id_is_the_same_for_the_same_content_and_changes_when_one_voxel_changes()
    {
        var request = DatasetPlatform.Request("stable");
        var a = (await S.PlanAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request)).Release;
        var b = (await S.PlanAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request)).Release;
        Assert.Equal(a.Id, b.Id);
        var mr = (await f.SeriesAsync()).Single(s => s.Modality == "MR");
        await f.ChangeOneVoxelAsync(mr.Study, mr.Series);
        var c = (await S.PlanAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, request)).Release;
        Assert.NotEqual(a.Id, c.Id);
        var changed = a.Cases.Zip(c.Cases).Where(p => p.First.PixelSha256 != p.Second.PixelSha256).ToList();
        Assert.Equal(mr.Series, Assert.Single(changed).First.SeriesInstanceUid);
    }

    [Fact]
    public async Task Refuses_a_release_where_one_patient_is_in_two_splits()
    {
        var pet = (await f.SeriesAsync()).Where(s => s.Modality is "PT").Single();
        var petCt = (await f.SeriesAsync()).Single(s => s.Patient == pet.Patient && s.Modality == "CT");
        var e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("leaky", assign: new Dictionary<string, string> { [pet.Series] = "train", [petCt.Series] = "test" })));
        Assert.Equal(DatasetRefusal.Conflict, e.Kind);
        Assert.Contains($"patient '{pet.Patient}' is in 2 splits", e.Message);
        Assert.Empty(await S.Store.ListAsync(DatasetPlatform.ProjectId));
    }

    [Fact]
    public async Task Refuses_a_release_where_the_same_image_under_new_uids_is_in_two_splits()
    {
        var mr = (await f.SeriesAsync()).Single(s => s.Modality == "MR");
        var copy = await f.PlantCopyAsync(mr.Study, mr.Series, "PLANTED-1");
        var e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("dup", assign: new Dictionary<string, string> { [mr.Series] = "train", [copy] = "test" })));
        Assert.Equal(DatasetRefusal.Conflict, e.Kind);
        Assert.Contains("one image (pixel data SHA-256", e.Message);
        Assert.Contains("patient 'PLANTED-1'", e.Message);
        Assert.DoesNotContain(mr.Series, e.Message);
        Assert.DoesNotContain(copy, e.Message);
        var refused = (await f.Platform.Audit.ReadAsync(1, 10_000)).Single(r => r.Action == AuditActions.DatasetRelease);
        Assert.Equal("failure", refused.Outcome);
    }

    [Fact]
    public async Task Refuses_a_test_release_that_shares_a_patient_or_an_image_with_a_training_release_and_the_reverse()
    {
        var series = await f.SeriesAsync();
        var mr = series.Single(s => s.Modality == "MR");
        var ct = series.Single(s => s.Modality == "CT" && s.Patient != series.Single(x => x.Modality == "PT").Patient);
        await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("train", series: new[] { mr.Series }));
        // The same patient in a test set.
        var e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("held-out", ReleaseKinds.Test, series: new[] { mr.Series })));
        Assert.Contains($"patient '{mr.Patient}' (case-0001) is already in the training release 'train' version 1", e.Message);
        // The same image, re-sent under new UIDs as another patient, in a sequestered set.
        var copy = await f.PlantCopyAsync(mr.Study, mr.Series, "PLANTED-2");
        e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { copy })));
        Assert.Contains("has the same pixel data as case-0001 of the training release 'train' version 1", e.Message);
        // A sequestered set of another patient is fine; then no training release may take its case.
        var vault = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { ct.Series }));
        Assert.All(vault.Cases, c => Assert.Equal(Splits.Test, c.Split));
        e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("train2", series: new[] { mr.Series, ct.Series })));
        Assert.Contains("is already in the sequestered release 'vault' version 1", e.Message);
    }

    [Fact]
    public async Task A_new_version_supersedes_the_last_and_keeps_its_changelog()
    {
        var ct = (await f.SeriesAsync()).First(s => s.Modality == "CT");
        var v1 = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { ct.Series }));
        var v2 = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { ct.Series }, changelog: "refreshed"));
        Assert.Equal(2, v2.Version);
        Assert.Equal(v1.Id, v2.Supersedes);
        Assert.NotEqual(v1.Id, v2.Id);
        var log = JsonNode.Parse(v2.DatasheetJson)!["changelog"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Equal(["version 1: first release", "version 2: refreshed"], log);
        var e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("vault", ReleaseKinds.Test, series: new[] { ct.Series })));
        Assert.Equal(DatasetRefusal.Invalid, e.Kind);
    }

    [Fact]
    public async Task Only_stewards_make_releases_and_a_developer_sees_a_sequestered_release_only_as_a_summary()
    {
        var e = await Assert.ThrowsAsync<DatasetRefusedException>(() => S.CreateAsync(DatasetPlatform.Developer, DatasetPlatform.ProjectId, DatasetPlatform.Request("x")));
        Assert.Equal(DatasetRefusal.Forbidden, e.Kind);
        var ct = (await f.SeriesAsync()).First(s => s.Modality == "CT");
        var vault = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { ct.Series }));
        var listed = Assert.Single(await S.ListAsync(DatasetPlatform.Developer, DatasetPlatform.ProjectId));
        Assert.Equal((vault.Id, 1, "{}"), (listed.Id, listed.Size, listed.DatasheetJson));
        Assert.Empty(listed.Cases);
        Assert.Equal(DatasetRefusal.Forbidden, (await Assert.ThrowsAsync<DatasetRefusedException>(() => S.GetAsync(DatasetPlatform.Developer, vault.Id))).Kind);
        Assert.Equal(DatasetRefusal.NotFound, (await Assert.ThrowsAsync<DatasetRefusedException>(() => S.ListAsync(DatasetPlatform.Outsider, DatasetPlatform.ProjectId))).Kind);
        var hidden = await S.SequesteredCasesAsync(DatasetPlatform.Developer, DatasetPlatform.ProjectId);
        Assert.True(hidden.HidesSeries(ct.Series) && hidden.HidesStudy(ct.Study));
        Assert.True((await S.SequesteredCasesAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId)).IsEmpty);
    }

    [Fact]
    public async Task The_evaluation_runner_materialises_a_sequestered_release_as_the_download_tree()
    {
        var ct = (await f.SeriesAsync()).First(s => s.Modality == "CT");
        var vault = await S.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { ct.Series }));
        var folder = Path.Combine(f.DataFolder, "eval-out");
        var summary = await S.MaterialiseForEvaluationAsync(vault.Id, folder, "evaluation:run-1");
        Assert.Equal((1, 1), (summary.Cases, summary.Volumes));
        Assert.Equal(Directory.GetFiles(Path.Combine(folder, "images", "case-0001")).Length, summary.Images);
        Assert.True(File.Exists(Path.Combine(folder, "nifti", "case-0001.nii.gz")));
        var tsv = File.ReadAllLines(Path.Combine(folder, "cases.tsv"));
        Assert.Equal("case\tpatient\tsplit\tsite\tdevice\tage_band\tsex\tgrade", tsv[0]);
        Assert.StartsWith($"case-0001\t{ct.Patient}\ttest\t", tsv[1]);
        Assert.True(File.Exists(Path.Combine(folder, "datasheet.json")) && File.Exists(Path.Combine(folder, "datasheet.html")));
        var record = (await f.Platform.Audit.ReadAsync(1, 10_000)).Single(r => r.Action == AuditActions.DatasetMaterialise);
        Assert.Equal("evaluation:run-1", record.Actor);
    }
}
