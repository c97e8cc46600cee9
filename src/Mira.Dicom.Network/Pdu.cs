namespace Mira.Dicom.Network;

/// <summary>The seven PDU types of the DICOM upper layer protocol (PS3.8 §9.3.1).</summary>
public enum PduType : byte
{
    AssociateRequest = 0x01,
    AssociateAccept = 0x02,
    AssociateReject = 0x03,
    DataTransfer = 0x04,
    ReleaseRequest = 0x05,
    ReleaseResponse = 0x06,
    Abort = 0x07,
}

public abstract record Pdu
{
    public abstract PduType Type { get; }
}

/// <summary>Result/reason of a presentation context in an A-ASSOCIATE-AC (PS3.8 Table 9-18).</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>
/// A presentation context item: in a request (item 0x20) one abstract syntax and the proposed transfer syntaxes; in
/// an accept (item 0x21) the result and, when accepted, the one chosen transfer syntax.
/// </summary>
public sealed record PresentationContext(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes,
    PresentationContextResult Result = PresentationContextResult.Acceptance)
{
    public string? TransferSyntax => TransferSyntaxes.Count > 0 ? TransferSyntaxes[0] : null;
}

/// <summary>SCP/SCU role selection sub-item (0x54, PS3.7 §D.3.3.4).</summary>
public sealed record RoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);

/// <summary>SOP class extended negotiation sub-item (0x56, PS3.7 §D.3.3.5): opaque service class information.</summary>
public sealed record ExtendedNegotiation(string SopClassUid, byte[] ServiceClassApplicationInformation);

/// <summary>SOP class common extended negotiation sub-item (0x57, PS3.7 §D.3.3.6).</summary>
public sealed record CommonExtendedNegotiation(string SopClassUid, string ServiceClassUid, IReadOnlyList<string> RelatedGeneralSopClasses);

/// <summary>User identity negotiation request sub-item (0x58, PS3.7 §D.3.3.7).</summary>
public sealed record UserIdentityRequest(byte IdentityType, bool PositiveResponseRequested, byte[] PrimaryField, byte[] SecondaryField);

/// <summary>The user information item (0x50) and the sub-items this toolkit knows; unknown sub-items are skipped on read.</summary>
public sealed record UserInformation
{
    /// <summary>Maximum length of a P-DATA-TF variable field the sender can receive (0x51); 0 means no limit.</summary>
    public uint? MaxPduLength { get; init; }
    public string? ImplementationClassUid { get; init; }
    public string? ImplementationVersionName { get; init; }
    /// <summary>Asynchronous operations window (0x53): maximum invoked, maximum performed.</summary>
    public (ushort Invoked, ushort Performed)? AsyncOperationsWindow { get; init; }
    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];
    public IReadOnlyList<ExtendedNegotiation> ExtendedNegotiations { get; init; } = [];
    public IReadOnlyList<CommonExtendedNegotiation> CommonExtendedNegotiations { get; init; } = [];
    public UserIdentityRequest? UserIdentity { get; init; }
    /// <summary>Server response of a user identity negotiation accept sub-item (0x59).</summary>
    public byte[]? UserIdentityServerResponse { get; init; }
}

/// <summary>A-ASSOCIATE-RQ and A-ASSOCIATE-AC share one layout (PS3.8 §9.3.2, §9.3.3).</summary>
public abstract record AssociatePdu : Pdu
{
    public const string DicomApplicationContext = "1.2.840.10008.3.1.1.1";

    public ushort ProtocolVersion { get; init; } = 1;
    public required string CalledAE { get; init; }
    public required string CallingAE { get; init; }
    public string ApplicationContext { get; init; } = DicomApplicationContext;
    public IReadOnlyList<PresentationContext> PresentationContexts { get; init; } = [];
    public UserInformation UserInformation { get; init; } = new();
}

public sealed record AssociateRequestPdu : AssociatePdu
{
    public override PduType Type => PduType.AssociateRequest;
}

public sealed record AssociateAcceptPdu : AssociatePdu
{
    public override PduType Type => PduType.AssociateAccept;
}

/// <summary>A-ASSOCIATE-RJ (PS3.8 §9.3.4): result 1 permanent / 2 transient; source 1 user, 2 ACSE provider, 3 presentation provider.</summary>
public sealed record AssociateRejectPdu(byte Result, byte Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.AssociateReject;

    public const byte Permanent = 1, Transient = 2;
    public const byte SourceUser = 1, SourceAcse = 2, SourcePresentation = 3;
    /// <summary>Reasons for source 1 (service user).</summary>
    public const byte NoReasonGiven = 1, ApplicationContextNotSupported = 2, CallingAENotRecognized = 3, CalledAENotRecognized = 7;
    /// <summary>Reason for source 2 (ACSE provider).</summary>
    public const byte ProtocolVersionNotSupported = 2;
    /// <summary>Reasons for source 3 (presentation provider).</summary>
    public const byte TemporaryCongestion = 1, LocalLimitExceeded = 2;
}

/// <summary>One presentation data value item: a fragment of a command or data set (PS3.8 §9.3.5.1, Annex E).</summary>
public sealed record Pdv(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data);

public sealed record DataTransferPdu(IReadOnlyList<Pdv> Values) : Pdu
{
    public override PduType Type => PduType.DataTransfer;
}

public sealed record ReleaseRequestPdu : Pdu
{
    public override PduType Type => PduType.ReleaseRequest;
}

public sealed record ReleaseResponsePdu : Pdu
{
    public override PduType Type => PduType.ReleaseResponse;
}

/// <summary>A-ABORT (PS3.8 §9.3.8): source 0 service user, 2 service provider; reason meaningful for source 2.</summary>
public sealed record AbortPdu(byte Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.Abort;

    public const byte SourceUser = 0, SourceProvider = 2;
    public const byte NotSpecified = 0, UnrecognizedPdu = 1, UnexpectedPdu = 2, UnrecognizedParameter = 4, UnexpectedParameter = 5, InvalidParameter = 6;
}
