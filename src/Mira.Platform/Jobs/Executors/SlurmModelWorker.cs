using System.Security.Cryptography;
using System.Text;
using Mira.Platform.Evaluations;

namespace Mira.Platform.Jobs.Executors;

/// <summary>
/// Runs <c>mira model run</c> as a Slurm batch job (docs/jobs.md): writes the batch script (<see cref="SlurmBatchScript"/>)
/// into a job folder beside the output (or under <see cref="SlurmOptions.JobFolder"/>), submits it with <c>sbatch</c>,
/// reads its state every <see cref="SlurmOptions.PollInterval"/> and returns what a local worker returns: the exit code
/// (<c>ExitCode=code:signal</c>), the run time, why it was stopped (time limit, memory, cancelled on the cluster, node
/// failure) and the tail of its log. The time limit counts from when the job starts running (queue time is not the
/// model's): Mira cancels it at <see cref="ModelWorkerLimits.Timeout"/>, and Slurm's own <c>--time</c> (whole minutes)
/// stops it if Mira is gone. Cancelling the token cancels the job (<c>scancel</c>) and returns once Slurm no longer
/// lists it. A job of the same name (same output folder) still queued or running when a run starts, left by an earlier
/// attempt whose Mira process died, is cancelled first, so one run writes the output at a time. The peak resident set is
/// not known without Slurm's accounting and is reported as 0; memory is enforced by the cluster (cgroups) where it is
/// configured to, and the managed heap by <c>DOTNET_GCHeapHardLimit</c> everywhere.
/// </summary>
public sealed class SlurmModelWorker : IModelWorker
{
    const int TailBytes = 16 * 1024;
    static readonly TimeSpan CancelPatience = TimeSpan.FromMinutes(2);

    readonly SlurmClient slurm;

    public SlurmModelWorker(IReadOnlyList<string> command, SlurmOptions options)
    {
        Command = command.Count > 0 ? command : throw new ArgumentException("the model worker command is empty", nameof(command));
        slurm = new SlurmClient(options.Validated());
    }

    public IReadOnlyList<string> Command { get; }

    public SlurmOptions Options => slurm.Options;

    /// <summary>The Slurm job name of a run writing <paramref name="output"/>: the same for every attempt at that output.</summary>
    public static string JobName(string output) =>
        "mira-worker-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(output))))[..16];

    public async Task<ModelWorkerResult> RunAsync(string package, string images, string output, ModelWorkerLimits limits, CancellationToken ct = default)
    {
        output = Path.GetFullPath(output);
        var name = JobName(output);
        var parent = Options.JobFolder ?? Path.GetDirectoryName(output) ?? Path.GetTempPath();
        var folder = Directory.CreateDirectory(Path.Combine(parent, $".{Path.GetFileName(output)}.slurm-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
        try
        {
            foreach (var stale in await slurm.QueuedAsync(name: name, ct: ct))
                await slurm.CancelAndWaitAsync(stale, CancelPatience);
            var arguments = WorkerInvocation.Arguments(Command, Path.GetFullPath(package), Path.GetFullPath(images), output, limits);
            var script = Path.Combine(folder, SlurmBatchScript.ScriptName);
            await File.WriteAllTextAsync(script, SlurmBatchScript.Create(name, arguments, WorkerInvocation.Environment(limits), limits, Options), ct);
            var id = await slurm.SubmitAsync(script, folder, ct);
            var (record, stopped) = await WaitAsync(id, limits, ct);
            stopped ??= StoppedBecause(record, limits);
            int? exit = stopped is not null ? null : record.Signal != 0 ? 128 + record.Signal : record.ExitCode;
            return new ModelWorkerResult(exit, record.RunTime, 0, stopped,
                File.Exists(Path.Combine(folder, SlurmBatchScript.IsolatedMarkerName)), Tail(Path.Combine(folder, SlurmBatchScript.LogName)));
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Polls until the job has ended; cancels it past the time limit (saying so) or when <paramref name="ct"/> is cancelled (then throws).</summary>
    async Task<(SlurmJobRecord Record, string? Stopped)> WaitAsync(long id, ModelWorkerLimits limits, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var record = await slurm.ShowAsync(id, ct) ?? throw new SlurmException($"Slurm job {id} is gone before Mira saw it end (the cluster's MinJobAge is shorter than the poll interval?)");
                if (record.HasEnded) return (record, null);
                if (record.IsRunning && record.RunTime > limits.Timeout)
                {
                    await slurm.CancelAndWaitAsync(id, CancelPatience);
                    var last = await slurm.ShowAsync(id, CancellationToken.None) ?? record;
                    return (last, $"it ran past the time limit of {limits.Timeout.TotalSeconds:0} s (Slurm job {id} cancelled)");
                }
                await Task.Delay(Options.PollInterval, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await slurm.CancelAndWaitAsync(id, CancelPatience);
            throw;
        }
    }

    /// <summary>A sentence for a job Slurm ended other than by finishing (null when it finished, with whatever exit code).</summary>
    static string? StoppedBecause(SlurmJobRecord job, ModelWorkerLimits limits) => job.State switch
    {
        "COMPLETED" or "FAILED" => null,
        "TIMEOUT" => $"Slurm stopped it at its time limit of {job.Fields.GetValueOrDefault("TimeLimit", "?")} (job {job.Id}, TIMEOUT)",
        "DEADLINE" => $"Slurm stopped it at its deadline (job {job.Id}, DEADLINE)",
        "OUT_OF_MEMORY" => $"its memory passed the limit of {limits.MemoryBytes >> 20} MiB (Slurm job {job.Id}, OUT_OF_MEMORY)",
        "CANCELLED" => $"Slurm job {job.Id} was cancelled on the cluster (scancel by an operator, or by Slurm){(job.Reason is { } r ? ": " + r : "")}",
        "NODE_FAIL" or "BOOT_FAIL" => $"the node running Slurm job {job.Id} failed ({job.State}{(job.Reason is { } r ? ", " + r : "")})",
        "PREEMPTED" => $"Slurm preempted job {job.Id} for a job of higher priority",
        _ => $"Slurm ended job {job.Id} as {job.State}{(job.Reason is { } r ? " (" + r + ")" : "")}",
    };

    /// <summary>The last <see cref="TailBytes"/> of the job's log (empty when there is none).</summary>
    static string Tail(string log)
    {
        try
        {
            using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, f.Length - TailBytes);
            f.Position = start;
            var bytes = new byte[f.Length - start];
            f.ReadExactly(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            return start > 0 && text.IndexOf('\n') is var nl and >= 0 ? text[(nl + 1)..] : text;
        }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }
}
