using Mira.Platform.Evaluations;

namespace Mira.Platform.Jobs.Executors;

/// <summary>Where model workers run: on this machine (<c>local</c>, the default) or as Slurm batch jobs (<c>slurm</c>).</summary>
public enum ExecutorKind { Local, Slurm }

/// <summary>
/// The executor of model workers, chosen in one place (<c>mira serve --executor</c>, <c>mira eval offline --executor</c>;
/// docs/jobs.md): every job that runs a model (evaluations, and inference jobs) asks <see cref="ModelWorkers.Create"/>.
/// </summary>
public sealed record ExecutorOptions
{
    public ExecutorKind Kind { get; init; } = ExecutorKind.Local;

    /// <summary>The cluster settings; required when <see cref="Kind"/> is <see cref="ExecutorKind.Slurm"/>.</summary>
    public SlurmOptions? Slurm { get; init; }

    public static ExecutorOptions Local { get; } = new();

    /// <summary>Reads an executor name as the command line gives it: <c>local</c> or <c>slurm</c>.</summary>
    public static ExecutorKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "local" => ExecutorKind.Local,
        "slurm" => ExecutorKind.Slurm,
        _ => throw new ArgumentException($"the executor '{name}' is not one of: local, slurm"),
    };
}

/// <summary>Makes the model worker of the configured executor.</summary>
public static class ModelWorkers
{
    /// <param name="command">how to start <c>mira</c> (its executable, or <c>dotnet mira.dll</c>) where the worker runs.</param>
    public static IModelWorker Create(ExecutorOptions executor, IReadOnlyList<string> command) => executor.Kind switch
    {
        ExecutorKind.Local => new ProcessModelWorker(command),
        ExecutorKind.Slurm => new SlurmModelWorker(command, executor.Slurm ?? throw new ArgumentException("the slurm executor needs its Slurm options (partition, slurm.conf)")),
        _ => throw new ArgumentOutOfRangeException(nameof(executor), executor.Kind, "unknown executor"),
    };

    /// <summary>The limits of a run from the job's resource request: its CPUs become the worker's threads, its GPUs a GPU request, its memory (when set) the memory limit.</summary>
    public static ModelWorkerLimits ForResources(this ModelWorkerLimits limits, Storage.Jobs.JobResources resources) => limits with
    {
        Threads = resources.Cpus > 0 ? resources.Cpus : limits.Threads,
        MemoryBytes = resources.MemoryMb > 0 ? (long)resources.MemoryMb << 20 : limits.MemoryBytes,
        Gpus = Math.Max(0, resources.Gpus),
    };
}
