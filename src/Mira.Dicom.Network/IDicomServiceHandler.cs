using System.Net;

namespace Mira.Dicom.Network;

/// <summary>An A-ASSOCIATE-RQ as a <see cref="DicomServer"/> received it, with the peer's address.</summary>
public sealed record AssociationRequestInfo(AssociateRequestPdu Request, IPEndPoint? Remote)
{
    public string CallingAE => Request.CallingAE;
    public string CalledAE => Request.CalledAE;
}

/// <summary>The services a <see cref="DicomServer"/> offers: which presentation contexts it accepts and how it answers requests.</summary>
public interface IDicomServiceHandler
{
    /// <summary>Transfer syntaxes supported for <paramref name="abstractSyntax"/> on this association; empty when the SOP class is not offered to this caller.</summary>
    IReadOnlyCollection<string> TransferSyntaxesFor(AssociationRequestInfo association, string abstractSyntax);

    /// <summary>Rejects the association before its presentation contexts are looked at; null accepts it.</summary>
    AssociateRejectPdu? Validate(AssociationRequestInfo association) => null;

    /// <summary>
    /// The largest data set a message on an accepted context for <paramref name="abstractSyntax"/> may carry (0: none,
    /// a protocol violation answered with A-ABORT); capped by <see cref="DicomAssociationOptions.MaxDatasetLength"/>.
    /// The default allows none for Verification, whose messages never carry one (PS3.7 §9.3.5).
    /// </summary>
    long DatasetLimitFor(AssociationRequestInfo association, string abstractSyntax) =>
        abstractSyntax == DicomUids.Verification ? 0 : long.MaxValue;

    /// <summary>Called after the listener refused a connection or an association (limits, TLS, validation), with who and why.</summary>
    ValueTask AssociationRejectedAsync(AssociationRejection rejection) => default;

    /// <summary>
    /// Performs one operation and returns its final response (null: unrecognised operation). Pending responses and
    /// sub-operations go through <paramref name="operation"/>; its token is cancelled by a C-CANCEL-RQ or when the
    /// association ends.
    /// </summary>
    ValueTask<DicomMessage?> HandleAsync(DimseOperation operation);

    /// <summary>Called once when an established association ends: released (error null), aborted or failed.</summary>
    ValueTask AssociationEndedAsync(DicomAssociation association, Exception? error) => default;
}

/// <summary>The Verification SOP class (PS3.4 Annex A): answers C-ECHO-RQ with success (PS3.7 §9.1.5).</summary>
public class VerificationService : IDicomServiceHandler
{
    /// <summary>Transfer syntaxes offered for every SOP class without pixel data: the native little and big endian ones.</summary>
    public static readonly string[] NativeSyntaxes = [DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian, "1.2.840.10008.1.2.2"];

    public virtual IReadOnlyCollection<string> TransferSyntaxesFor(AssociationRequestInfo association, string abstractSyntax) =>
        abstractSyntax == DicomUids.Verification ? NativeSyntaxes : [];

    public virtual ValueTask<DicomMessage?> HandleAsync(DimseOperation operation) =>
        ValueTask.FromResult(operation.Request.CommandField == DicomCommandField.CEchoRequest
            ? DicomMessage.ResponseTo(operation.Request, DicomStatus.Success)
            : null);
}
