using Mira.Platform.Evaluations;

namespace Mira.Platform.Tests.Models;

/// <summary>
/// The model worker's process limits with real processes: the command gets the <c>model run</c> arguments, a clean
/// environment, no network (where user namespaces work, as here), and is killed past its time or memory limit.
/// </summary>
public sealed class ProcessModelWorkerTests : IDisposable
{
    readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mira-worker-" + Guid.NewGuid().ToString("N")[..10])).FullName;

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    static ModelWorkerLimits Limits(double seconds = 30, long megabytes = 512) => new(TimeSpan.FromSeconds(seconds), megabytes << 20);

    /// <summary>A shell script as the "mira" the worker starts: $@ holds what the worker appended.</summary>
    static string[] Shell(string script) => ["/bin/sh", "-c", script, "mira"];

    [Fact]
    public async Task Passes_the_package_images_and_output_folders_as_model_run_arguments()
    {
        var args = Path.Combine(folder, "args.txt");
        var r = await new ProcessModelWorker(Shell($"printf '%s\\n' \"$@\" > {args}")).RunAsync("/p/pkg", "/p/images", "/p/out", Limits());
        Assert.True(r.Succeeded, r.OutputTail);
        Assert.Equal(["model", "run", "--package", "/p/pkg", "--images", "/p/images", "--out", "/p/out", "--threads", "2"], File.ReadAllLines(args));
    }

    [Fact]
    public async Task Starts_the_model_with_a_clean_environment_that_holds_no_secret_of_the_server()
    {
        Environment.SetEnvironmentVariable("MIRA_TEST_SECRET", "s3cr3t");
        try
        {
            var env = Path.Combine(folder, "env.txt");
            var r = await new ProcessModelWorker(Shell($"env > {env}")).RunAsync("p", "i", "o", Limits());
            Assert.True(r.Succeeded, r.OutputTail);
            var text = File.ReadAllText(env);
            Assert.DoesNotContain("s3cr3t", text);
            Assert.Contains("DOTNET_GCHeapHardLimit=0x20000000", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MIRA_TEST_SECRET", null);
        }
    }

    [Fact]
    public async Task Runs_the_model_without_network_where_user_namespaces_allow_it_and_says_so_where_not()
    {
        var devices = Path.Combine(folder, "net.txt");
        var r = await new ProcessModelWorker(Shell($"cat /proc/net/dev > {devices}")).RunAsync("p", "i", "o", Limits());
        Assert.True(r.Succeeded, r.OutputTail);
        Assert.Equal(ProcessModelWorker.CanIsolateNetwork, r.NetworkIsolated);
        var interfaces = File.ReadAllLines(devices).Skip(2).Select(l => l.Split(':')[0].Trim()).ToArray();
        if (r.NetworkIsolated) Assert.Equal(["lo"], interfaces);
        var asked = await new ProcessModelWorker(Shell("true")).RunAsync("p", "i", "o", Limits() with { IsolateNetwork = false });
        Assert.False(asked.NetworkIsolated);
    }

    [Fact]
    public async Task Kills_a_model_that_runs_past_its_time_limit()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = await new ProcessModelWorker(Shell("sleep 30")).RunAsync("p", "i", "o", Limits(seconds: 1));
        Assert.False(r.Succeeded);
        Assert.Null(r.ExitCode);
        Assert.Contains("time limit of 1 s", r.StoppedBecause);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Kills_a_model_whose_memory_passes_its_limit()
    {
        var r = await new ProcessModelWorker(["/usr/bin/python3", "-c", "import time\nx = bytearray(400 << 20)\nfor i in range(0, len(x), 4096): x[i] = 1\ntime.sleep(30)", "x"])
            .RunAsync("p", "i", "o", Limits(seconds: 60, megabytes: 128));
        Assert.False(r.Succeeded);
        Assert.Contains("memory passed the limit of 128 MiB", r.StoppedBecause);
        Assert.True(r.PeakResidentBytes > 128L << 20);
    }

    [Fact]
    public async Task Reports_a_failing_model_with_its_exit_code_and_output()
    {
        var r = await new ProcessModelWorker(Shell("echo 'tensor shape mismatch' >&2; exit 3")).RunAsync("p", "i", "o", Limits());
        Assert.False(r.Succeeded);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("tensor shape mismatch", r.OutputTail);
    }
}
