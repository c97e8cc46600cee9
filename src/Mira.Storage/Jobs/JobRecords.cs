namespace Mira.Storage.Jobs;

/// <summary>A job's state. Queued (first try or a retry) → running (claimed, under a lease) → one of the ends.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    /// <summary>Given up after its last allowed attempt; kept with its last error.</summary>
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static IReadOnlyList<string> All { get; } = [Queued, Running, Succeeded, Failed, Cancelled];
}

/// <summary>What a job needs of the machine that runs it (an executor maps it to its own terms, e.g. Slurm's <c>--gres</c>).</summary>
public sealed record JobResources(int Cpus = 1, int MemoryMb = 0, int Gpus = 0)
{
    public static JobResources Default { get; } = new();
}

/// <summary>
/// A job to queue. <see cref="DedupeKey"/>, when given, makes the job unique: queuing it again while one with the
/// same key exists resets that one to a fresh queued job instead of adding a second. <see cref="Project"/>,
/// <see cref="Origin"/> (what asked for it, e.g. <c>ae:CT1</c>) and <see cref="Subject"/> (what it works on, e.g. a SOP
/// Instance UID) are columns so they can be listed and dropped by; <see cref="Payload"/> is the kind's own JSON.
/// <see cref="NotBefore"/> delays the first run (e.g. until a series has settled: queuing again with a later time
/// pushes it back); null runs it as soon as a worker is free.
/// </summary>
public sealed record JobRequest(string Kind, string? DedupeKey = null, string? Project = null, string? Origin = null, string? Subject = null,
    string? Payload = null, int Priority = 0, int MaxAttempts = 5, JobResources? Resources = null, DateTimeOffset? NotBefore = null);

/// <summary>A job as stored.</summary>
public sealed record Job(long Id, string Kind, string State, string? DedupeKey, string? Project, string? Origin, string? Subject, string? Payload,
    int Priority, JobResources Resources, int Attempts, int MaxAttempts, string? LastError, DateTimeOffset Created, DateTimeOffset NotBefore,
    DateTimeOffset? Started, DateTimeOffset? Finished, string? Worker, DateTimeOffset? LeaseUntil, bool CancelRequested);
