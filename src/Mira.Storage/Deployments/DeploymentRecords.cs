namespace Mira.Storage.Deployments;

/// <summary>
/// A deployment rule: when a series arrives from <see cref="FromAe"/> (and, when given, of <see cref="Modality"/>, with
/// <see cref="BodyPart"/>, whose Series Description matches <see cref="SeriesPattern"/>), run model
/// <see cref="ModelName"/>@<see cref="ModelVersion"/> and send the result to <see cref="Destination"/> (an AE title of the
/// AE table, or a DICOMweb base URL). A series counts as arrived when no instance of it came for
/// <see cref="SettleMilliseconds"/>. <see cref="BlindFirstRead"/>: the clinician records a read before the result is shown.
/// Results scoring above <see cref="OodThreshold"/> are flagged outside the validated range. Clinicians' corrections become
/// annotation versions in <see cref="FeedbackProject"/> (through its de-identification).
/// </summary>
public sealed record DeploymentRecord(string Name, string ModelName, string ModelVersion, string? FromAe, string? Modality, string? BodyPart,
    string? SeriesPattern, string Destination, bool BlindFirstRead, double? OodThreshold, int SettleMilliseconds, bool Enabled, string CreatedBy,
    DateTimeOffset Created, string? FeedbackProject = null)
{
    /// <summary>The releases the out-of-distribution profile was built from (comma-separated ids), and the profile's JSON.</summary>
    public string? OodReleases { get; init; }
    public string? OodProfile { get; init; }

    /// <summary>
    /// Outside performers do the inference: Mira puts a UPS work item on the worklist (labelled with the rule's name) and
    /// runs nothing itself; an AI service claims it over UPS-RS and stores its result back over STOW-RS.
    /// </summary>
    public bool ExternalPerformer { get; init; }
}

/// <summary>What a deployment's inference on one series came to.</summary>
public static class DeploymentResultStates
{
    /// <summary>The result is in the archive and was accepted by the destination.</summary>
    public const string Sent = "sent";
    /// <summary>The model ran and found none of its labels: there is nothing to send (no segment to write).</summary>
    public const string NoFinding = "no-finding";
    /// <summary>An outside performer does the inference: its UPS work item is on the worklist.</summary>
    public const string External = "external";
    /// <summary>The model's intended use does not cover the series (e.g. a CT model and an MR series); nothing ran.</summary>
    public const string Refused = "refused";
    /// <summary>The last attempt failed (the job retries until its attempts are used up).</summary>
    public const string Failed = "failed";
}

/// <summary>A clinician's decision on a result.</summary>
public static class ReviewStates
{
    public const string Pending = "pending";
    public const string Accepted = "accepted";
    public const string Corrected = "corrected";
    public const string Rejected = "rejected";

    public static IReadOnlyList<string> Decisions { get; } = [Accepted, Corrected, Rejected];
}

/// <summary>
/// One inference of a deployment on one series: the key <see cref="Id"/> is a content hash of the deployment, the model
/// package and the input instances, so running the same inference again (a retried job, a worker killed mid-run) finds
/// and updates this row and produces the same result UIDs; new instances of the series make a new result.
/// </summary>
public sealed record DeploymentResultRecord(string Id, string Deployment, long? JobId, string StudyInstanceUid, string SeriesInstanceUid, string? Modality,
    string ModelName, string ModelVersion, string ModelSha256, string State, string? Reason, string? ResultSeriesUid, string? ResultSopUid,
    string Destination, double? OodScore, bool OodFlagged, string? OodReasons, string ReviewState, string? Reviewer, string? ReviewReason,
    DateTimeOffset? Reviewed, double? EditDistance, DateTimeOffset Created, DateTimeOffset Updated)
{
    /// <summary>The UPS work item of this inference (IHE AIW-I): performed by Mira, or by an outside performer.</summary>
    public string? WorkitemUid { get; init; }

    /// <summary>The out-of-distribution guard's whole verdict (JSON: components, reasons, what was not compared).</summary>
    public string? OodDetail { get; init; }

    /// <summary>The annotation task (in the rule's feedback project) a correction became.</summary>
    public long? FeedbackTask { get; init; }

    /// <summary>Blind-first-read rules: who recorded their own read of the study before the result was shown, what, and when.</summary>
    public string? OwnReadBy { get; init; }
    public string? OwnRead { get; init; }
    public DateTimeOffset? OwnReadAt { get; init; }
}

/// <summary>The model a project attached for pre-annotation: new tasks are pre-filled with its output.</summary>
public sealed record ProjectModelRecord(string Project, string ModelName, string ModelVersion, string AttachedBy, DateTimeOffset Attached);

/// <summary>
/// What the project's model made of one task's series: <see cref="State"/> done (a pre-fill version was added) or failed
/// (<see cref="Reason"/>), and <see cref="Uncertainty"/> (mean binary entropy of the foreground probability, bits; null
/// for models that give no probabilities) by which annotation queues can be ordered.
/// </summary>
public sealed record TaskPredictionRecord(long Task, string ModelName, string ModelVersion, string State, double? Uncertainty, string? Reason, DateTimeOffset Updated);
