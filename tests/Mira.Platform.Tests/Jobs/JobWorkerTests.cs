using System.Collections.Concurrent;
using Mira.Platform.Jobs;
using Mira.Storage.Jobs;
using Mira.Storage.Migrations;

namespace Mira.Platform.Tests.Jobs;

/// <summary>The job worker over a real job table: runs, retries with back-off, gives up, cancels, and takes over a dead worker's job once.</summary>
public sealed class JobWorkerTests : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-jobs-" + Guid.NewGuid().ToString("N")[..10]);
    JobService jobs = null!;

    static readonly JobOptions Fast = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50), RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        Lease = TimeSpan.FromSeconds(2), Heartbeat = TimeSpan.FromMilliseconds(100), Parallelism = 2,
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        var db = StorageDatabase.Sqlite(Path.Combine(folder, "index.db"));
        await MigrationRunner.ApplyAsync(db, MigrationCatalog.Intake);
        jobs = new JobService(new JobStore(db), Fast);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>A handler whose behaviour per job is set by its subject.</summary>
    sealed class TestHandler : IJobHandler
    {
        public ConcurrentDictionary<long, int> Runs { get; } = new();
        public string Kind => "test.work";

        public async Task RunAsync(JobContext job, CancellationToken ct)
        {
            Runs.AddOrUpdate(job.Job.Id, 1, (_, n) => n + 1);
            await job.LogAsync($"attempt {job.Attempt} of {job.Job.Subject}", ct);
            switch (job.Job.Subject)
            {
                case "fail": throw new InvalidOperationException("always fails");
                case "fail-once" when job.Attempt == 1: throw new InvalidOperationException("fails the first time");
                case "slow": await Task.Delay(TimeSpan.FromSeconds(30), ct); break;
            }
        }
    }

    async Task<Job> WaitForAsync(long id, Func<Job, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var job = (await jobs.GetAsync(id))!;
            if (done(job)) return job;
            await Task.Delay(25);
        }
        throw new TimeoutException($"job {id} never {what}: {(await jobs.GetAsync(id))}");
    }

    async Task<long> QueueAsync(string subject, int maxAttempts = 3)
    {
        await jobs.EnqueueAsync([new JobRequest("test.work", $"k-{subject}", Subject: subject, MaxAttempts: maxAttempts)]);
        return (await jobs.ListAsync("test.work")).Single(j => j.Subject == subject).Id;
    }

    [Fact]
    public async Task Jobs_run_retry_after_a_failure_and_give_up_after_their_last_attempt_with_their_log()
    {
        var handler = new TestHandler();
        using var stop = new CancellationTokenSource();
        var worker = new JobWorker(jobs, [handler]).RunAsync(stop.Token);
        var ok = await QueueAsync("ok");
        var flaky = await QueueAsync("fail-once");
        var broken = await QueueAsync("fail", maxAttempts: 2);

        Assert.Equal(1, (await WaitForAsync(ok, j => j.State == JobStates.Succeeded, "succeeded")).Attempts);
        Assert.Equal(2, (await WaitForAsync(flaky, j => j.State == JobStates.Succeeded, "succeeded")).Attempts);
        var failed = await WaitForAsync(broken, j => j.State == JobStates.Failed, "failed");
        Assert.Equal((2, "always fails"), (failed.Attempts, failed.LastError));
        Assert.Equal(2, handler.Runs[broken]);
        var log = await jobs.Store.GetLogAsync(broken);
        Assert.Contains("attempt 1 of fail", log);
        Assert.Contains("attempt 2 failed: always fails", log);

        await stop.CancelAsync();
        await worker;
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_it_at_its_next_heartbeat()
    {
        var handler = new TestHandler();
        using var stop = new CancellationTokenSource();
        var worker = new JobWorker(jobs, [handler]).RunAsync(stop.Token);
        var slow = await QueueAsync("slow");
        await WaitForAsync(slow, j => j.State == JobStates.Running, "started");
        Assert.True(await jobs.CancelAsync(slow));
        Assert.Equal(JobStates.Cancelled, (await WaitForAsync(slow, j => j.State == JobStates.Cancelled, "was cancelled")).State);
        await stop.CancelAsync();
        await worker;
    }

    [Fact]
    public async Task A_job_whose_worker_died_runs_again_once_its_lease_runs_out_and_only_once()
    {
        await QueueAsync("ok");
        var dead = Assert.Single(await jobs.Store.ClaimAsync("dead-worker", ["test.work"], 1, Fast.Lease, DateTimeOffset.UtcNow));
        var handler = new TestHandler();
        using var stop = new CancellationTokenSource();
        var workers = new[] { new JobWorker(jobs, [handler]).RunAsync(stop.Token), new JobWorker(jobs, [handler]).RunAsync(stop.Token) };
        var done = await WaitForAsync(dead.Id, j => j.State == JobStates.Succeeded, "succeeded");
        Assert.Equal(2, done.Attempts); // the dead worker's attempt counts
        Assert.Equal(1, handler.Runs[dead.Id]);
        await Task.Delay(Fast.Lease * 2);
        Assert.Equal(1, handler.Runs[dead.Id]);
        await stop.CancelAsync();
        await Task.WhenAll(workers);
    }

    [Fact]
    public async Task Stopping_the_worker_gives_a_running_job_back_without_counting_the_attempt()
    {
        var handler = new TestHandler();
        using var stop = new CancellationTokenSource();
        var worker = new JobWorker(jobs, [handler]).RunAsync(stop.Token);
        var slow = await QueueAsync("slow");
        await WaitForAsync(slow, j => j.State == JobStates.Running, "started");
        await stop.CancelAsync();
        await worker;
        var back = (await jobs.GetAsync(slow))!;
        Assert.Equal((JobStates.Queued, 0, (string?)null), (back.State, back.Attempts, back.Worker));
    }
}
