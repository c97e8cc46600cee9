using Mira.Storage.Jobs;

namespace Mira.Platform.Jobs;

/// <summary>
/// Works the job table in this process: claims due jobs of the kinds it has handlers for (under a lease), runs up to
/// <see cref="JobOptions.Parallelism"/> at once, extends each lease while its job runs (the heartbeat, which also
/// carries cancellation requests), and records success, a retry or the end. At start, jobs left running by a stopped
/// or killed process are claimed again once their lease runs out; jobs queued by other nodes are found every
/// <see cref="JobOptions.PollInterval"/>. The host runs <see cref="RunAsync"/> in the background.
/// </summary>
public sealed class JobWorker(JobService jobs, IEnumerable<IJobHandler> handlers, Action<string>? log = null)
{
    readonly Dictionary<string, IJobHandler> byKind = handlers.ToDictionary(h => h.Kind, StringComparer.Ordinal);
    readonly string name = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    JobOptions Options => jobs.Options;
    JobStore Store => jobs.Store;

    /// <summary>This worker's name in the <c>worker</c> column (host, process, instance).</summary>
    public string Name => name;

    public async Task RunAsync(CancellationToken stop)
    {
        var kinds = byKind.Keys.ToArray();
        var running = new List<Task>();
        var lastPurge = DateTimeOffset.MinValue;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var free = Options.Parallelism - running.Count;
                var claimed = free > 0 ? await Store.ClaimAsync(name, kinds, free, Options.Lease, DateTimeOffset.UtcNow, stop) : [];
                foreach (var job in claimed) running.Add(Task.Run(() => RunOneAsync(job, stop), CancellationToken.None));
                if (DateTimeOffset.UtcNow - lastPurge > TimeSpan.FromHours(1))
                {
                    await Store.PurgeEndedAsync(DateTimeOffset.UtcNow - Options.KeepEnded, stop);
                    lastPurge = DateTimeOffset.UtcNow;
                }
                if (claimed.Count == free && free > 0) continue;
                if (running.Count >= Options.Parallelism)
                {
                    await Task.WhenAny(running);
                    continue;
                }
                var next = await Store.NextDueAsync(kinds, stop);
                var wait = next is { } t ? t - DateTimeOffset.UtcNow : Options.PollInterval;
                if (wait <= TimeSpan.Zero) wait = TimeSpan.FromMilliseconds(50); // a running job's lease, or a claim lost to another node
                var waits = new List<Task>(running) { jobs.WaitAsync(wait < Options.PollInterval ? wait : Options.PollInterval, stop) };
                await Task.WhenAny(waits);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database may be briefly unavailable; the rows stay, so try again later.
                log?.Invoke($"jobs: {e.Message}; retrying in {Options.PollInterval}");
                try
                {
                    await Task.Delay(Options.PollInterval, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        await Task.WhenAll(running);
    }

    async Task RunOneAsync(Job job, CancellationToken stop)
    {
        using var span = Observability.MiraTelemetry.Tracing.StartActivity("mira.job");
        span?.SetTag("mira.job.kind", job.Kind);
        span?.SetTag("mira.job.id", job.Id);
        span?.SetTag("mira.job.attempt", job.Attempts);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await RunAndRecordAsync(job, stop);
        span?.SetTag("mira.job.outcome", outcome);
        if (outcome is "retry" or "failed") span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
        jobs.Telemetry?.RecordJob(job.Kind, outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Runs one claimed job and records how it ended in the table; returns that end (the <c>outcome</c> attribute).</summary>
    async Task<string> RunAndRecordAsync(Job job, CancellationToken stop)
    {
        var outcome = "succeeded";
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var cancelledByRequest = false;
        using var beat = new PeriodicTimer(Options.Heartbeat);
        var heartbeat = Task.Run(async () =>
        {
            try
            {
                while (await beat.WaitForNextTickAsync(cancel.Token))
                {
                    var (held, cancelRequested) = await Store.HeartbeatAsync(job.Id, name, Options.Lease, DateTimeOffset.UtcNow, cancel.Token);
                    if (!held || cancelRequested)
                    {
                        cancelledByRequest = cancelRequested;
                        await cancel.CancelAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        try
        {
            await byKind[job.Kind].RunAsync(new JobContext(job, Store), cancel.Token);
            await Store.CompleteAsync(job.Id, name, DateTimeOffset.UtcNow, CancellationToken.None);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            outcome = cancelledByRequest ? "cancelled" : stop.IsCancellationRequested ? "released" : "lease-lost";
            if (cancelledByRequest) await Store.MarkCancelledAsync(job.Id, name, DateTimeOffset.UtcNow, CancellationToken.None);
            else if (stop.IsCancellationRequested) await Store.ReleaseAsync(job.Id, name, CancellationToken.None); // shutdown: untouched, next start
        }
        catch (Exception e)
        {
            var retryAt = job.Attempts >= job.MaxAttempts ? (DateTimeOffset?)null : DateTimeOffset.UtcNow + Options.DelayAfter(job.Attempts);
            outcome = retryAt is null ? "failed" : "retry";
            try
            {
                await Store.AppendLogAsync(job.Id, $"{DateTimeOffset.UtcNow:O} attempt {job.Attempts} failed: {e.Message}", CancellationToken.None);
                await Store.FailAsync(job.Id, name, e.Message, retryAt, DateTimeOffset.UtcNow, CancellationToken.None);
            }
            catch (Exception recordError)
            {
                log?.Invoke($"job {job.Id} ({job.Kind}): {e.Message}; recording the failure failed too: {recordError.Message}");
            }
        }
        finally
        {
            await cancel.CancelAsync();
            await heartbeat;
        }
        return outcome;
    }
}
