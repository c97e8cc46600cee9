using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Jobs;

/// <summary>How many jobs of one kind are in one state.</summary>
public sealed record JobCount(string Kind, string State, long Count);

/// <summary>
/// The job table at a glance, for metrics and the health check: rows per kind and state, jobs that failed for good
/// since <see cref="Since"/>, and the oldest queued job already due (how long work has waited for a worker).
/// </summary>
public sealed record JobTableSummary(IReadOnlyList<JobCount> Counts, long FailedSince, DateTimeOffset Since, DateTimeOffset? OldestDue, DateTimeOffset At)
{
    public long InState(string state) => Counts.Where(c => c.State == state).Sum(c => c.Count);

    /// <summary>Seconds the oldest due job has waited (0 when none is waiting).</summary>
    public double OldestDueSeconds => OldestDue is { } due && due < At ? (At - due).TotalSeconds : 0;
}

public sealed partial class JobStore
{
    /// <summary>
    /// Counts the rows per kind and state, the jobs failed (for good) since <paramref name="failedSince"/>, and the
    /// oldest queued job due by <paramref name="now"/>: three aggregate queries on one connection (the state index serves
    /// the last two). The table is shared by every node, so every node sees the same figures.
    /// </summary>
    public async Task<JobTableSummary> SummarizeAsync(DateTimeOffset now, DateTimeOffset failedSince, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        var counts = (await c.QueryAsync<(string Kind, string State, long Count)>(new CommandDefinition(
            "SELECT kind, state, COUNT(*) FROM mira_jobs GROUP BY kind, state ORDER BY kind, state", cancellationToken: ct)))
            .Select(r => new JobCount(r.Kind, r.State, r.Count)).ToArray();
        var failed = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mira_jobs WHERE state = 'failed' AND finished_us >= @since", new { since = ToMicros(failedSince) }, cancellationToken: ct));
        var oldest = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MIN(not_before_us) FROM mira_jobs WHERE state = 'queued' AND not_before_us <= @now", new { now = ToMicros(now) }, cancellationToken: ct));
        return new JobTableSummary(counts, failed, failedSince, oldest is { } o ? FromMicros(o) : null, now);
    }
}
