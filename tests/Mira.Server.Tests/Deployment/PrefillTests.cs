using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Imaging.Volumes;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Deployment;
using Mira.Storage.Jobs;
using Mira.Testing;

using Mira.Server.Tests.Models;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// Pre-annotation and active learning: a project attaches a PET lesion model with probabilities; the tasks of a batch
/// created afterwards are each pre-filled with the model's output (an import version, tool model-prefill, author the
/// model) and get the model's uncertainty, by which an annotator's queue is ordered.
/// </summary>
public sealed class PrefillTests(PrefillTests.World world) : IClassFixture<PrefillTests.World>
{
    public sealed class World : TestArchive
    {
        public const string Project = "pet-al";
        public IReadOnlyList<DemoCohortCase> Cohort { get; } = DemoCohort.PetLesions(3, seed: 23);

        public World() => RuleCopies = new JobOptions { RetryDelay = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(250) };

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var package = Path.Combine(DataFolder, "pet-soft");
            ExternalTool.Run("/usr/bin/python3", Path.Combine(Corpus.RepositoryRoot, "tests", "Mira.Server.Tests", "Deployment", "build_soft_pet_model.py"), package);
            var dev = new AnnotationActor("dev", [Roles.Developer]);
            await Archive.Models.AddAsync(dev, ModelPackage.Open(package));
            await foreach (var r in Archive.Ingest.StoreManyAsync(Cohort.SelectMany(c => c.Instances).Select(i => (ReadOnlyMemory<byte>)i.Bytes), new IngestSource("test")))
                Assert.Equal(StoreOutcome.Stored, r.Outcome);
            foreach (var u in new[] { "a1", "a2", "rv", "ar" }) await Archive.Accounts.CreateUserAsync(u, UserPassword, [Roles.Annotator]);
            var steward = Basic("steward", UserPassword);
            EvaluationServer.Ok(await steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "PET active learning", recipe = "research" }), HttpStatusCode.Created);
            foreach (var u in new[] { "a1", "a2", "rv", "ar" }) EvaluationServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = u, role = "member" }));
            EvaluationServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol = "petct-tumour-metabolism" }));
            EvaluationServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/copy", new { studies = Cohort.Select(c => c.StudyInstanceUid) }));
        }
    }

    [Fact]
    public async Task Tasks_created_after_a_model_is_attached_are_pre_filled_and_the_queue_is_ordered_by_its_uncertainty()
    {
        var steward = world.Basic("steward", TestArchive.UserPassword);
        var refused = await steward.PutAsJsonAsync($"/api/projects/{World.Project}/model", new { model = "no-such-model@1.0.0" });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        EvaluationServer.Ok(await steward.PutAsJsonAsync($"/api/projects/{World.Project}/model", new { model = "pet-soft-test@1.0.0" }));

        var project = await world.Archive.Projects.Archives.GetAsync(World.Project);
        var studies = (await project.Index.QueryStudiesAsync(Mira.Storage.Query.QidoQuery.Empty)).Select(d => d.GetString(Mira.Dicom.DicomTags.StudyInstanceUID)!).ToList();
        Assert.Equal(3, studies.Count);
        var batch = JsonNode.Parse(await EvaluationServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{World.Project}/tasks/batch", new
        {
            studies, protocol = "petct-tumour-metabolism", annotators = new[] { "a1", "a2" }, reviewer = "rv", arbitrator = "ar", batch = "al-1", qcFraction = 0, seed = 1,
        }), HttpStatusCode.Created).Content.ReadAsStringAsync())!;
        var ids = batch["ids"]!.AsArray().Select(t => (long)t!).ToList();

        var predictions = await WaitAsync(async () =>
        {
            var p = await world.Archive.Deployments.TaskPredictionsAsync(ids);
            return p.Count == ids.Count && p.All(x => x.State is "done" or "refused") ? p : null;
        });
        Assert.All(predictions, p => Assert.Equal("done", p.State));
        Assert.All(predictions, p => Assert.InRange(p.Uncertainty!.Value, 1e-6, 1.0));
        foreach (var id in ids)
        {
            var versions = await world.Archive.Annotations.Store.VersionsAsync(id);
            var prefill = Assert.Single(versions);
            Assert.Equal(("import", "model:pet-soft-test@1.0.0", "model-prefill"), (prefill.Role, prefill.Author, prefill.Tool));
            Assert.Equal("open", (await world.Archive.Annotations.Store.GetTaskAsync(id))!.State);
        }

        // The annotator's queue, least certain case first, with the model's figures.
        var queue = JsonNode.Parse(await world.Basic("a1", TestArchive.UserPassword).GetStringAsync("/api/me/tasks?order=uncertainty"))!.AsArray();
        var listed = queue.Select(t => ((long)t!["id"]!, (double)t["prefill"]!["uncertainty"]!)).ToList();
        Assert.Equal(ids.Order(), listed.Select(x => x.Item1).Order());
        Assert.Equal(listed.Select(x => x.Item2).OrderDescending(), listed.Select(x => x.Item2));
        Assert.Equal(predictions.ToDictionary(p => p.Task, p => p.Uncertainty!.Value), listed.ToDictionary(x => x.Item1, x => x.Item2));
        var bad = await world.Basic("a1", TestArchive.UserPassword).GetAsync("/api/me/tasks?order=random");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public void Uncertainty_is_the_mean_binary_entropy_over_the_voxels_the_model_considered_as_numpy_computes_it()
    {
        var rng = new Random(5);
        var values = Enumerable.Range(0, 4000).Select(i => i % 3 == 0 ? 0.0 : i % 7 == 0 ? 1.0 : rng.NextDouble()).Select(v => (float)v).ToArray();
        var volume = Volume.Create([20, 20, 10], VoxelType.Float32, VolumeGeometry.Identity());
        for (var i = 0; i < values.Length; i++) volume.SetValue(i, values[i]);
        var dir = Directory.CreateTempSubdirectory("mira-uncertainty-").FullName;
        File.WriteAllBytes(Path.Combine(dir, "p.f32"), values.SelectMany(BitConverter.GetBytes).ToArray());
        var expected = double.Parse(ExternalTool.Run("/usr/bin/python3", "-c", """
            import sys, numpy as np
            p = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64)
            p = p[p >= 0.01]
            q = p[p < 1]
            h = -(q * np.log2(q) + (1 - q) * np.log2(1 - q))
            print(repr(h.sum() / p.size))
            """, Path.Combine(dir, "p.f32")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, DeploymentService.Uncertainty(volume), 12);
        Directory.Delete(dir, recursive: true);
    }

    static async Task<T> WaitAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found) return found;
            await Task.Delay(250);
        }
        throw new TimeoutException("the pre-fill jobs did not end within 3 minutes");
    }
}
