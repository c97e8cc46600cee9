using Mira.Storage.Jobs;

namespace Mira.Platform.Observability;

/// <summary>
/// The job table's figures (<see cref="JobStore.SummarizeAsync"/>), cached for <see cref="MaxAge"/>: however many
/// gauges a scrape reads and however often the health check is asked, the table is queried at most once per
/// <see cref="MaxAge"/>, by one caller at a time (the others wait for that answer).
/// </summary>
public sealed class JobTableMonitor(JobStore store, TimeSpan maxAge, TimeProvider? time = null)
{
    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly SemaphoreSlim refreshing = new(1, 1);
    volatile JobTableSummary? latest;

    public TimeSpan MaxAge { get; } = maxAge;

    /// <summary>How long a synchronous read for a scrape waits for the database before it gives up (no series then).</summary>
    public static TimeSpan ScrapeTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>The figures, at most <see cref="MaxAge"/> old; throws when the table cannot be read.</summary>
    public async Task<JobTableSummary> GetAsync(CancellationToken ct = default)
    {
        if (Fresh(latest) is { } hit) return hit;
        await refreshing.WaitAsync(ct);
        try
        {
            if (Fresh(latest) is { } other) return other; // refreshed while this caller waited
            var now = clock.GetUtcNow();
            return latest = await store.SummarizeAsync(now, now - TimeSpan.FromHours(1), ct);
        }
        finally
        {
            refreshing.Release();
        }
    }

    /// <summary>For an observable instrument's callback (synchronous): the figures, or null when the table cannot be read
    /// in <see cref="ScrapeTimeout"/> (the gauges then report nothing rather than stale numbers).</summary>
    public JobTableSummary? ForScrape()
    {
        if (Fresh(latest) is { } hit) return hit;
        using var timeout = new CancellationTokenSource(ScrapeTimeout);
        try
        {
            return Task.Run(() => GetAsync(timeout.Token), timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException or IOException or TimeoutException)
        {
            return null;
        }
    }

    JobTableSummary? Fresh(JobTableSummary? s) => s is not null && clock.GetUtcNow() - s.At < MaxAge ? s : null;
}
