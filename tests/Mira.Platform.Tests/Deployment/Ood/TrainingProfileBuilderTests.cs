using Mira.Platform.Datasets;
using Mira.Platform.Deployment.Ood;
using Mira.Platform.Tests.Datasets;

namespace Mira.Platform.Tests.Deployment.Ood;

/// <summary>Profiles of a real release (the demo project's CT, MR and PET series on SQLite), from the archive and from its tree.</summary>
public sealed class TrainingProfileBuilderTests : IAsyncLifetime
{
    readonly DatasetPlatform f = new();
    public Task InitializeAsync() => f.InitializeAsync();
    public Task DisposeAsync() => f.DisposeAsync();

    [Fact]
    public async Task A_release_makes_the_same_profile_from_the_archive_and_from_its_tree_and_is_audited()
    {
        var release = await f.Service.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("ood"));
        var builder = new TrainingProfileBuilder(f.Service, f.Platform.Projects.Archives, f.Platform.Audit);
        var profile = await builder.BuildAsync(release.Id, "deployment:test");
        Assert.Equal(["CT", "MR", "PT"], profile.Modalities.Keys);
        Assert.Equal(2, profile.Modalities["CT"].Series);
        Assert.Equal($"release:{release.Id}", profile.Source);

        var tree = Path.Combine(f.DataFolder, "tree");
        await f.Service.MaterialiseForEvaluationAsync(release.Id, tree, "evaluation:test");
        var fromTree = TrainingProfileBuilder.FromTree(tree, $"release:{release.Id}");
        Assert.Equal(TrainingProfileJson.ToJson(profile), TrainingProfileJson.ToJson(fromTree));

        // A case of the release scores 0 against it; its MR scored against a CT-only profile is another modality.
        var ct = Directory.EnumerateDirectories(Path.Combine(tree, "images")).Order(StringComparer.Ordinal)
            .Select(d => SeriesFeatureReader.ReadFolder(d)).First(s => s.Modality == "CT");
        var r = OodScorer.Score(profile, ct);
        Assert.False(r.OutsideValidatedRange);
        Assert.Equal(0, r.Score);

        // The intake's original of the demo PET (de-identified copies are in the release) scored from its stored instances.
        var pet = await f.Platform.Index.FindInstancesAsync(Mira.Platform.Demo.DemoStudies.StudyUid("pt"));
        var petSeries = pet.GroupBy(i => i.SeriesInstanceUid).Select(g => g.ToList()).ToList();
        foreach (var series in petSeries)
        {
            var scored = await OodGuard.ScoreAsync(profile, f.Platform.Blobs, series);
            Assert.False(scored.OutsideValidatedRange, string.Join("; ", scored.Reasons));
            Assert.Equal(0, scored.Score);
        }
        Assert.Equal(2, petSeries.Count); // the PET and its CT

        var audit = (await f.Platform.Audit.ReadAsync(1, 10_000)).Where(a => a.Action == TrainingProfileBuilder.AuditAction).ToList();
        var entry = Assert.Single(audit);
        Assert.Equal("deployment:test", entry.Actor);
        Assert.Equal($"release:{release.Id}", entry.Resource);

        var e = await Assert.ThrowsAsync<OodException>(() => builder.BuildAsync(new string('0', 64), "deployment:test"));
        Assert.Contains("no release", e.Message);
    }

    [Fact]
    public async Task Refuses_a_sequestered_release_and_audits_the_refusal()
    {
        var mr = (await f.SeriesAsync()).Single(s => s.Modality == "MR");
        var vault = await f.Service.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId,
            DatasetPlatform.Request("vault", ReleaseKinds.Sequestered, series: new[] { mr.Series }));
        var builder = new TrainingProfileBuilder(f.Service, f.Platform.Projects.Archives, f.Platform.Audit);
        var e = await Assert.ThrowsAsync<OodException>(() => builder.BuildAsync(vault.Id, "deployment:test"));
        Assert.Contains("is sequestered", e.Message);
        var entry = Assert.Single(await f.Platform.Audit.ReadAsync(1, 10_000), a => a.Action == TrainingProfileBuilder.AuditAction);
        Assert.Equal("denied", entry.Outcome);
    }

    [Fact]
    public async Task A_model_with_two_training_releases_gets_one_profile_of_both()
    {
        var mr = (await f.SeriesAsync()).Single(s => s.Modality == "MR");
        var all = await f.Service.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("all"));
        var mrOnly = await f.Service.CreateAsync(DatasetPlatform.Steward, DatasetPlatform.ProjectId, DatasetPlatform.Request("mr", series: new[] { mr.Series }));
        var builder = new TrainingProfileBuilder(f.Service, f.Platform.Projects.Archives, f.Platform.Audit);
        var profile = await builder.BuildAsync([all.Id, mrOnly.Id], "deployment:test");
        Assert.Equal($"release:{all.Id},{mrOnly.Id}", profile.Source);
        Assert.Equal(2, profile.Modalities["MR"].Series);
        Assert.Equal(2, profile.Modalities["CT"].Series);
        Assert.Equal(2, (await f.Platform.Audit.ReadAsync(1, 10_000)).Count(a => a.Action == TrainingProfileBuilder.AuditAction));
        await Assert.ThrowsAsync<OodException>(() => builder.BuildAsync(Array.Empty<string>(), "deployment:test"));
    }
}
