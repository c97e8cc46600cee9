using System.Text.Json;
using Mira.Imaging.Nifti;
using Mira.Platform.Demo;
using Mira.Platform.Evaluations;
using Mira.Platform.Jobs.Executors;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// Real model runs through a real Slurm cluster (<see cref="SlurmCluster"/>): the EANM 41 % PET baseline (models/) on a
/// synthetic PET cohort, evaluated once with the local worker and once with the Slurm worker (the built <c>mira</c> as
/// the worker command both times). The predictions are the same voxels and the report's per-case figures the same
/// numbers; <c>mira eval offline --executor slurm</c> gives them too.
/// </summary>
public sealed class SlurmEvaluationTests : IClassFixture<SlurmEvaluationTests.Runs>
{
    /// <summary>One cluster, one cohort, and the same evaluation run locally and through Slurm, once for the class.</summary>
    public sealed class Runs : IDisposable
    {
        public SlurmCluster Cluster { get; } = new();
        public string Folder { get; } = Directory.CreateTempSubdirectory("mira-slurm-eval-").FullName;
        public string TestSet => Path.Combine(Folder, "test-set");
        public static string Package => Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline");
        public static IReadOnlyList<string> Mira => [Path.Combine(AppContext.BaseDirectory, "mira")];
        public SlurmOptions Slurm => new() { Partition = SlurmCluster.Partition, ConfigFile = Cluster.ConfigFile, PollInterval = TimeSpan.FromMilliseconds(250) };
        public EvaluationRunResult Local { get; }
        public EvaluationRunResult OnSlurm { get; }

        public Runs()
        {
            try
            {
                DemoCohortFolder.Write(DemoCohort.PetLesions(4, seed: 3), TestSet);
                Local = Evaluate(new ProcessModelWorker(Mira), "local");
                OnSlurm = Evaluate(new SlurmModelWorker(Mira, Slurm), "slurm");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public string Predictions(string name) => Path.Combine(Folder, name, "predictions");
        public string Report(string name) => Path.Combine(Folder, name, "report");

        EvaluationRunResult Evaluate(IModelWorker worker, string name) =>
            new EvaluationRunner(worker, Path.Combine(Folder, "key.pem")).RunAsync(
                new EvaluationRunRequest(Package, Path.Combine(TestSet, "images"), Path.Combine(TestSet, "labels"), Path.Combine(TestSet, "cases.tsv"), Report(name))
                {
                    Predictions = Predictions(name), BootstrapReplicates = 200,
                    Limits = new ModelWorkerLimits(TimeSpan.FromMinutes(5), 2L << 30, true, 1),
                }).GetAwaiter().GetResult();

        public void Dispose()
        {
            Cluster.Dispose();
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }

    readonly Runs runs;

    public SlurmEvaluationTests(Runs runs) => this.runs = runs;

    [Fact]
    public void A_model_run_through_Slurm_writes_the_same_predictions_as_the_local_worker()
    {
        Assert.True(runs.OnSlurm.Worker.Succeeded, runs.OnSlurm.Worker.OutputTail);
        Assert.Equal(0, runs.OnSlurm.Worker.ExitCode);
        var local = Directory.GetFiles(runs.Predictions("local"), "*.nii.gz").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var slurm = Directory.GetFiles(runs.Predictions("slurm"), "*.nii.gz").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(local, slurm);
        Assert.Contains("case-", string.Join(' ', local)); // label maps and probabilities of every case
        foreach (var file in local)
        {
            var a = NiftiVolumes.ReadVolume(Path.Combine(runs.Predictions("local"), file!));
            var b = NiftiVolumes.ReadVolume(Path.Combine(runs.Predictions("slurm"), file!));
            Assert.Equal(a.Size, b.Size);
            Assert.Equal(a.Type, b.Type);
            Assert.True(a.Geometry.ApproximatelyEquals(b.Geometry, 0), file);
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), $"{file}: the voxels differ");
        }
        Assert.Empty(runs.Cluster.QueuedJobIds());
    }

    [Fact]
    public void An_evaluation_through_Slurm_gives_the_same_per_case_metrics_as_the_local_one()
    {
        var local = PerCase(runs.Report("local"));
        var slurm = PerCase(runs.Report("slurm"));
        Assert.Equal(4, local.Count);
        Assert.Equal(local, slurm);
        Assert.Equal(runs.Local.Results.Cases, runs.OnSlurm.Results.Cases);
    }

    [Fact]
    public void Mira_eval_offline_runs_its_worker_on_Slurm_when_asked_and_refuses_Slurm_options_without_it()
    {
        var report = Path.Combine(runs.Folder, "cli", "report");
        var (code, output) = ExternalTool.Exec(Runs.Mira[0], ["eval", "offline", "--model", Runs.Package,
            "--images", Path.Combine(runs.TestSet, "images"), "--labels", Path.Combine(runs.TestSet, "labels"), "--cases", Path.Combine(runs.TestSet, "cases.tsv"),
            "--out", report, "--key", Path.Combine(runs.Folder, "key.pem"), "--replicates", "200", "--threads", "1",
            "--executor", "slurm", "--slurm-partition", SlurmCluster.Partition, "--slurm-conf", runs.Cluster.ConfigFile], TimeSpan.FromMinutes(5));

        Assert.True(code == 0, output);
        Assert.Equal(PerCase(runs.Report("local")), PerCase(report));
        var (refused, message) = ExternalTool.Exec(Runs.Mira[0], ["eval", "offline", "--model", Runs.Package, "--images", Path.Combine(runs.TestSet, "images"),
            "--out", Path.Combine(runs.Folder, "cli", "refused"), "--slurm-partition", "gpu"]);
        Assert.Equal(1, refused);
        Assert.Contains("--slurm-partition is for --executor slurm", message);
        Assert.False(Directory.Exists(Path.Combine(runs.Folder, "cli", "refused")));
    }

    /// <summary>Each case's id, metrics and ranking value (its inference time left out: that differs between any two runs).</summary>
    static List<string> PerCase(string report)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(report, "report.json")));
        return [.. doc.RootElement.GetProperty("per_case").EnumerateArray().Select(c =>
            $"{c.GetProperty("case_id").GetString()} {c.GetProperty("structures").GetRawText()} {c.GetProperty("ranking_value").GetRawText()}")];
    }
}
