namespace Mira.Server.Projects;

/// <summary>How the durable rule queue (<c>mira_project_rule_copies</c>, <see cref="RuleCopyWorker"/>) is worked.</summary>
public sealed record RuleCopyOptions
{
    /// <summary>
    /// Whether this process copies queued rule copies. A process with it off still queues them (on C-STORE); another
    /// node, or this one restarted with it on, copies them (<c>mira serve --no-rule-copies</c>).
    /// </summary>
    public bool Worker { get; init; } = true;

    /// <summary>Failed attempts after which a copy is given up (kept in the table as <c>failed</c>, with its last error).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The wait before the first retry; doubled after each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the table is looked at when nothing was queued here (copies queued by other nodes).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait before retry number <paramref name="failedAttempts"/> + 1.</summary>
    public TimeSpan DelayAfter(int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks * (1L << Math.Clamp(failedAttempts - 1, 0, 30))));
}
