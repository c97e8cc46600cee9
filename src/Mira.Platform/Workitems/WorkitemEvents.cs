using System.Text.Json;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Mira.Dicom;
using Mira.Dicom.Json;
using T = Mira.Dicom.DicomTags;

namespace Mira.Platform.Workitems;

/// <summary>The Event Type IDs of UPS event reports (PS3.4 CC.2.4.2, Table CC.2.4-1).</summary>
public static class WorkitemEventTypes
{
    public const ushort StateReport = 1;
    public const ushort CancelRequested = 2;
    public const ushort ProgressReport = 3;
    public const ushort ScpStatusChange = 4;
    public const ushort Assigned = 5;
}

/// <summary>
/// An event report (PS3.4 CC.2.4, PS3.18 §11.12): the Affected SOP Class and Instance UIDs, the Event Type ID and the
/// event's information, as the DICOM JSON data set the WebSocket channel sends.
/// </summary>
public static class WorkitemEventReports
{
    public static DicomDataset Create(string workitemUid, ushort eventType, DicomDataset information)
    {
        var report = new DicomDataset()
            .Set(T.AffectedSOPClassUID, WorkitemDatasets.SopClassUid)
            .Set(T.AffectedSOPInstanceUID, workitemUid)
            .Set(new DicomElement(T.EventTypeID, DicomVR.US, new[] { (byte)(eventType & 0xFF), (byte)(eventType >> 8) }));
        foreach (var e in information) report.Set(e);
        return report;
    }

    /// <summary>UPS State Report: the state and the Input Readiness State (Table CC.2.4-1).</summary>
    public static DicomDataset StateReport(string uid, string state, DicomDataset workitem) => Create(uid, WorkitemEventTypes.StateReport,
        new DicomDataset().Set(T.ProcedureStepState, state).Set(T.InputReadinessState, workitem.GetString(T.InputReadinessState) ?? "READY"));
}

/// <summary>
/// Fans event reports out to the open event channels (PS3.18 §11.11: one WebSocket per subscriber AE title). Each
/// channel has a bounded queue (<see cref="QueueLength"/>; when a slow client lets it fill, the oldest report is dropped).
/// A report for an AE title without an open channel is not kept (docs/workitems.md, limits).
/// </summary>
public sealed class WorkitemEventHub
{
    public const int QueueLength = 256;

    /// <summary>Open channels by (AE title, account): a report reaches only the account that made the subscription.</summary>
    readonly ConcurrentDictionary<(string Ae, string Account), ConcurrentDictionary<Channel<string>, byte>> open = new();

    /// <summary>Opens a channel for an AE title on behalf of an account; dispose it to close. Reports are DICOM JSON text.</summary>
    public WorkitemEventListener Listen(string aeTitle, string account)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest });
        var key = (aeTitle, account);
        open.GetOrAdd(key, _ => new()).TryAdd(channel, 0);
        return new WorkitemEventListener(channel.Reader, () =>
        {
            if (open.TryGetValue(key, out var set)) set.TryRemove(channel, out _);
            channel.Writer.TryComplete();
        });
    }

    /// <summary>Whether an AE title has an open channel for an account.</summary>
    public bool IsListening(string aeTitle, string account) => open.TryGetValue((aeTitle, account), out var set) && !set.IsEmpty;

    /// <summary>
    /// Where reports also go for the other nodes of a deployment (their subscribers' channels may be open there):
    /// set by the composition root to a cluster signal; null on a single node.
    /// </summary>
    public Func<string, Task>? Relay { get; set; }

    /// <summary>Queues one report for each subscriber (each AE title and account once), here and, through
    /// <see cref="Relay"/>, on the other nodes.</summary>
    public void Publish(IEnumerable<(string AeTitle, string Owner)> subscribers, DicomDataset report)
    {
        var json = DicomJsonWriter.Serialize(report);
        var targets = subscribers.Distinct().ToList();
        Deliver(targets, json);
        if (Relay is { } relay && targets.Count > 0)
            _ = RelayAsync(relay, JsonSerializer.Serialize(new RelayedReport([.. targets.Select(t => new[] { t.AeTitle, t.Owner })], json)));
    }

    /// <summary>A report another node published (<see cref="Relay"/>'s text), queued for the channels open here.</summary>
    public void DeliverRelayed(string relayed)
    {
        var r = JsonSerializer.Deserialize<RelayedReport>(relayed) ?? throw new FormatException("an empty relayed report");
        Deliver([.. r.Subscribers.Where(s => s.Length == 2).Select(s => (s[0], s[1]))], r.Report);
    }

    void Deliver(IReadOnlyList<(string AeTitle, string Owner)> subscribers, string json)
    {
        foreach (var s in subscribers)
            if (open.TryGetValue(s, out var set))
                foreach (var channel in set.Keys) channel.Writer.TryWrite(json);
    }

    /// <summary>Relaying is best effort: a channel is a live view, and the work item's state is in the database.</summary>
    static async Task RelayAsync(Func<string, Task> relay, string text)
    {
        try { await relay(text); }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException) { }
    }

    sealed record RelayedReport(string[][] Subscribers, string Report);
}

/// <summary>One open event channel: its reports, and closing it.</summary>
public sealed class WorkitemEventListener(ChannelReader<string> reports, Action close) : IDisposable
{
    public ChannelReader<string> Reports { get; } = reports;
    public void Dispose() => close();
}
