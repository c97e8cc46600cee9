namespace Mira.Platform.Workitems;

/// <summary>Who acts on the worklist: an account's name and roles, and where the request came from (for the audit log).</summary>
public sealed record WorkitemActor(string Name, IReadOnlyList<string> Roles, string? ClientAddress = null)
{
    /// <summary>Mira itself (deployment jobs creating work items).</summary>
    public static WorkitemActor System { get; } = new("system", [Security.Roles.Admin]);

    public bool Is(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Stewards and admins manage the whole worklist (identified data).</summary>
    public bool ManagesWorklist => Is(Security.Roles.Steward) || Is(Security.Roles.Admin);
}

/// <summary>A code (Code Value, Coding Scheme Designator, Code Meaning; PS3.3 §8.8).</summary>
public sealed record WorkitemCode(string Value, string Scheme, string Meaning);

/// <summary>
/// What Mira asks an external performer to do: run a model on a study (or some of its series). Becomes a UPS data set
/// (PS3.4 Table CC.2.5-3) whose Input Information Sequence references the input instances with a WADO-RS Retrieve URL.
/// </summary>
/// <param name="StudyInstanceUid">The input study.</param>
/// <param name="SeriesInstanceUids">The input series; empty: the whole study.</param>
/// <param name="RetrieveBaseUrl">The DICOMweb root the performer reads the inputs from (e.g. <c>https://mira.example/dicomweb</c>).</param>
/// <param name="WorkitemCode">Scheduled Workitem Code Sequence: what kind of work (e.g. an AI inference code).</param>
/// <param name="WorklistLabel">The worklist the item is put on (performers search by it).</param>
/// <param name="Model">The model, <c>name@version</c> (Procedure Step Label and Scheduled Processing Parameters).</param>
/// <param name="Priority">HIGH, MEDIUM or LOW.</param>
/// <param name="ScheduledStart">When it may start; now when null.</param>
public sealed record WorkitemRequest(
    string StudyInstanceUid,
    IReadOnlyList<string> SeriesInstanceUids,
    string RetrieveBaseUrl,
    WorkitemCode WorkitemCode,
    string WorklistLabel,
    string Model,
    string Priority = "MEDIUM",
    DateTimeOffset? ScheduledStart = null)
{
    /// <summary>The work item's UID when the caller derives it (a deployment's inference key: the same inference, the same item); new when null.</summary>
    public string? Uid { get; init; }
}

/// <summary>One instance a performer stored as its result (Output Information Sequence).</summary>
public sealed record WorkitemOutput(string StudyInstanceUid, string SeriesInstanceUid, string SopClassUid, string SopInstanceUid, string? RetrieveUrl = null);

/// <summary>Why a request on the worklist was refused; the message names the item and the states.</summary>
public enum WorkitemRefusalKind { Invalid, NotFound, Conflict, Forbidden }

/// <summary>A refused worklist request: nothing was changed.</summary>
public sealed class WorkitemRefusedException(WorkitemRefusalKind kind, string message) : Exception(message)
{
    public WorkitemRefusalKind Kind { get; } = kind;

    public static WorkitemRefusedException Invalid(string m) => new(WorkitemRefusalKind.Invalid, m);
    public static WorkitemRefusedException NotFound(string uid) => new(WorkitemRefusalKind.NotFound, $"no work item {uid}");
    public static WorkitemRefusedException Conflict(string m) => new(WorkitemRefusalKind.Conflict, m);
    public static WorkitemRefusedException Forbidden(string m) => new(WorkitemRefusalKind.Forbidden, m);
}

/// <summary>What a change did: the item as others see it now, and a warning where the standard asks for one (e.g. "already CANCELED").</summary>
public sealed record WorkitemChange(Mira.Dicom.DicomDataset Workitem, string State, string? Warning = null);
