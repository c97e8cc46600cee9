namespace Mira.Dicom.Network;

/// <summary>The services a <see cref="DicomServer"/> offers: which presentation contexts it accepts and how it answers requests.</summary>
public interface IDicomServiceHandler
{
    /// <summary>Transfer syntaxes supported for <paramref name="abstractSyntax"/>; empty when the SOP class is not supported.</summary>
    IReadOnlyCollection<string> TransferSyntaxesFor(string abstractSyntax);

    /// <summary>Answers one request; null sends nothing (a response to an unrecognised operation is then sent by the server).</summary>
    ValueTask<DicomMessage?> HandleAsync(DicomMessage request, DicomAssociation association, CancellationToken ct);

    /// <summary>Rejects the association before its presentation contexts are looked at; null accepts it.</summary>
    AssociateRejectPdu? Validate(AssociateRequestPdu request) => null;
}

/// <summary>The Verification SOP class (PS3.4 Annex A): answers C-ECHO-RQ with success (PS3.7 §9.1.5).</summary>
public class VerificationService : IDicomServiceHandler
{
    static readonly string[] Syntaxes = [DicomUids.ImplicitVRLittleEndian, DicomUids.ExplicitVRLittleEndian, "1.2.840.10008.1.2.2"];

    public virtual IReadOnlyCollection<string> TransferSyntaxesFor(string abstractSyntax) =>
        abstractSyntax == DicomUids.Verification ? Syntaxes : [];

    public virtual ValueTask<DicomMessage?> HandleAsync(DicomMessage request, DicomAssociation association, CancellationToken ct) =>
        ValueTask.FromResult(request.CommandField == DicomCommandField.CEchoRequest
            ? DicomMessage.ResponseTo(request, DicomStatus.Success)
            : null);
}
