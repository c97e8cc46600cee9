using Mira.Storage.Index;

namespace Mira.Platform.Intake;

/// <summary>
/// Status codes a store reports per instance: PS3.4 Annex B (Table B.2-1, C-STORE) and PS3.7 Annex C, as PS3.18
/// §10.5.3 (Table 10.5.3-1 Failure Reason, Table 10.5.3-2 Warning Reason) uses them in STOW-RS responses.
/// </summary>
public static class StoreStatus
{
    public const ushort Success = 0x0000;
    /// <summary>Refused: Out of Resources (A7xx).</summary>
    public const ushort OutOfResources = 0xA700;
    /// <summary>Error: Data Set does not match SOP Class (A9xx), e.g. a required UID is missing.</summary>
    public const ushort DataSetDoesNotMatchSopClass = 0xA900;
    /// <summary>Error: Cannot understand (Cxxx): the part is not parseable DICOM.</summary>
    public const ushort CannotUnderstand = 0xC000;
    /// <summary>Refused: SOP Class not supported (0122, PS3.7 Annex C; PS3.18 Table 10.5.3-1 "Referenced SOP Class not supported").</summary>
    public const ushort SopClassNotSupported = 0x0122;
    /// <summary>Refused: Not Authorized (0124, PS3.7 Annex C).</summary>
    public const ushort NotAuthorized = 0x0124;
    /// <summary>Processing failure (PS3.7 C.4.2).</summary>
    public const ushort ProcessingFailure = 0x0110;
    /// <summary>Duplicate SOP Instance (PS3.7 C.4.3): a different object is already stored under this SOP Instance UID.</summary>
    public const ushort DuplicateSopInstance = 0x0111;
    /// <summary>Warning: Coercion of Data Elements (B000).</summary>
    public const ushort CoercionOfDataElements = 0xB000;
    /// <summary>Warning: Elements Discarded (B006).</summary>
    public const ushort ElementsDiscarded = 0xB006;
    /// <summary>Warning: Data Set does not match SOP Class (B007).</summary>
    public const ushort DataSetDoesNotMatchSopClassWarning = 0xB007;
}

/// <summary>What happened to one instance.</summary>
public enum StoreOutcome
{
    /// <summary>Stored now; durable in blob store and index.</summary>
    Stored,
    /// <summary>An identical object (same SHA-256) was already stored: success with a warning.</summary>
    AlreadyStored,
    /// <summary>Refused; nothing of it was kept. <see cref="StoreResult.Status"/> gives the failure reason.</summary>
    Refused,
}

/// <summary>
/// Why a part was refused, as a code (callers branch on this, never on <see cref="StoreResult.Reason"/>'s text, which is
/// for people and may change).
/// </summary>
public enum StoreRefusal
{
    None,
    /// <summary>Not a readable DICOM object (or not DICOM at all).</summary>
    Unreadable,
    /// <summary>The object ends before its last element does.</summary>
    Truncated,
    /// <summary>A required identifying attribute is missing (<see cref="StoreResult.Missing"/> names them).</summary>
    MissingAttributes,
    /// <summary>STOW-RS to <c>/studies/{study}</c>: the instance belongs to another study (or to none).</summary>
    NotInTargetStudy,
    /// <summary>A multipart part of another media type than <c>application/dicom</c>.</summary>
    MediaType,
    /// <summary>Larger than the part limit.</summary>
    TooLarge,
    /// <summary>A different object is already stored under the SOP Instance UID (0111).</summary>
    Conflict,
    /// <summary>The blob could not be written (disk full, I/O error).</summary>
    StorageFailed,
    /// <summary>The index transaction failed.</summary>
    IndexFailed,
    /// <summary>Stored, but the project rules' copies could not be queued: the sender should resend.</summary>
    RulesNotQueued,
    /// <summary>Readable, but its identifying attributes (the UIDs) are not.</summary>
    UnreadableAttributes,
    /// <summary>Readable, but its attributes cannot be indexed.</summary>
    Unindexable,
    /// <summary>
    /// Its header describes pixel data larger, once decoded, than <see cref="IntakeLimits"/> allow (per frame or in all):
    /// refused as Out of Resources (A700) before anything is decoded.
    /// </summary>
    DecodedTooLarge,
    /// <summary>A project's STOW-RS: the object is not of an annotation SOP class (an image, say): 0122.</summary>
    NotAnnotation,
    /// <summary>A project's STOW-RS: the object's study (or a series it references) is not in the project: A900.</summary>
    NotInProject,
    /// <summary>A project's STOW-RS: the annotation workflow refuses the object (no open task of the user, codes not in the protocol).</summary>
    WorkflowRefused,
    /// <summary>Its deflated data set (PS3.5 §A.5) inflates beyond <see cref="IntakeLimits"/>: refused as Out of Resources (A700).</summary>
    InflatedTooLarge,
    /// <summary>A site's push into a hub project: the object is not marked de-identified by the project's recipe (docs/sites.md): 0124.</summary>
    NotDeidentified,
}

/// <summary>Where an instance came from (transport, peer, user), recorded with it.</summary>
public sealed record IngestSource(string Transport, string? Peer = null, string? User = null)
{
    public static IngestSource Unknown { get; } = new("unknown");
    public override string ToString() => string.Join(' ', new[] { Transport, Peer, User }.Where(s => !string.IsNullOrEmpty(s)));
}

/// <summary>
/// The result for one instance. <see cref="Status"/> is 0 for success, a failure reason for refusals; a success may
/// carry a warning in <see cref="Reason"/>.
/// </summary>
public sealed record StoreResult(StoreOutcome Outcome, ushort Status, string? SopClassUid, string? SopInstanceUid, string? Reason, StoredInstance? Instance = null)
{
    public bool IsSuccess => Outcome != StoreOutcome.Refused;

    /// <summary>Why it was refused (<see cref="StoreRefusal.None"/> for a success).</summary>
    public StoreRefusal Refusal { get; init; }

    /// <summary>For <see cref="StoreRefusal.MissingAttributes"/>: the attributes missing, by name and tag.</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];
    public bool HasWarning => Outcome == StoreOutcome.AlreadyStored;

    public static StoreResult Refuse(StoreRefusal refusal, ushort status, string reason, string? sopClass = null, string? sopInstance = null) =>
        new(StoreOutcome.Refused, status, sopClass, sopInstance, reason) { Refusal = refusal };

    public override string ToString() => $"{Outcome} 0x{Status:X4} {SopInstanceUid} {Reason}";
}
