namespace Mira.Platform;

/// <summary>The topics of the messages nodes send each other (<see cref="Mira.Storage.Cluster.ClusterSignals"/>).</summary>
public static class ClusterTopics
{
    /// <summary>The AE table changed: reload it now (body empty).</summary>
    public const string AeTable = "ae";

    /// <summary>A UPS event report for subscribers whose channels may be open on another node (body: the relayed report).</summary>
    public const string WorkitemEvents = "ups";
}
