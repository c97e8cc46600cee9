namespace Mira.Platform.Jobs;

/// <summary>How this process works the job table (<c>mira_jobs</c>): whether at all, and the retry and lease timings.</summary>
public sealed record JobOptions
{
    /// <summary>
    /// Whether this process runs jobs. A process with it off still queues them; another node, or this one restarted
    /// with it on, runs them (<c>mira serve --no-jobs</c>).
    /// </summary>
    public bool Worker { get; init; } = true;

    /// <summary>Attempts a job gets unless it asks for another number.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait before the first retry; doubled after each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the table is looked at when nothing was queued in this process (jobs queued by other nodes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim holds without a heartbeat; a job whose worker died runs again after this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running job's lease is extended (and a cancellation request looked for).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Jobs run at once by this process.</summary>
    public int Parallelism { get; init; } = 2;

    /// <summary>How long succeeded and cancelled jobs stay in the table (failed ones stay until dealt with).</summary>
    public TimeSpan KeepEnded { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The wait before retry number <paramref name="failedAttempts"/> + 1.</summary>
    public TimeSpan DelayAfter(int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks * (1L << Math.Clamp(failedAttempts - 1, 0, 30))));
}
