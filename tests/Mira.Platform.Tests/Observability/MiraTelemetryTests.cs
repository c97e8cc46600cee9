using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mira.Platform.Jobs;
using Mira.Platform.Observability;
using Mira.Storage.Jobs;

namespace Mira.Platform.Tests.Observability;

/// <summary>What <see cref="MiraTelemetry"/> records, heard through a <see cref="MeterListener"/> on a real platform (SQLite, blob folder).</summary>
public sealed class MiraTelemetryTests : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-telemetry-" + Guid.NewGuid().ToString("N")[..10]);
    MiraPlatform platform = null!;
    readonly MeterListener listener = new();
    readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> heard = new();

    public async Task InitializeAsync()
    {
        platform = await MiraPlatform.OpenAsync(new PlatformOptions
        {
            DataFolder = folder, Console = TextWriter.Null, NodeName = "node-a",
            Jobs = new JobOptions { PollInterval = TimeSpan.FromMilliseconds(50), Heartbeat = TimeSpan.FromMilliseconds(100) },
        });
        // Only this platform's meter: other tests in the process have platforms (and meters named Mira) of their own.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, platform.Telemetry.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Heard(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Heard(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Heard(i, v, tags));
        listener.Start();
    }

    void Heard(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        heard.Enqueue((i.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public async Task DisposeAsync()
    {
        listener.Dispose();
        await platform.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    static string Uid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);

    IEnumerable<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string instrument) => heard.Where(h => h.Instrument == instrument);

    [Fact]
    public async Task An_ingest_batch_counts_the_new_instances_and_their_bytes_by_transport_and_node_but_not_a_resend()
    {
        var study = Uid();
        var parts = Enumerable.Range(0, 3).Select(_ => TestInstances.Make(study, Uid(), Uid())).ToArray();
        var results = new List<StoreResult>();
        await foreach (var r in platform.Ingest.StoreManyAsync(parts.Select(p => (ReadOnlyMemory<byte>)p), new IngestSource("stow-rs", "127.0.0.1", "tester")))
            results.Add(r);
        Assert.All(results, r => Assert.Equal(StoreOutcome.Stored, r.Outcome));
        await platform.Ingest.StoreAsync(parts[0], new IngestSource("dimse", "CT1@127.0.0.1")); // already stored: not counted again

        var instances = Assert.Single(Of("mira.ingest.instances"));
        Assert.Equal(3, instances.Value);
        Assert.Equal("stow", instances.Tags["transport"]);
        Assert.Equal("node-a", instances.Tags["node"]);
        Assert.Equal(parts.Sum(p => (long)p.Length), Assert.Single(Of("mira.ingest.size")).Value);
        var batches = Of("mira.ingest.batch.duration").ToArray();
        Assert.Equal(2, batches.Length); // the batch of three and the resend
        Assert.All(batches, b => Assert.InRange(b.Value, 0, 60));
    }

    sealed class Handler(string kind, bool fails) : IJobHandler
    {
        public string Kind => kind;

        public Task RunAsync(JobContext job, CancellationToken ct) => fails ? throw new InvalidOperationException("broken on purpose") : Task.CompletedTask;
    }

    [Fact]
    public async Task Job_runs_are_counted_and_timed_by_kind_and_outcome_and_each_runs_in_a_span()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == MiraTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);
        await platform.Jobs.EnqueueAsync([new JobRequest("test.ok", "ok-1"), new JobRequest("test.broken", "broken-1", MaxAttempts: 1)]);
        using var stop = new CancellationTokenSource();
        var worker = new JobWorker(platform.Jobs, [new Handler("test.ok", false), new Handler("test.broken", true)]).RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Of("mira.jobs.ended").Count() < 2 && DateTime.UtcNow < deadline) await Task.Delay(25);
        await stop.CancelAsync();
        await worker;

        var ended = Of("mira.jobs.ended").Select(e => ((string)e.Tags["kind"]!, (string)e.Tags["outcome"]!, e.Value, (string)e.Tags["node"]!)).Order().ToArray();
        Assert.Equal([("test.broken", "failed", 1.0, "node-a"), ("test.ok", "succeeded", 1.0, "node-a")], ended);
        Assert.Equal(2, Of("mira.jobs.duration").Count());
        var jobSpans = spans.Where(s => s.OperationName == "mira.job").ToArray();
        Assert.Equal(["failed", "succeeded"], jobSpans.Select(s => (string)s.GetTagItem("mira.job.outcome")!).Order());
        Assert.Equal(ActivityStatusCode.Error, jobSpans.Single(s => (string)s.GetTagItem("mira.job.kind")! == "test.broken").Status);
    }

    [Fact]
    public async Task The_job_gauges_read_the_shared_table_once_per_refresh_however_often_they_are_observed()
    {
        await platform.Jobs.EnqueueAsync([new JobRequest("test.waiting", "w-1"), new JobRequest("test.waiting", "w-2"), new JobRequest("test.other", "o-1")]);
        listener.RecordObservableInstruments();
        var jobs = Of("mira.jobs").Select(m => ((string)m.Tags["kind"]!, (string)m.Tags["state"]!, m.Value)).Order().ToArray();
        Assert.Equal([("test.other", "queued", 1.0), ("test.waiting", "queued", 2.0)], jobs);
        Assert.InRange(Assert.Single(Of("mira.jobs.oldest_due.age")).Value, 0, 60);

        // Within the refresh interval a new job is not seen yet: the figures come from the cache, not a query per scrape
        // (a monitor with a long interval, so a slow machine cannot make this pass or fail by timing).
        var monitor = new JobTableMonitor(platform.Jobs.Store, TimeSpan.FromMinutes(10));
        var cached = monitor.ForScrape();
        await platform.Jobs.EnqueueAsync([new JobRequest("test.waiting", "w-3")]);
        Assert.Same(cached, monitor.ForScrape());
        Assert.Same(cached, await monitor.GetAsync());
        Assert.Equal(2, cached!.Counts.Single(c => c.Kind == "test.waiting").Count);
        Assert.Equal(3, (await new JobTableMonitor(platform.Jobs.Store, TimeSpan.Zero).GetAsync()).Counts.Single(c => c.Kind == "test.waiting").Count);
    }

    [Fact]
    public async Task The_health_check_proves_the_blob_store_by_a_probe_it_leaves_no_trace_of()
    {
        var report = await platform.Health.CheckAsync(workerRunning: false);
        Assert.True(report.IsOk, $"{report}");
        Assert.Equal(("sqlite", "filesystem", "off", "node-a"), (report.DatabaseProvider, report.BlobStoreKind, report.Jobs.Worker, report.Node));
        Assert.DoesNotContain(platform.Blobs.Enumerate(), b => b.Key.StartsWith(PlatformHealth.ProbeArea + "/", StringComparison.Ordinal));
        Assert.Same(report, await platform.Health.CheckAsync(workerRunning: false)); // cached: a flood costs one check
    }
}
