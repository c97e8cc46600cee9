namespace Mira.Platform.Evaluations;

/// <summary>
/// The limits a model worker runs under: wall-clock time, memory (the worker's resident set, checked while it runs,
/// and its managed heap through <c>DOTNET_GCHeapHardLimit</c>) and, where the kernel allows unprivileged namespaces, no
/// network at all (a private network namespace with only a loopback that is down). <see cref="Threads"/> and
/// <see cref="Gpus"/> are also what a cluster executor asks for (Slurm's <c>--cpus-per-task</c> and <c>--gres</c>).
/// </summary>
public sealed record ModelWorkerLimits(TimeSpan Timeout, long MemoryBytes, bool IsolateNetwork = true, int Threads = 2)
{
    /// <summary>GPUs the worker asks for (0: none); the local executor runs on this machine's devices whatever it says.</summary>
    public int Gpus { get; init; }


    public static ModelWorkerLimits Default { get; } = new(TimeSpan.FromMinutes(30), 4L << 30);
}

/// <summary>
/// What a worker run left: its exit code (null when it was stopped), how long it ran, its peak resident set, why it was
/// stopped (time or memory limit), whether it ran without network, and the tail of its output (kept from submitters
/// when the data are sequestered: the caller decides who may read it).
/// </summary>
public sealed record ModelWorkerResult(int? ExitCode, TimeSpan Elapsed, long PeakResidentBytes, string? StoppedBecause, bool NetworkIsolated, string OutputTail)
{
    public bool Succeeded => ExitCode == 0 && StoppedBecause is null;
}

/// <summary>
/// Runs a model package over a folder of cases in a separate process (<c>mira model run</c>, docs/models.md): the
/// package at <c>package</c>, one DICOM series per case under <c>images/&lt;case&gt;/</c>, predictions written to
/// <c>output</c>. The evaluation job and <c>mira eval offline</c> both go through this.
/// </summary>
public interface IModelWorker
{
    Task<ModelWorkerResult> RunAsync(string package, string images, string output, ModelWorkerLimits limits, CancellationToken ct = default);
}
