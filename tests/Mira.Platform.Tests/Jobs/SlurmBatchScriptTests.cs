using System.Diagnostics;
using Mira.Platform.Evaluations;
using Mira.Platform.Jobs.Executors;
using Mira.Storage.Jobs;

namespace Mira.Platform.Tests.Jobs;

/// <summary>
/// What a model worker's batch script asks of Slurm (pure text: no cluster, no GPU needed), how Slurm's job records
/// are read, and how a job's resource request becomes the worker's limits.
/// </summary>
public sealed class SlurmBatchScriptTests
{
    static readonly SlurmOptions Options = new() { Partition = "gpu-a100", Account = "radiology" };

    static string Script(ModelWorkerLimits limits, SlurmOptions? options = null) =>
        SlurmBatchScript.Create("mira-worker-x", ["/opt/mira/mira", "model", "run", "--out", "/data/it's here"], [new("PATH", "/usr/bin")], limits, options ?? Options);

    static string[] Directives(string script) =>
        [.. script.Split('\n').Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal)).Select(l => l["#SBATCH ".Length..])];

    [Fact]
    public void A_request_for_GPUs_asks_Slurm_for_them_as_a_generic_resource()
    {
        var limits = new ModelWorkerLimits(TimeSpan.FromMinutes(30), 4L << 30, true, 4).ForResources(new JobResources(Cpus: 4, Gpus: 1));

        var directives = Directives(Script(limits));

        Assert.Contains("--gres=gpu:1", directives);
        Assert.Contains("--cpus-per-task=4", directives);
        Assert.Contains("--gres=shard:2", Directives(Script(limits with { Gpus = 2 }, Options with { GpuGres = "shard" })));
        Assert.DoesNotContain(Directives(Script(limits with { Gpus = 0 })), d => d.StartsWith("--gres", StringComparison.Ordinal));
    }

    [Fact]
    public void Asks_for_the_partition_account_memory_and_a_time_limit_rounded_up_to_whole_minutes()
    {
        var directives = Directives(Script(new ModelWorkerLimits(TimeSpan.FromSeconds(61), (3L << 30) + 1, true, 2), Options with { ExtraArguments = ["--qos=high"] }));

        Assert.Equal(["--job-name=mira-worker-x", "--partition=gpu-a100", "--account=radiology", "--nodes=1", "--ntasks=1", "--cpus-per-task=2",
            "--mem=3073M", "--time=2", "--output=worker.log", "--export=NONE", "--no-requeue", "--qos=high"], directives);
        Assert.Equal(1, SlurmBatchScript.TimeLimitMinutes(TimeSpan.FromSeconds(3)));
        Assert.Equal(30, SlurmBatchScript.TimeLimitMinutes(TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void Quotes_every_word_of_the_command_so_sh_hands_it_over_unchanged()
    {
        var script = Script(ModelWorkerLimits.Default) + "printf '%s\\n' \"$@\"\n";
        var file = Path.Combine(Path.GetTempPath(), "mira-sbatch-" + Guid.NewGuid().ToString("N") + ".sh");
        // The script with its last exec replaced by a print of the words it would run.
        File.WriteAllText(file, script.Replace("exec \"$@\"\n", "", StringComparison.Ordinal).Replace("exec unshare", "true", StringComparison.Ordinal));
        try
        {
            var psi = new ProcessStartInfo("/bin/sh", [file]) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
            using var p = Process.Start(psi)!;
            var words = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            p.WaitForExit();
            Assert.Equal(["env", "-i", "PATH=/usr/bin", "/opt/mira/mira", "model", "run", "--out", "/data/it's here"], words);
        }
        finally
        {
            File.Delete(file);
            File.Delete(Path.Combine(Path.GetTempPath(), SlurmBatchScript.IsolatedMarkerName));
        }
    }

    [Fact]
    public void Refuses_options_that_would_add_directives_of_their_own()
    {
        Assert.Throws<ArgumentException>(() => new SlurmOptions { Partition = "a\n#SBATCH --uid=0" }.Validated());
        Assert.Throws<ArgumentException>(() => new SlurmOptions { ExtraArguments = ["--qos=high\n#SBATCH --uid=0"] }.Validated());
        Assert.Throws<ArgumentException>(() => new SlurmOptions { ExtraArguments = ["qos=high"] }.Validated());
        Assert.Throws<ArgumentException>(() => new SlurmModelWorker(["mira"], new SlurmOptions { GpuGres = "gpu tesla" }));
    }

    [Fact]
    public void Reads_the_state_exit_code_and_run_time_of_a_job_from_scontrol()
    {
        var record = SlurmJobRecord.Parse("JobId=17 JobName=mira-worker-x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) " +
            "ExitCode=3:0 RunTime=1-02:03:04 TimeLimit=00:01:00 Command=/data/my jobs/worker.sbatch WorkDir=/data/my jobs StdOut=/data/my jobs/worker.log");

        Assert.Equal(17, record.Id);
        Assert.Equal("FAILED", record.State);
        Assert.True(record.HasEnded);
        Assert.Equal(3, record.ExitCode);
        Assert.Equal(0, record.Signal);
        Assert.Equal("NonZeroExitCode", record.Reason);
        Assert.Equal(new TimeSpan(1, 2, 3, 4), record.RunTime);
        Assert.Equal("/data/my jobs/worker.sbatch", record.Fields["Command"]);
        Assert.Equal("CANCELLED", SlurmJobRecord.Parse("JobId=2 JobState=CANCELLED+ ExitCode=0:15 RunTime=00:07").State);
        Assert.Equal(TimeSpan.FromSeconds(7), SlurmJobRecord.Parse("JobId=2 JobState=RUNNING ExitCode=0:0 RunTime=00:07").RunTime);
        Assert.Throws<SlurmException>(() => SlurmJobRecord.Parse("JobId=2 JobState=RUNNING RunTime=00:00:01"));
        Assert.Throws<SlurmException>(() => SlurmJobRecord.Parse("JobId=2 JobState=RUNNING ExitCode=0:0 RunTime=soon"));
    }

    [Fact]
    public void A_job_s_resource_request_sets_the_worker_s_threads_memory_and_GPUs()
    {
        var limits = ModelWorkerLimits.Default.ForResources(new JobResources(Cpus: 8, MemoryMb: 16384, Gpus: 2));
        Assert.Equal((8, 16L << 30, 2), (limits.Threads, limits.MemoryBytes, limits.Gpus));
        var unset = ModelWorkerLimits.Default.ForResources(new JobResources(Cpus: 0));
        Assert.Equal((ModelWorkerLimits.Default.Threads, ModelWorkerLimits.Default.MemoryBytes, 0), (unset.Threads, unset.MemoryBytes, unset.Gpus));
    }

    [Fact]
    public void The_executor_is_chosen_in_one_place()
    {
        Assert.IsType<ProcessModelWorker>(ModelWorkers.Create(ExecutorOptions.Local, ["mira"]));
        Assert.IsType<SlurmModelWorker>(ModelWorkers.Create(new ExecutorOptions { Kind = ExecutorKind.Slurm, Slurm = new SlurmOptions() }, ["mira"]));
        Assert.Throws<ArgumentException>(() => ModelWorkers.Create(new ExecutorOptions { Kind = ExecutorKind.Slurm }, ["mira"]));
        Assert.Equal(ExecutorKind.Slurm, ExecutorOptions.ParseKind("Slurm"));
        Assert.Throws<ArgumentException>(() => ExecutorOptions.ParseKind("kubernetes"));
    }
}
