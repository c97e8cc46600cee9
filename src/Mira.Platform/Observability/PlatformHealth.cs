using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Mira.Storage;
using Mira.Storage.Blobs;
using Mira.Storage.Jobs;

namespace Mira.Platform.Observability;

/// <summary>One part's health: <c>ok</c> or <c>failing</c>, how long the check took, and what failed (never patient data).</summary>
public sealed record HealthCheckResult(string Status, double LatencyMs, string? Error = null)
{
    public const string Ok = "ok";
    public const string Failing = "failing";
    public bool IsOk => Status == Ok;
}

/// <summary>The job engine's health: the table answers, whether this node runs a worker, and the queue's figures.</summary>
public sealed record JobsHealth(string Status, string Worker, long Queued, long Running, long FailedLastHour, double OldestDueSeconds, string? Error = null)
{
    public bool IsOk => Status == HealthCheckResult.Ok;
}

/// <summary>The database, blob store and job engine as this node sees them; <see cref="IsOk"/> when all three are.</summary>
public sealed record HealthReport(string Node, string DatabaseProvider, HealthCheckResult Database, string BlobStoreKind, HealthCheckResult Blobs, JobsHealth Jobs,
    DateTimeOffset At)
{
    public bool IsOk => Database.IsOk && Blobs.IsOk && Jobs.IsOk;
}

/// <summary>
/// Checks what a node needs to serve: the database answers a query, the blob store writes, reads back and deletes a
/// small probe object under the reserved area <c>health/</c> (proving the store works, not just that a folder exists),
/// and the job table can be read. The report is kept for <see cref="MaxAge"/> and one check runs at a time, so a flood
/// of health requests costs one check per <see cref="MaxAge"/>. Errors name the part and the kind of failure, never a
/// path, query or patient datum.
/// </summary>
public sealed class PlatformHealth(StorageDatabase database, IBlobStore blobs, JobTableMonitor jobs, string node, TimeProvider? time = null)
{
    /// <summary>The blob area of the probe objects (no feature stores anything there).</summary>
    public const string ProbeArea = "health";

    readonly TimeProvider clock = time ?? TimeProvider.System;
    readonly SemaphoreSlim checking = new(1, 1);
    readonly string probePrefix = "probe-" + new string(node.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-').Take(64).ToArray());
    volatile HealthReport? latest;

    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long each part may take before it counts as failing.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Raised with the full error of a failing part (for the host's log; the report carries a short one).</summary>
    public event Action<string, Exception>? Failed;

    /// <summary>The latest report, at most <see cref="MaxAge"/> old. <paramref name="workerRunning"/>: whether this node runs jobs.</summary>
    public async Task<HealthReport> CheckAsync(bool workerRunning, CancellationToken ct = default)
    {
        if (Fresh() is { } hit) return hit;
        await checking.WaitAsync(ct);
        try
        {
            if (Fresh() is { } other) return other;
            var db = Timed("database", CheckDatabaseAsync);
            var blob = Timed("blob store", CheckBlobsAsync);
            var job = CheckJobsAsync(workerRunning);
            await Task.WhenAll(db, blob, job);
            return latest = new HealthReport(node, database.Provider == StorageProvider.PostgreSql ? "postgresql" : "sqlite", await db,
                blobs is FileBlobStore ? "filesystem" : blobs.GetType().Name, await blob, await job, clock.GetUtcNow());
        }
        finally
        {
            checking.Release();
        }
    }

    HealthReport? Fresh() => latest is { } r && clock.GetUtcNow() - r.At < MaxAge ? r : null;

    async Task CheckDatabaseAsync(CancellationToken ct)
    {
        await using var c = await database.OpenAsync(ct);
        var one = await c.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
        if (one != 1) throw new InvalidOperationException("SELECT 1 did not answer 1");
    }

    async Task CheckBlobsAsync(CancellationToken ct)
    {
        var key = BlobKeys.For(ProbeArea, $"{probePrefix}-{Guid.NewGuid():N}");
        var written = Guid.NewGuid().ToByteArray();
        try
        {
            await blobs.WriteAsync(key, written, ct);
            await using var s = blobs.OpenRead(key);
            var read = new byte[written.Length + 1];
            var n = await s.ReadAtLeastAsync(read, read.Length, throwOnEndOfStream: false, ct);
            if (!read.AsSpan(0, n).SequenceEqual(written)) throw new InvalidDataException("the probe object read back differs from what was written");
        }
        finally
        {
            try
            {
                blobs.Delete(key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The write failed too, or the store is read-only now: the check already says so.
            }
        }
        if (blobs.Exists(key)) throw new IOException("the probe object could not be deleted");
    }

    async Task<JobsHealth> CheckJobsAsync(bool workerRunning)
    {
        var worker = workerRunning ? "running" : "off";
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            var s = await jobs.GetAsync(cts.Token);
            return new JobsHealth(HealthCheckResult.Ok, worker, s.InState(JobStates.Queued), s.InState(JobStates.Running), s.FailedSince,
                Math.Round(s.OldestDueSeconds, 3));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failed?.Invoke("job table", e);
            return new JobsHealth(HealthCheckResult.Failing, worker, 0, 0, 0, 0, Describe("the job table cannot be read", e, cts));
        }
    }

    async Task<HealthCheckResult> Timed(string part, Func<CancellationToken, Task> check)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await check(cts.Token);
            return new HealthCheckResult(HealthCheckResult.Ok, Milliseconds(started));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failed?.Invoke(part, e);
            return new HealthCheckResult(HealthCheckResult.Failing, Milliseconds(started), Describe($"the {part} check failed", e, cts));
        }
    }

    static double Milliseconds(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);

    /// <summary>A short error for an anonymous answer: what failed and the exception's kind (and SQL state), no message text
    /// (a message may carry a path, a host or a query).</summary>
    static string Describe(string what, Exception e, CancellationTokenSource timeout)
    {
        if (e is OperationCanceledException && timeout.IsCancellationRequested) return $"{what}: no answer within the time limit";
        var state = e is DbException { SqlState: { Length: > 0 } s } ? $", SQL state {s}" : "";
        return $"{what}: {e.GetType().Name}{state}";
    }
}
