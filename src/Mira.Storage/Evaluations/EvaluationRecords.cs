namespace Mira.Storage.Evaluations;

/// <summary>
/// A challenge-like phase: a project's test release scored under a protocol (<see cref="SpecJson"/>: the ranking
/// metric and the labels), open for submissions from <see cref="Opens"/> until <see cref="Closes"/> (none: open ended),
/// at most <see cref="MaxSubmissions"/> per submitter in all and <see cref="MaxPerDay"/> in any 24 hours.
/// </summary>
public sealed record EvaluationPhaseRecord(string Id, string Project, string Title, string Protocol, string ReleaseId, string SpecJson,
    DateTimeOffset Opens, DateTimeOffset? Closes, int MaxSubmissions, int MaxPerDay, string CreatedBy, DateTimeOffset Created);

/// <summary>The states of an evaluation.</summary>
public static class EvaluationStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>
/// One model version evaluated in one phase: who submitted it, its job, state, ranking score, summary (JSON) and the
/// signed report's hash and signing key id; <see cref="Error"/> is what the submitter may read when it failed.
/// </summary>
public sealed record EvaluationRecord(long Id, string? Phase, string ModelName, string ModelVersion, string ModelSha256, string Submitter, string State,
    long? Job, DateTimeOffset Submitted, DateTimeOffset? Finished, double? Score, string? SummaryJson, string? ReportSha256, string? KeyId, string? Error);
