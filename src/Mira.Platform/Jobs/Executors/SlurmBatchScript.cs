using System.Globalization;
using System.Text;
using Mira.Platform.Evaluations;

namespace Mira.Platform.Jobs.Executors;

/// <summary>
/// The batch script of one model worker run (docs/jobs.md): <c>#SBATCH</c> directives for what the run asks of the
/// cluster (one task on one node, <see cref="ModelWorkerLimits.Threads"/> CPUs, its memory, its time limit rounded up to
/// minutes, <c>--gres=gpu:N</c> when it asks for GPUs, no requeue: Mira's job table decides about another try), then the
/// worker's command line under <c>env -i</c> with the same clean environment as a local worker (Slurm's
/// <c>--export=NONE</c> would still load the user's login environment), inside <c>unshare --net</c> where the node allows
/// it. The job's output (stdout and stderr) goes to <see cref="LogName"/> in the job folder, its working directory.
/// </summary>
public static class SlurmBatchScript
{
    public const string ScriptName = "worker.sbatch";
    public const string LogName = "worker.log";
    /// <summary>Written by the script when the worker runs without network (absent: it ran with the node's network).</summary>
    public const string IsolatedMarkerName = "network-isolated";

    public static string Create(string jobName, IReadOnlyList<string> arguments, IReadOnlyList<KeyValuePair<string, string>> environment,
        ModelWorkerLimits limits, SlurmOptions options)
    {
        if (arguments.Count == 0) throw new ArgumentException("the worker command is empty", nameof(arguments));
        var s = new StringBuilder("#!/bin/sh\n");
        void Directive(string option) => s.Append("#SBATCH ").Append(option).Append('\n');
        Directive("--job-name=" + jobName);
        if (options.Partition is { } partition) Directive("--partition=" + partition);
        if (options.Account is { } account) Directive("--account=" + account);
        Directive("--nodes=1");
        Directive("--ntasks=1");
        Directive("--cpus-per-task=" + Number(Math.Max(1, limits.Threads)));
        Directive("--mem=" + Number(MemoryMegabytes(limits.MemoryBytes)) + "M");
        Directive("--time=" + Number(TimeLimitMinutes(limits.Timeout)));
        if (limits.Gpus > 0) Directive($"--gres={options.GpuGres}:{Number(limits.Gpus)}");
        Directive("--output=" + LogName);
        Directive("--export=NONE");
        Directive("--no-requeue");
        foreach (var extra in options.ExtraArguments) Directive(extra);
        s.Append("# Mira model worker (docs/jobs.md): mira model run in a clean environment, without network where the node allows it.\n");
        s.Append("set -- env -i");
        foreach (var (name, value) in environment) s.Append(' ').Append(Quote(name + "=" + value));
        foreach (var a in arguments) s.Append(' ').Append(Quote(a));
        s.Append('\n');
        if (limits.IsolateNetwork)
            s.Append("if unshare --net --map-root-user -- true 2>/dev/null; then\n")
             .Append("  : > ").Append(IsolatedMarkerName).Append('\n')
             .Append("  exec unshare --net --map-root-user -- \"$@\"\n")
             .Append("fi\n");
        s.Append("exec \"$@\"\n");
        return s.ToString();
    }

    /// <summary>Slurm's <c>--time</c> in whole minutes, rounded up (at least 1).</summary>
    public static long TimeLimitMinutes(TimeSpan timeout) => Math.Max(1, (long)Math.Ceiling(timeout.TotalMinutes));

    /// <summary>Slurm's <c>--mem</c> in MiB, rounded up (at least 1).</summary>
    public static long MemoryMegabytes(long bytes) => Math.Max(1, (bytes + (1L << 20) - 1) >> 20);

    /// <summary>A word for sh in single quotes (a quote inside becomes <c>'\''</c>); line breaks stay inside the quotes.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
