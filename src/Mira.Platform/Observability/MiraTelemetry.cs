using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mira.Platform.Intake;
using Mira.Storage.Jobs;

namespace Mira.Platform.Observability;

/// <summary>
/// What the platform measures, with the BCL's <see cref="System.Diagnostics.Metrics"/> and
/// <see cref="System.Diagnostics.Activity"/> only (the host chooses the exporters: docs/operations.md). One
/// <see cref="Meter"/> named <see cref="Name"/> per platform; per-node figures carry the <c>node</c> attribute, while
/// the job-table gauges are the shared table's (every node reports the same), read through
/// <see cref="JobTableMonitor"/> so a scrape costs at most one query every few seconds.
/// </summary>
public sealed class MiraTelemetry : IDisposable
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "Mira";

    /// <summary>The spans around an ingest batch (<c>mira.ingest.batch</c>) and a job run (<c>mira.job</c>).</summary>
    public static ActivitySource Tracing { get; } = new(Name, typeof(MiraTelemetry).Assembly.GetName().Version?.ToString());

    readonly KeyValuePair<string, object?> node;
    readonly Counter<long> instancesIngested;
    readonly Counter<long> bytesIngested;
    readonly Histogram<double> ingestBatchDuration;
    readonly Counter<long> jobsEnded;
    readonly Histogram<double> jobDuration;
    Func<int>? dimseAssociationsOpen;

    public MiraTelemetry(string nodeName, JobTableMonitor jobTable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeName);
        Node = nodeName;
        JobTable = jobTable;
        node = new("node", nodeName);
        Meter = new Meter(Name, typeof(MiraTelemetry).Assembly.GetName().Version?.ToString());
        instancesIngested = Meter.CreateCounter<long>("mira.ingest.instances", "{instance}",
            "Instances stored (new in the archive), by transport: stow, dimse, import, conversion, and the platform's own (project-copy, deployment, annotation, demo)");
        bytesIngested = Meter.CreateCounter<long>("mira.ingest.size", "By", "Bytes of the instances stored, by transport");
        ingestBatchDuration = Meter.CreateHistogram<double>("mira.ingest.batch.duration", "s",
            "Time from a parsed batch to its durable blobs and index commit (one group commit)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        jobsEnded = Meter.CreateCounter<long>("mira.jobs.ended", "{job}",
            "Job runs ended on this node, by kind and outcome: succeeded, retry, failed, cancelled, released (shutdown), lease-lost");
        jobDuration = Meter.CreateHistogram<double>("mira.jobs.duration", "s", "How long a job run took on this node, by kind and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400] });
        Meter.CreateObservableGauge("mira.jobs", ObserveJobs, "{job}", "Jobs in the shared job table, by kind and state");
        Meter.CreateObservableGauge("mira.jobs.oldest_due.age", ObserveOldestDue, "s", "How long the oldest due queued job has waited for a worker");
        Meter.CreateObservableGauge("mira.dimse.associations", ObserveAssociations, "{association}", "DIMSE associations open on this node");
    }

    /// <summary>This node's name (the <c>node</c> attribute; the host's <c>service.instance.id</c>).</summary>
    public string Node { get; }

    public Meter Meter { get; }

    /// <summary>The cached view of the job table behind the gauges and the health check.</summary>
    public JobTableMonitor JobTable { get; }

    /// <summary>Where the DIMSE listener's open-association count is read (set by the listener when it starts).</summary>
    public void ObserveDimseAssociations(Func<int> open) => dimseAssociationsOpen = open;

    /// <summary>The names used for <see cref="IngestSource.Transport"/> in the <c>transport</c> attribute.</summary>
    public static string TransportOf(IngestSource source) => source.Transport switch
    {
        "stow-rs" => "stow",
        "upload" => "conversion",
        var t => t,
    };

    /// <summary>Records one ingest batch: the instances newly stored, their bytes, and the batch's duration.</summary>
    internal void RecordIngestBatch(IReadOnlyList<IncomingInstance> parsed, IReadOnlyList<StoreResult> results, TimeSpan elapsed)
    {
        ingestBatchDuration.Record(elapsed.TotalSeconds, node);
        foreach (var group in Enumerable.Range(0, parsed.Count).Where(i => results[i].Outcome == StoreOutcome.Stored).GroupBy(i => TransportOf(parsed[i].Source)))
        {
            var transport = new KeyValuePair<string, object?>("transport", group.Key);
            instancesIngested.Add(group.Count(), node, transport);
            bytesIngested.Add(group.Sum(i => parsed[i].Record?.BlobSize ?? 0), node, transport);
        }
    }

    /// <summary>Records the end of one job run.</summary>
    internal void RecordJob(string kind, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { node, { "kind", kind }, { "outcome", outcome } };
        jobsEnded.Add(1, tags);
        jobDuration.Record(elapsed.TotalSeconds, tags);
    }

    IEnumerable<Measurement<long>> ObserveJobs() =>
        JobTable.ForScrape() is { } s
            ? s.Counts.Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("kind", c.Kind), new KeyValuePair<string, object?>("state", c.State)))
            : [];

    IEnumerable<Measurement<double>> ObserveOldestDue() =>
        JobTable.ForScrape() is { } s ? [new Measurement<double>(s.OldestDueSeconds)] : [];

    IEnumerable<Measurement<int>> ObserveAssociations() =>
        dimseAssociationsOpen is { } open ? [new Measurement<int>(open(), node)] : [];

    public void Dispose() => Meter.Dispose();
}
