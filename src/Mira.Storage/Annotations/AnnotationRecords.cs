namespace Mira.Storage.Annotations;

/// <summary>One version of a protocol's definition (its JSON verbatim) and workflow (Mira's agreement rule, JSON).</summary>
public sealed record ProtocolVersionRecord(string Protocol, int Version, string Sha256, string Definition, string Workflow, bool BuiltIn,
    string CreatedBy, DateTimeOffset Created);

/// <summary>A protocol a project uses, at the version its new tasks take.</summary>
public sealed record ProjectProtocolRecord(string Project, string Protocol, int Version, string AttachedBy, DateTimeOffset Attached);

/// <summary>An annotator's record (title, specialty, training, assessments) as JSON, and who last changed it.</summary>
public sealed record AnnotatorRecord(string User, string ProfileJson, string UpdatedBy, DateTimeOffset Updated);

/// <summary>One annotation task: a case (study, and optionally series or image) read under one protocol version.</summary>
public sealed record AnnotationTaskRecord(
    long Id, string Project, string StudyUid, string? SeriesUid, string? SopUid, string Protocol, int ProtocolVersion, string State,
    string? Batch, DateTimeOffset? Due, bool Gold, bool Qc, string? AgreementJson, string? Comment, string CreatedBy, DateTimeOffset Created,
    DateTimeOffset Updated)
{
    /// <summary>Reads with a version number above this count (a task returned to its readers starts a new round).</summary>
    public int ReadsAfter { get; init; }
}

/// <summary>A new task's fields (the id and times are the store's).</summary>
public sealed record NewAnnotationTask(
    string Project, string StudyUid, string? SeriesUid, string? SopUid, string Protocol, int ProtocolVersion, string State, string? Batch,
    DateTimeOffset? Due, bool Gold, bool Qc, string CreatedBy);

/// <summary>A person's role on a task (at most one per person and task).</summary>
public sealed record TaskAssignmentRecord(long Task, string User, string Role);

/// <summary>
/// One version of a task's annotation: a read, a consensus, a gold answer or an import, with its author, role, protocol
/// version, tool and time; <see cref="ContentKey"/> names its decoded content in the project's blob folder and
/// <see cref="SopInstanceUids"/> the DICOM objects stored for it in the project's research archive.
/// </summary>
public sealed record AnnotationVersionRecord(
    long Task, int Number, string Author, string Role, string Protocol, int ProtocolVersion, string Tool, string Kind, DateTimeOffset Created,
    string ContentKey, IReadOnlyList<string> SopInstanceUids);
