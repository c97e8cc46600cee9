namespace Mira.Dicom.Network;

/// <summary>
/// A malformed or unexpected PDU, or a broken association. <see cref="PduType"/> is the type byte of the PDU being
/// read (null when the failure is not tied to one) and <see cref="Offset"/> the byte offset inside that PDU, counted
/// from its first header byte (PS3.8 §9.3).
/// </summary>
public class DicomNetworkException : MiraException
{
    public DicomNetworkException(string reason, byte? pduType = null, long? offset = null)
        : base(Describe(reason, pduType, offset))
    {
        Reason = reason;
        PduType = pduType;
        Offset = offset;
    }

    public DicomNetworkException(string reason, Exception inner) : base(reason, inner) => Reason = reason;

    public string Reason { get; }
    public byte? PduType { get; }
    public long? Offset { get; }

    static string Describe(string reason, byte? type, long? offset) =>
        (type, offset) switch
        {
            ({ } t, { } o) => $"PDU type 0x{t:X2}, offset {o}: {reason}",
            ({ } t, null) => $"PDU type 0x{t:X2}: {reason}",
            (null, { } o) => $"offset {o}: {reason}",
            _ => reason,
        };
}

/// <summary>The peer rejected the association (A-ASSOCIATE-RJ, PS3.8 §9.3.4).</summary>
public sealed class DicomAssociationRejectedException(AssociateRejectPdu reject)
    : DicomNetworkException($"association rejected ({Describe(reject)})")
{
    public AssociateRejectPdu Reject { get; } = reject;

    /// <summary>Result, source and reason in words (PS3.8 Table 9-21).</summary>
    public static string Describe(AssociateRejectPdu r)
    {
        var result = r.Result == AssociateRejectPdu.Transient ? "transient" : "permanent";
        var (source, reason) = r.Source switch
        {
            AssociateRejectPdu.SourceUser => ("service user", r.Reason switch
            {
                1 => "no reason given", 2 => "application context name not supported", 3 => "calling AE title not recognized",
                7 => "called AE title not recognized", _ => $"reason {r.Reason}",
            }),
            AssociateRejectPdu.SourceAcse => ("ACSE provider", r.Reason switch { 1 => "no reason given", 2 => "protocol version not supported", _ => $"reason {r.Reason}" }),
            _ => ("presentation provider", r.Reason switch { 1 => "temporary congestion", 2 => "local limit exceeded", _ => $"reason {r.Reason}" }),
        };
        return $"{result}, {source}: {reason}";
    }
}

/// <summary>The peer (or this side, on a protocol error) aborted the association (A-ABORT, PS3.8 §9.3.8).</summary>
public sealed class DicomAssociationAbortedException(AbortPdu abort, string? detail = null)
    : DicomNetworkException($"association aborted: source {abort.Source}, reason {abort.Reason}" + (detail is null ? "" : $" ({detail})"))
{
    public AbortPdu Abort { get; } = abort;
}
