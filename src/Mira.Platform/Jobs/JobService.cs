using Mira.Storage.Jobs;

namespace Mira.Platform.Jobs;

/// <summary>
/// The job table as the platform uses it: queue jobs (waking this process's worker), look at them, cancel them.
/// Features add a job kind by writing an <see cref="IJobHandler"/> and registering it in <see cref="MiraPlatform"/>.
/// </summary>
public sealed class JobService(JobStore store, JobOptions options)
{
    readonly SemaphoreSlim queued = new(0);

    public JobStore Store { get; } = store;
    public JobOptions Options { get; } = options;

    /// <summary>Where job runs are recorded (ends, durations); null records nothing.</summary>
    public Observability.MiraTelemetry? Telemetry { get; init; }

    /// <summary>Queues jobs in one transaction; returns the rows written. Throws when the table cannot be written.</summary>
    public async Task<int> EnqueueAsync(IReadOnlyList<JobRequest> jobs, CancellationToken ct = default)
    {
        var n = await Store.EnqueueAsync(jobs, DateTimeOffset.UtcNow, ct);
        if (n > 0) Wake();
        return n;
    }

    public Task<Job?> GetAsync(long id, CancellationToken ct = default) => Store.GetAsync(id, ct);

    public Task<IReadOnlyList<Job>> ListAsync(string? kind = null, string? project = null, string? state = null, CancellationToken ct = default) =>
        Store.ListAsync(kind, project, state, ct: ct);

    /// <summary>Cancels a queued job, or asks a running one to stop.</summary>
    public Task<bool> CancelAsync(long id, CancellationToken ct = default) => Store.CancelAsync(id, DateTimeOffset.UtcNow, ct);

    /// <summary>Wakes this process's worker (a job was queued here).</summary>
    internal void Wake()
    {
        if (queued.CurrentCount == 0) queued.Release();
    }

    /// <summary>Waits until a job is queued in this process or <paramref name="timeout"/> passes.</summary>
    internal Task WaitAsync(TimeSpan timeout, CancellationToken ct) => queued.WaitAsync(timeout, ct);
}
