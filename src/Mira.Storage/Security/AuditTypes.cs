namespace Mira.Storage.Security;

public enum AuditOutcome
{
    /// <summary>The action was performed.</summary>
    Success,
    /// <summary>Refused: not authenticated or not authorised.</summary>
    Denied,
    /// <summary>Attempted but failed (bad request, not found, server error).</summary>
    Failure,
}

/// <summary>What to record: who did what to which resource, from where, with what outcome.</summary>
/// <param name="Actor">The user name, or a fixed word such as <c>anonymous</c> or <c>system</c>.</param>
/// <param name="Action">A dotted verb, e.g. <c>wado.retrieve</c>, <c>qido.search</c>, <c>token.issue</c>.</param>
/// <param name="Resource">What was touched, e.g. a Study Instance UID.</param>
/// <param name="ClientAddress">The remote address of the request.</param>
/// <param name="DetailsJson">Optional JSON (validated, stored as given).</param>
public sealed record AuditEntry(
    string Actor,
    string Action,
    string? Resource = null,
    string? ClientAddress = null,
    AuditOutcome Outcome = AuditOutcome.Success,
    string? DetailsJson = null);

/// <summary>A stored record. <see cref="PreviousHash"/> and <see cref="Hash"/> are lowercase hex SHA-256.</summary>
public sealed record AuditRecord(
    long Sequence,
    DateTimeOffset TimeUtc,
    string Actor,
    string Action,
    string? Resource,
    string? ClientAddress,
    string Outcome,
    string? DetailsJson,
    string PreviousHash,
    string Hash);

public enum AuditBreakKind
{
    /// <summary>A sequence number is missing (a record deleted); <see cref="AuditBreak.Sequence"/> is the first missing one.</summary>
    SequenceGap,
    /// <summary>The record's stored previous hash is not the hash of the record before it (records deleted, reordered or replaced).</summary>
    PreviousHashMismatch,
    /// <summary>The record's fields do not hash to its stored hash (the record was altered).</summary>
    HashMismatch,
    /// <summary>The record named by the anchor is missing: the log was truncated.</summary>
    Truncated,
    /// <summary>The record named by the anchor has another hash: the log was rewritten up to there.</summary>
    AnchorMismatch,
}

/// <summary>The first place where the chain does not hold.</summary>
public sealed record AuditBreak(long Sequence, AuditBreakKind Kind, string Message);

/// <summary>A (sequence, hash) pair saved outside the database earlier, e.g. printed by <c>mira audit verify</c>;
/// verifying against it also detects removal of the newest records and wholesale rewriting.</summary>
public sealed record AuditAnchor(long Sequence, string Hash);

/// <summary>Result of <see cref="AuditLog.VerifyAsync"/>.</summary>
/// <param name="RecordsChecked">Records read before the first break (all of them when intact).</param>
/// <param name="Head">The last intact record's sequence and hash; sequence 0 and the genesis hash for an empty log.</param>
public sealed record AuditVerification(long RecordsChecked, AuditAnchor Head, AuditBreak? FirstBreak)
{
    public bool IsIntact => FirstBreak is null;
}
