using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Evaluations;
using Mira.Platform.Jobs;
using Mira.Platform.Jobs.Executors;
using Mira.Server.Tests.Web;
using Mira.Storage.Evaluations;
using Mira.Storage.Jobs;
using Mira.Testing;

namespace Mira.Server.Tests.Models;

/// <summary>
/// The platform's evaluation job with its model worker on a real Slurm cluster (<see cref="SlurmCluster"/>), as
/// <c>mira serve --executor slurm</c> runs it: the PET baseline submitted to a phase on a labelled test release is scored
/// through a Slurm job, with the per-case figures of a local worker on the same release; cancelling the Mira job
/// cancels its Slurm job (it is gone from squeue).
/// </summary>
public sealed class SlurmEvaluationJobTests : IClassFixture<SlurmEvaluationJobTests.World>
{
    /// <summary>A server whose evaluation jobs run their workers on a private Slurm cluster; project <c>pet</c> with a labelled test release and a phase.</summary>
    public sealed class World : TestArchive
    {
        public const string Project = "pet";
        public const string Phase = "pet-dice";
        public const string Model = "pet-suv41-baseline";

        public SlurmCluster Cluster { get; } = new();
        public string ReleaseId { get; private set; } = "";
        public AnnotationActor Dev { get; } = new("dev", [Roles.Developer]);

        // The job worker runs only when a test starts it; a short heartbeat so a cancellation is seen at once.
        public World() => RuleCopies = new JobOptions { Worker = false, Heartbeat = TimeSpan.FromMilliseconds(200) };

        protected override EvaluationOptions? Evaluations => new()
        {
            WorkerCommand = MiraExecutable.Command(), WorkerThreads = 1, WorkerMemoryBytes = 2L << 30, WorkerTimeout = TimeSpan.FromMinutes(5), BootstrapReplicates = 200,
            Executor = new ExecutorOptions
            {
                Kind = ExecutorKind.Slurm,
                Slurm = new SlurmOptions { Partition = SlurmCluster.Partition, ConfigFile = Cluster.ConfigFile, PollInterval = TimeSpan.FromMilliseconds(250) },
            },
        };

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await Archive.Accounts.CreateUserAsync("dev", UserPassword, [Roles.Developer]);
            using var steward = Basic("steward", UserPassword);
            await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "PET lesions", recipe = "research" }), HttpStatusCode.Created);
            await EvaluationPagesServer.Ok(await steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = "dev", role = "member" }));
            await Archive.Models.AddAsync(Dev, ModelPackage.Open(Path.Combine(Corpus.RepositoryRoot, "models", Model)));
            ReleaseId = await LabelledPetRelease.CreateAsync(this, Project, patients: 3, seed: 7);
            await Archive.Evaluations.CreatePhaseAsync(new AnnotationActor("steward", [Roles.Steward]),
                new PhaseRequest(Phase, "PET lesion segmentation", Project, ReleaseId, "petct-tumour-metabolism", "dice", null, null, 10, 10));
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Cluster.Dispose();
        }

        /// <summary>The evaluation job of a submission.</summary>
        public async Task<Job> JobOfAsync(EvaluationRecord e) =>
            await Archive.Jobs.GetAsync(e.Job ?? throw new InvalidOperationException($"evaluation {e.Id} has no job")) ?? throw new InvalidOperationException($"no job {e.Job}");
    }

    readonly World world;

    public SlurmEvaluationJobTests(World world) => this.world = world;

    [Fact]
    public async Task An_evaluation_job_runs_its_model_as_a_Slurm_job_and_scores_what_a_local_worker_scores()
    {
        var submitted = await world.Archive.Evaluations.SubmitAsync(world.Dev, World.Phase, World.Model, "1.0.0");
        var finished = await RunJobsUntilAsync(() => world.Archive.Evaluations.Store.GetAsync(submitted.Id), e => e!.State is EvaluationStates.Succeeded or EvaluationStates.Failed);

        var job = await world.JobOfAsync(submitted);
        var log = await world.Archive.Jobs.Store.GetLogAsync(job.Id) ?? "";
        Assert.True(finished!.State == EvaluationStates.Succeeded, $"{finished.Error}\n{log}");
        Assert.Contains("(slurm executor)", log);
        Assert.Empty(world.Cluster.QueuedJobIds());

        // The same release and package through a local worker process.
        var folder = Directory.CreateTempSubdirectory("mira-slurm-local-").FullName;
        try
        {
            await world.Archive.Datasets.MaterialiseForEvaluationAsync(world.ReleaseId, Path.Combine(folder, "test-set"), "test");
            var local = await new EvaluationRunner(new ProcessModelWorker(MiraExecutable.Command()!), Path.Combine(folder, "key.pem")).RunAsync(
                new EvaluationRunRequest(Path.Combine(Corpus.RepositoryRoot, "models", World.Model), Path.Combine(folder, "test-set", "images"),
                    Path.Combine(folder, "test-set", "labels"), Path.Combine(folder, "test-set", "cases.tsv"), Path.Combine(folder, "report")) { BootstrapReplicates = 200 });
            Assert.Equal(PerCase(await File.ReadAllBytesAsync(Path.Combine(folder, "report", "report.json"))),
                PerCase(await world.Archive.Evaluations.ReportFileAsync(world.Dev, submitted.Id, "report.json")));
            Assert.Equal(EvaluationSummaries.Score(local.Results, "dice"), finished.Score!.Value, 12);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public async Task Cancelling_an_evaluation_job_cancels_its_Slurm_job()
    {
        // A job that holds every CPU of the node keeps the evaluation's Slurm job pending until it is cancelled.
        var (code, blocker) = world.Cluster.Command("sbatch", "--parsable", "--cpus-per-task=" + world.Cluster.Cpus, "--output=/dev/null", "--wrap=sleep 300");
        Assert.True(code == 0, blocker);
        try
        {
            var submitted = await world.Archive.Evaluations.SubmitAsync(world.Dev, World.Phase, World.Model, "1.0.0");
            var job = await world.JobOfAsync(submitted);
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var worker = world.Archive.CreateJobWorker().RunAsync(stop.Token);
            try
            {
                while (world.Cluster.QueuedJobIds().Count < 2) await Task.Delay(100, stop.Token);
                Assert.True(await world.Archive.Jobs.CancelAsync(job.Id));
                while ((await world.Archive.Jobs.GetAsync(job.Id))!.State != JobStates.Cancelled) await Task.Delay(100, stop.Token);
            }
            finally
            {
                await stop.CancelAsync();
                await worker;
            }
            Assert.Equal([blocker.Trim()], world.Cluster.QueuedJobIds());
        }
        finally
        {
            world.Cluster.Command("scancel", blocker.Trim());
        }
    }

    async Task<T> RunJobsUntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var worker = world.Archive.CreateJobWorker().RunAsync(stop.Token);
        try
        {
            while (true)
            {
                var now = await read();
                if (done(now)) return now;
                await Task.Delay(200, stop.Token);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await worker;
        }
    }

    /// <summary>Each case's id, metrics and ranking value (its inference time differs between any two runs).</summary>
    static List<string> PerCase(byte[] reportJson)
    {
        using var doc = JsonDocument.Parse(reportJson);
        return [.. doc.RootElement.GetProperty("per_case").EnumerateArray().Select(c =>
            $"{c.GetProperty("case_id").GetString()} {c.GetProperty("structures").GetRawText()} {c.GetProperty("ranking_value").GetRawText()}")];
    }
}
