using Mira.Platform.Evaluations;
using Mira.Platform.Jobs.Executors;
using Mira.Testing;

namespace Mira.Platform.Tests.Jobs;

/// <summary>
/// The Slurm executor of model workers on a real single-node cluster (<see cref="SlurmCluster"/>, one per class): the
/// worker command runs as a batch job with the <c>model run</c> arguments, a clean environment and no network; its exit
/// code and log come back; a time limit, a cancelled token, an operator's scancel and a leftover of an earlier attempt
/// each end the job and read as such. A shell script stands in for <c>mira</c> (the real model runs are in
/// Mira.Cli.Tests, where <c>mira</c> is built).
/// </summary>
public sealed class SlurmModelWorkerTests : IClassFixture<SlurmCluster>, IDisposable
{
    readonly SlurmCluster cluster;
    readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mira-slurm-worker-" + Guid.NewGuid().ToString("N")[..10])).FullName;

    public SlurmModelWorkerTests(SlurmCluster cluster) => this.cluster = cluster;

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    SlurmOptions Options => new() { Partition = SlurmCluster.Partition, ConfigFile = cluster.ConfigFile, PollInterval = TimeSpan.FromMilliseconds(250) };

    static ModelWorkerLimits Limits(double seconds = 60, long megabytes = 512) => new(TimeSpan.FromSeconds(seconds), megabytes << 20, true, 1);

    /// <summary>A shell script as the "mira" the worker starts: $@ holds what the worker appended.</summary>
    static string[] Shell(string script) => ["/bin/sh", "-c", script, "mira"];

    SlurmModelWorker Worker(string script) => new(Shell(script), Options);

    string Output(string name = "out") => Path.Combine(folder, name);

    [Fact]
    public async Task Runs_the_worker_as_a_batch_job_with_the_model_run_arguments_and_returns_its_exit_code_and_log()
    {
        var args = Path.Combine(folder, "args.txt");
        var r = await Worker($"printf '%s\\n' \"$@\" > {args}; echo 'tensor shape mismatch' >&2; exit 3").RunAsync("/p/pkg", "/p/images", Output(), Limits());

        Assert.Equal(3, r.ExitCode);
        Assert.Null(r.StoppedBecause);
        Assert.False(r.Succeeded);
        Assert.Contains("tensor shape mismatch", r.OutputTail);
        Assert.Equal(["model", "run", "--package", "/p/pkg", "--images", "/p/images", "--out", Output(), "--threads", "1"], File.ReadAllLines(args));
        Assert.Empty(cluster.QueuedJobIds());
        Assert.Equal([args], Directory.GetFileSystemEntries(folder)); // the job folder (script, log) is removed
    }

    [Fact]
    public async Task Runs_the_worker_in_a_clean_environment_and_without_network_where_the_node_allows_it()
    {
        Environment.SetEnvironmentVariable("MIRA_TEST_SECRET", "s3cr3t");
        try
        {
            var env = Path.Combine(folder, "env.txt");
            var devices = Path.Combine(folder, "net.txt");
            var r = await Worker($"env > {env}; cat /proc/net/dev > {devices}").RunAsync("p", "i", Output(), Limits());
            Assert.True(r.Succeeded, r.StoppedBecause + r.OutputTail);
            var text = File.ReadAllText(env);
            Assert.DoesNotContain("s3cr3t", text);
            Assert.DoesNotContain("SLURM_", text); // env -i: not even Slurm's own variables, nor the login environment --export=NONE loads
            Assert.Contains("DOTNET_GCHeapHardLimit=0x20000000", text);
            Assert.Equal(ProcessModelWorker.CanIsolateNetwork, r.NetworkIsolated);
            var interfaces = File.ReadAllLines(devices).Skip(2).Select(l => l.Split(':')[0].Trim()).ToArray();
            if (r.NetworkIsolated) Assert.Equal(["lo"], interfaces);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MIRA_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task Stops_a_worker_that_runs_past_its_time_limit_and_says_so()
    {
        var r = await Worker("sleep 120").RunAsync("p", "i", Output(), Limits(seconds: 3));

        Assert.Null(r.ExitCode);
        Assert.Contains("time limit of 3 s", r.StoppedBecause);
        Assert.InRange(r.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
        Assert.Empty(cluster.QueuedJobIds());
    }

    [Fact]
    public async Task A_job_Slurm_stops_at_its_own_time_limit_reads_as_the_time_limit()
    {
        // Slurm's --time is in minutes: the job asks one minute (a later directive wins) while Mira's limit is longer.
        var worker = new SlurmModelWorker(Shell("sleep 600"), Options with { ExtraArguments = ["--time=1"] });
        var r = await worker.RunAsync("p", "i", Output(), Limits(seconds: 300));

        Assert.Null(r.ExitCode);
        Assert.Contains("Slurm stopped it at its time limit of 00:01:00", r.StoppedBecause);
        Assert.Contains("TIMEOUT", r.StoppedBecause);
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_Slurm_job_and_returns_once_squeue_no_longer_lists_it()
    {
        using var cts = new CancellationTokenSource();
        var started = Path.Combine(folder, "started");
        var run = Worker($"touch {started}; sleep 120").RunAsync("p", "i", Output(), Limits(), cts.Token);
        await Until(() => File.Exists(started), "the job to start");
        Assert.Single(cluster.QueuedJobIds());

        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(cluster.QueuedJobIds());
    }

    [Fact]
    public async Task A_job_cancelled_on_the_cluster_by_an_operator_reads_as_cancelled()
    {
        var started = Path.Combine(folder, "started");
        var run = Worker($"touch {started}; sleep 120").RunAsync("p", "i", Output(), Limits());
        await Until(() => File.Exists(started), "the job to start");

        Assert.Equal(0, cluster.Command("scancel", cluster.QueuedJobIds().Single()).ExitCode);

        var r = await run;
        Assert.Null(r.ExitCode);
        Assert.Contains("cancelled on the cluster", r.StoppedBecause);
    }

    [Fact]
    public async Task Cancels_a_job_left_running_by_an_earlier_attempt_at_the_same_output_before_submitting_again()
    {
        var (code, submitted) = cluster.Command("sbatch", "--parsable", "--job-name=" + SlurmModelWorker.JobName(Output()), "--output=/dev/null", "--wrap=sleep 300");
        Assert.True(code == 0, submitted);
        await Until(() => cluster.QueuedJobIds().Contains(submitted.Trim()), "the leftover job to be listed");

        var r = await Worker("echo second attempt").RunAsync("p", "i", Output(), Limits());

        Assert.True(r.Succeeded, r.StoppedBecause + r.OutputTail);
        Assert.Contains("second attempt", r.OutputTail);
        Assert.DoesNotContain(submitted.Trim(), cluster.QueuedJobIds());
        Assert.Contains("JobState=CANCELLED", cluster.Command("scontrol", "show", "job", submitted.Trim()).Output);
    }

    [Fact]
    public async Task A_partition_the_cluster_does_not_have_is_an_error_of_the_cluster_naming_sbatch_s_answer()
    {
        var worker = new SlurmModelWorker(Shell("true"), Options with { Partition = "no-such-partition" });

        var e = await Assert.ThrowsAsync<SlurmException>(() => worker.RunAsync("p", "i", Output(), Limits()));

        Assert.Contains("sbatch refused", e.Message);
        Assert.Contains("partition", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no {what} in 60 s");
            await Task.Delay(100);
        }
    }
}
