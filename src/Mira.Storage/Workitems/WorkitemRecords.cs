namespace Mira.Storage.Workitems;

/// <summary>The Procedure Step State values (0074,1000) of PS3.4 CC.1.1.</summary>
public static class WorkitemStates
{
    public const string Scheduled = "SCHEDULED";
    public const string InProgress = "IN PROGRESS";
    public const string Completed = "COMPLETED";
    public const string Canceled = "CANCELED";

    public static IReadOnlyList<string> All { get; } = [Scheduled, InProgress, Completed, Canceled];

    /// <summary>COMPLETED and CANCELED: no further change (PS3.4 CC.1.1).</summary>
    public static bool IsFinal(string state) => state is Completed or Canceled;
}

/// <summary>
/// One stored work item. <see cref="DatasetJson"/> is the UPS data set as DICOM JSON without the Transaction UID, which
/// only <see cref="TransactionUid"/> holds. <see cref="InputStudy"/> and <see cref="InputSeries"/> (empty: the whole
/// study) name what its performer may read; <see cref="Performer"/> is the account that claimed it.
/// </summary>
public sealed record WorkitemRecord(
    string Uid,
    string State,
    string? TransactionUid,
    DateTimeOffset? ScheduledStart,
    string Priority,
    string? WorklistLabel,
    string? InputStudy,
    IReadOnlyList<string> InputSeries,
    string? Performer,
    string Creator,
    string DatasetJson,
    DateTimeOffset Created,
    DateTimeOffset Updated);

/// <summary>What a search asks the table for (every field optional); the rest of the matching is the platform's.</summary>
public sealed record WorkitemFilter(
    IReadOnlyList<string>? States = null,
    string? WorklistLabel = null,
    DateTimeOffset? ScheduledFrom = null,
    DateTimeOffset? ScheduledTo = null,
    string? InputStudy = null,
    string? Uid = null,
    string? VisibleTo = null);

/// <summary>
/// An AE title's subscription to one work item, or to the worklist (<see cref="WorkitemUid"/> a global subscription UID).
/// <see cref="FilterJson"/>: the matching keys of a filtered global subscription (a DICOM JSON data set).
/// <see cref="Owner"/>: the account that subscribed; an AE title belongs to one account.
/// </summary>
public sealed record WorkitemSubscription(
    string AeTitle,
    string WorkitemUid,
    string Owner,
    bool DeletionLock,
    string? FilterJson,
    bool Suspended,
    DateTimeOffset Created);
