using System.Collections.Concurrent;
using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Network;
using Mira.Storage.Network;
using Mira.Storage.Security;

namespace Mira.Server.Dimse;

/// <summary>
/// The archive's DIMSE services (PS3.4): Verification, Storage (C-STORE SCP: every storage SOP class in every
/// transfer syntax, archived as received through the ingest pipeline), Query/Retrieve C-FIND, C-MOVE and C-GET for
/// patient root and study root. Which of them a caller may use comes from the AE table (<see cref="AeDirectory"/>):
/// presentation contexts for the rest are rejected (PS3.8 Table 9-18, result 1 user rejection), and an association
/// that proposes nothing the caller may use is rejected with "calling AE title not recognized" (PS3.8 §9.3.4).
/// </summary>
public sealed class ArchiveDimseService(MiraPlatform archive, AeDirectory directory, DimseServiceOptions options) : IDicomServiceHandler
{
    readonly FindService find = new(archive, options.AETitle);
    readonly RetrieveService retrieve = new(archive, directory, options);
    readonly ConcurrentDictionary<DicomAssociation, IntakeSession> sessions = new();

    /// <summary>Raised when an operation fails inside the service (for the server's log).</summary>
    public event Action<string>? Problem;

    static DimsePermissions Needed(string abstractSyntax) => DimseServicePolicy.Needed(abstractSyntax);

    public IReadOnlyCollection<string> TransferSyntaxesFor(AssociationRequestInfo association, string abstractSyntax)
    {
        var needed = Needed(abstractSyntax);
        if (needed == DimsePermissions.None || (directory.PermissionsOf(association).Allowed & needed) == 0) return [];
        // Storage objects are archived as received, so any syntax will do; queries travel in the native ones.
        return SopClasses.IsStorage(abstractSyntax) ? SopClasses.AllTransferSyntaxes : VerificationService.NativeSyntaxes;
    }

    public AssociateRejectPdu? Validate(AssociationRequestInfo association)
    {
        var (allowed, _) = directory.PermissionsOf(association);
        var proposed = association.Request.PresentationContexts.Select(pc => Needed(pc.AbstractSyntax)).Aggregate(DimsePermissions.None, (a, b) => a | b);
        return (allowed & proposed) != 0 || proposed == DimsePermissions.None
            ? null
            : new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceUser, AssociateRejectPdu.CallingAENotRecognized);
    }

    public async ValueTask<DicomMessage?> HandleAsync(DimseOperation operation)
    {
        var rq = operation.Request;
        
        switch (rq.CommandField)
        {
            case DicomCommandField.CEchoRequest:
                return DicomMessage.ResponseTo(rq, DicomStatus.Success);
            case DicomCommandField.CStoreRequest:
                return await StoreAsync(operation, sessions.GetOrAdd(operation.Association, SessionFor));
            case DicomCommandField.CFindRequest:
                return await AuditedAsync(operation, AuditActions.DimseFind, () => find.FindAsync(operation));
            case DicomCommandField.CMoveRequest:
                return await AuditedAsync(operation, AuditActions.DimseMove, () => retrieve.MoveAsync(operation));
            case DicomCommandField.CGetRequest:
                return await AuditedAsync(operation, AuditActions.DimseGet, () => retrieve.GetAsync(operation));
            default:
                return null;
        }
    }

    /// <summary>
    /// C-STORE SCP (PS3.4 §B.2.2): the data set is wrapped, byte for byte, in a Part 10 file whose meta names the
    /// calling AE as Source AE Title, and stored through the ingest queue; the response is sent only once the
    /// instance is durable. A different object under a stored SOP Instance UID is refused (0111); an identical
    /// resend succeeds.
    /// </summary>
    async Task<DicomMessage> StoreAsync(DimseOperation operation, IntakeSession session)
    {
        var rq = operation.Request;
        var sopClass = rq.AffectedSopClassUid;
        var sopInstance = rq.AffectedSopInstanceUid;
        if (rq.EncodedDataset is not { } data || sopClass is null || sopInstance is null)
            return WithComment(DicomMessage.ResponseTo(rq, DicomStatus.UnableToProcess), "C-STORE-RQ without a data set or Affected SOP Class/Instance UID");
        var context = operation.Association.AcceptedContexts[rq.PresentationContextId];
        if (context.AbstractSyntax != sopClass)
            return WithComment(DicomMessage.ResponseTo(rq, DicomStatus.SopClassNotSupported),
                $"Affected SOP Class {sopClass} differs from the presentation context's {context.AbstractSyntax}");
        var part = DicomFileWriter.Compose(sopClass, sopInstance, rq.EncodedSyntax!, data.Span, operation.Association.CallingAE);
        // The session stores it through the shared queue, then queues the project rules' copies (the after-store
        // steps every transport shares) before this response is sent.
        var result = await session.StoreOneAsync(part);
        var status = result.Outcome switch
        {
            StoreOutcome.Stored => DicomStatus.Success,
            StoreOutcome.AlreadyStored => DicomStatus.Success,
            _ => result.Status,
        };
        var response = DicomMessage.ResponseTo(rq, status);
        return result.Reason is { } reason && result.Outcome == StoreOutcome.Refused ? WithComment(response, reason) : response;
    }

    async Task<DicomMessage> AuditedAsync(DimseOperation operation, string action, Func<Task<RetrieveOutcome>> perform)
    {
        var a = operation.Association;
        RetrieveOutcome outcome;
        try
        {
            outcome = await perform();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Problem?.Invoke($"{action} from {a.CallingAE}: {e.Message}");
            outcome = new RetrieveOutcome(WithComment(DicomMessage.ResponseTo(operation.Request, DicomStatus.UnableToProcess), e.Message), null);
        }
        var status = outcome.Response.Status ?? 0;
        var details = JsonSerializer.Serialize(new { status = $"0x{status:X4}", query = outcome.Summary, called = a.CalledAE });
        await archive.Audit.AppendAsync(new AuditEntry(Actor(a), action, outcome.Resource, a.RemoteEndPoint?.Address.ToString(),
            DicomStatus.IsFailure(status) ? AuditOutcome.Failure : AuditOutcome.Success, details), CancellationToken.None);
        return outcome.Response;
    }

    internal static DicomMessage WithComment(DicomMessage response, string comment)
    {
        // Error Comment is LO: at most 64 characters (PS3.7 §C.3, PS3.5 Table 6.2-1).
        var text = new string(comment.Select(c => c is '\\' or < ' ' ? ' ' : c).ToArray());
        response.Command.Set(DicomTags.ErrorComment, text.Length > 64 ? text[..64] : text);
        return response;
    }

    static string Actor(DicomAssociation a) => $"ae:{a.CallingAE}";

    IntakeSession SessionFor(DicomAssociation a) => archive.Intake.Begin(new IntakeContext(
        new IngestSource("dimse", $"{a.CallingAE}@{a.RemoteEndPoint?.Address}"), Actor(a), CallingAe: a.CallingAE,
        AuditAction: AuditActions.DimseStore, Client: a.RemoteEndPoint?.Address.ToString()));

    /// <summary>At the end of an association, one audit record of what it stored (studies, counts, refusals).</summary>
    public async ValueTask AssociationEndedAsync(DicomAssociation association, Exception? error)
    {
        if (!sessions.TryRemove(association, out var session)) return;
        await session.CompleteAsync(error is null ? "released" : error.Message, new Dictionary<string, object?> { ["called"] = association.CalledAE });
    }
}

/// <summary>The final response of a query or retrieve, with what to write in its audit record.</summary>
public sealed record RetrieveOutcome(DicomMessage Response, string? Resource, string? Summary = null);
