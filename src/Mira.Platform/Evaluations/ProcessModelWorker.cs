using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mira.Platform.Jobs.Executors;

namespace Mira.Platform.Evaluations;

/// <summary>
/// Starts <c>mira model run</c> (the <paramref name="command"/> prefix: the mira executable, or <c>dotnet mira.dll</c>)
/// as a child process with a clean environment (no credential or setting of the parent leaks into model code), under
/// <see cref="ModelWorkerLimits"/>: killed with its process tree when it runs past the time limit or its resident set
/// passes the memory limit, and started inside <c>unshare --net --map-root-user</c> when the kernel allows it, so the
/// model has no network.
/// </summary>
public sealed class ProcessModelWorker(IReadOnlyList<string> command) : IModelWorker
{
    const int TailBytes = 16 * 1024;
    static readonly Lazy<bool> NetworkIsolationWorks = new(ProbeNetworkIsolation);

    public IReadOnlyList<string> Command { get; } = command.Count > 0 ? command : throw new ArgumentException("the model worker command is empty", nameof(command));

    /// <summary>True when <c>unshare --net --map-root-user</c> runs here (user namespaces allowed).</summary>
    public static bool CanIsolateNetwork => NetworkIsolationWorks.Value;

    public async Task<ModelWorkerResult> RunAsync(string package, string images, string output, ModelWorkerLimits limits, CancellationToken ct = default)
    {
        var isolate = limits.IsolateNetwork && CanIsolateNetwork;
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var worker = WorkerInvocation.Arguments(Command, package, images, output, limits);
        IEnumerable<string> args = isolate ? ["--net", "--map-root-user", "--", .. worker] : worker.Skip(1);
        psi.FileName = isolate ? "unshare" : worker[0];
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (k, v) in WorkerInvocation.Environment(limits)) psi.Environment[k] = v;

        var tail = new OutputTail(TailBytes);
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => tail.Add(e.Data);
        p.ErrorDataReceived += (_, e) => tail.Add(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        string? stopped = null;
        long peak = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limits.Timeout);
        try
        {
            while (!p.HasExited)
            {
                peak = Math.Max(peak, ResidentBytes(p.Id));
                if (peak > limits.MemoryBytes) { stopped = $"its memory passed the limit of {limits.MemoryBytes >> 20} MiB"; break; }
                try { await p.WaitForExitAsync(deadline.Token).WaitAsync(TimeSpan.FromMilliseconds(100), deadline.Token); }
                catch (TimeoutException) { }
            }
        }
        catch (OperationCanceledException)
        {
            stopped = ct.IsCancellationRequested ? "the run was cancelled" : $"it ran past the time limit of {limits.Timeout.TotalSeconds:0} s";
        }
        if (stopped is not null)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
        }
        else await p.WaitForExitAsync(CancellationToken.None); // drains the output
        return new ModelWorkerResult(stopped is null ? p.ExitCode : null, clock.Elapsed, peak, stopped, isolate, tail.ToString());
    }

    /// <summary>VmRSS of a process from /proc (0 where there is no /proc or it has gone).</summary>
    static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return 0;
    }

    static bool ProbeNetworkIsolation()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("unshare", ["--net", "--map-root-user", "--", "true"])
            { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false });
            if (p is null) return false;
            if (!p.WaitForExit(5000)) { p.Kill(); return false; }
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    /// <summary>The last lines of a process's output, bounded in size.</summary>
    sealed class OutputTail(int max)
    {
        readonly StringBuilder text = new();
        readonly Lock gate = new();

        public void Add(string? line)
        {
            if (line is null) return;
            lock (gate)
            {
                text.Append(line).Append('\n');
                if (text.Length > 2 * max) text.Remove(0, text.Length - max);
            }
        }

        public override string ToString()
        {
            lock (gate) return text.Length > max ? text.ToString(text.Length - max, max) : text.ToString();
        }
    }
}
