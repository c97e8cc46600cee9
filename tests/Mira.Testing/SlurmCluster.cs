using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mira.Testing;

/// <summary>
/// A private single-node Slurm cluster for one test class (Debian <c>slurm-wlm</c> and <c>munge</c>): <c>munged</c> with
/// its own key and socket, <c>slurmctld</c> and <c>slurmd</c> on free loopback ports, with their state, spool, logs and
/// pid files in a temporary folder, and a <c>slurm.conf</c> that needs no systemd, no cgroups and no accounting storage.
/// The constructor returns once <c>sinfo</c> reports the node idle; Dispose cancels what is left, stops the daemons it
/// started and removes the folder. Missing binaries fail the test naming the packages: these tests are not skipped.
/// </summary>
public sealed class SlurmCluster : IDisposable
{
    public const string Partition = "mira-test";
    static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    readonly List<(string Name, Process Process, StringBuilder Output)> daemons = [];

    public string Folder { get; }

    /// <summary>The cluster's configuration; Slurm commands reach this cluster with <c>SLURM_CONF</c> set to it.</summary>
    public string ConfigFile { get; }

    public string NodeName { get; }

    public int Cpus { get; } = Math.Max(1, Environment.ProcessorCount);

    public SlurmCluster()
    {
        var tools = new[] { ("munged", "munge"), ("slurmctld", "slurm-wlm"), ("slurmd", "slurm-wlm"), ("sbatch", "slurm-wlm"), ("scontrol", "slurm-wlm"), ("sinfo", "slurm-wlm") }
            .Select(t => (t.Item1, Path: Find(t.Item1))).ToArray();
        if (tools.Where(t => t.Path is null).Select(t => t.Item1).ToArray() is { Length: > 0 } missing)
            throw new InvalidOperationException($"the Slurm tests need a single-node cluster, and {string.Join(", ", missing)} is not installed " +
                "(apt-get install slurm-wlm munge; tools/test.sh installs them). These tests are not skipped.");
        string Tool(string name) => tools.First(t => t.Item1 == name).Path!;

        Folder = Directory.CreateTempSubdirectory("mira-slurm-").FullName; // 0700, as munged wants its key's folder
        foreach (var d in new[] { "state", "spool", "log", "run" }) Directory.CreateDirectory(Path.Combine(Folder, d));
        var key = Path.Combine(Folder, "munge.key");
        File.WriteAllBytes(key, System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead);
        var socket = Path.Combine(Folder, "munge.socket");
        NodeName = Dns.GetHostName().Split('.')[0];
        ConfigFile = Path.Combine(Folder, "slurm.conf");
        File.WriteAllText(ConfigFile, Configuration(socket, LoopbackPorts.Free(), LoopbackPorts.Free()));
        try
        {
            Start("munged", Tool("munged"), ["--foreground", "--force", "--key-file=" + key, "--socket=" + socket, "--log-file=" + Path.Combine(Folder, "log", "munged.log"),
                "--pid-file=" + Path.Combine(Folder, "run", "munged.pid"), "--seed-file=" + Path.Combine(Folder, "state", "munged.seed")]);
            WaitFor(() => File.Exists(socket), "munged's socket");
            Start("slurmctld", Tool("slurmctld"), ["-D", "-f", ConfigFile]);
            Start("slurmd", Tool("slurmd"), ["-D", "-f", ConfigFile, "-N", NodeName]);
            WaitFor(() => Command("sinfo", "--noheader", "--format=%T").ExitCode == 0 && Command("sinfo", "--noheader", "--format=%T").Output.Trim() == "idle",
                "the node to be idle (sinfo)");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs a Slurm command against this cluster; its exit code and its output and error streams together.</summary>
    public (int ExitCode, string Output) Command(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(Find(tool) ?? tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = ConfigFile;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(entireProcessTree: true); throw new TimeoutException($"{tool} did not answer in 60 s"); }
        return (p.ExitCode, output + err.Result);
    }

    /// <summary>The ids <c>squeue</c> lists (pending, running, completing).</summary>
    public IReadOnlyList<string> QueuedJobIds() =>
        Command("squeue", "--noheader", "--format=%i") is (0, var output)
            ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : throw new InvalidOperationException("squeue failed: " + Command("squeue").Output);

    /// <summary>The daemons' logs (for a failing test's message).</summary>
    public string Logs() => string.Join("\n", Directory.GetFiles(Path.Combine(Folder, "log")).Select(f => $"== {Path.GetFileName(f)}\n{TailOf(f)}"));

    public void Dispose()
    {
        if (daemons.Any(d => d.Name == "slurmctld" && !d.Process.HasExited))
        {
            try
            {
                foreach (var id in QueuedJobIds()) Command("scancel", id);
                WaitFor(() => QueuedJobIds().Count == 0, "the cancelled jobs to end", TimeSpan.FromSeconds(30));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException) { }
        }
        foreach (var (_, p, _) in Enumerable.Reverse(daemons))
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        daemons.Clear();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    string Configuration(string mungeSocket, int controllerPort, int nodePort)
    {
        var user = Environment.UserName;
        var memoryMb = MemoryMegabytes();
        string In(params string[] parts) => Path.Combine([Folder, .. parts]);
        return string.Join('\n',
            "# A private single-node test cluster (tests/Mira.Testing/SlurmCluster.cs).",
            "ClusterName=miratest",
            $"SlurmctldHost={NodeName}(127.0.0.1)",
            $"SlurmctldPort={controllerPort}",
            $"SlurmdPort={nodePort}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            $"AuthInfo=socket={mungeSocket}",
            $"SlurmUser={user}",
            "SlurmdUser=root",
            $"StateSaveLocation={In("state")}",
            $"SlurmdSpoolDir={In("spool")}",
            $"SlurmctldPidFile={In("run", "slurmctld.pid")}",
            $"SlurmdPidFile={In("run", "slurmd.pid")}",
            $"SlurmctldLogFile={In("log", "slurmctld.log")}",
            $"SlurmdLogFile={In("log", "slurmd.log")}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "MpiDefault=none",
            "ReturnToService=2",
            "KillWait=5",
            "MinJobAge=300",
            $"NodeName={NodeName} NodeAddr=127.0.0.1 CPUs={Cpus} RealMemory={memoryMb} State=UNKNOWN",
            $"PartitionName={Partition} Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP",
            "");
    }

    void Start(string name, string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["SLURM_CONF"] = ConfigFile;
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = new StringBuilder();
        void Keep(string? line) { if (line is null) return; lock (output) if (output.Length < 64 * 1024) output.Append(line).Append('\n'); }
        p.OutputDataReceived += (_, e) => Keep(e.Data);
        p.ErrorDataReceived += (_, e) => Keep(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        daemons.Add((name, p, output));
    }

    void WaitFor(Func<bool> condition, string what, TimeSpan? patience = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (daemons.FirstOrDefault(d => d.Process.HasExited) is { Process: not null } dead)
                throw new InvalidOperationException($"{dead.Name} exited ({dead.Process.ExitCode}) while waiting for {what}: {dead.Output}\n{Logs()}");
            if (clock.Elapsed > (patience ?? StartPatience))
                throw new TimeoutException($"the test Slurm cluster: no {what} after {(patience ?? StartPatience).TotalSeconds:0} s\n{Logs()}");
            Thread.Sleep(250);
        }
    }

    static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0).Concat(["/usr/sbin", "/sbin", "/usr/bin"])
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);


    /// <summary>What the node offers: the machine's memory less a margin (a job asking more is refused at submission).</summary>
    static long MemoryMegabytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                return Math.Max(512, long.Parse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024 - 256);
        return 4096;
    }

    static string TailOf(string file)
    {
        try
        {
            var text = File.ReadAllText(file);
            return text.Length > 4000 ? text[^4000..] : text;
        }
        catch (IOException) { return ""; }
    }
}
