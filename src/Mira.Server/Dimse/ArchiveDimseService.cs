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
        var allowed = directory.PermissionsOf(association).Allowed;
        if (needed == DimsePermissions.None || (allowed & needed) == 0) return [];
        // A storage context for an AE without store serves only C-GET sub-operations, sent by Mira to the requestor
        // acting as SCP (PS3.4 §C.4.3): it is accepted only when the requestor proposes the SCP role (PS3.7 §D.3.3.4).
        if (SopClasses.IsStorage(abstractSyntax) && (allowed & DimsePermissions.Store) == 0 && !ProposesScpRole(association, abstractSyntax)) return [];
        // Storage objects are archived as received, so any syntax will do; queries travel in the native ones.
        return SopClasses.IsStorage(abstractSyntax) ? SopClasses.AllTransferSyntaxes : VerificationService.NativeSyntaxes;
    }

    static bool ProposesScpRole(AssociationRequestInfo association, string sopClass) =>
        association.Request.UserInformation.RoleSelections.Any(r => r.SopClassUid == sopClass && r.ScpRole);

    /// <summary>
    /// What a message on each accepted context may carry: a C-STORE data set up to the part limit for an AE allowed to
    /// store, nothing on a storage context kept for C-GET sub-operations (the requestor sends only C-STORE-RSPs
    /// there), a query identifier up to <see cref="DimseServiceOptions.MaxIdentifierLength"/>, nothing for Verification.
    /// </summary>
    public long DatasetLimitFor(AssociationRequestInfo association, string abstractSyntax)
    {
        if (SopClasses.IsStorage(abstractSyntax))
            return (directory.PermissionsOf(association).Allowed & DimsePermissions.Store) != 0 ? options.MaxStoreDatasetLength : 0;
        return Needed(abstractSyntax) is DimsePermissions.Find or DimsePermissions.Move or DimsePermissions.Get ? options.MaxIdentifierLength : 0;
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
                // C-STORE needs store, whatever contexts were accepted (PS3.7 Annex C: 0124 Refused: Not Authorized).
                if ((CallerOf(operation.Association).Allowed & DimsePermissions.Store) == 0)
                    return DimseMessages.WithErrorComment(DicomMessage.ResponseTo(rq, DicomStatus.NotAuthorized), $"{operation.Association.CallingAE} may not store here");
                return await StoreAsync(operation, sessions.GetOrAdd(operation.Association, SessionFor));
            case DicomCommandField.CFindRequest:
                return await AuditedAsync(operation, AuditActions.DimseFind, _ => find.FindAsync(operation));
            case DicomCommandField.CMoveRequest:
                return await AuditedAsync(operation, AuditActions.DimseMove, announce => retrieve.MoveAsync(operation, announce));
            case DicomCommandField.CGetRequest:
                return await AuditedAsync(operation, AuditActions.DimseGet, announce => retrieve.GetAsync(operation, announce));
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
            return DimseMessages.WithErrorComment(DicomMessage.ResponseTo(rq, DicomStatus.UnableToProcess), "C-STORE-RQ without a data set or Affected SOP Class/Instance UID");
        var context = operation.Association.AcceptedContexts[rq.PresentationContextId];
        if (context.AbstractSyntax != sopClass)
            return DimseMessages.WithErrorComment(DicomMessage.ResponseTo(rq, DicomStatus.SopClassNotSupported),
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
        return result.Reason is { } reason && result.Outcome == StoreOutcome.Refused ? DimseMessages.WithErrorComment(response, reason) : response;
    }

    /// <summary>
    /// Performs a query or retrieve and audits it. A retrieve first announces what it is about to send (the
    /// <c>*-start</c> record: query, studies, instance count, destination) before the first sub-operation, so a peer
    /// that aborts half way still leaves a record of what it asked for and was sent; the final record follows with
    /// the status and counts, also when the association ends mid-way.
    /// </summary>
    async Task<DicomMessage> AuditedAsync(DimseOperation operation, string action, Func<Func<RetrieveIntent, Task>, Task<RetrieveOutcome>> perform)
    {
        var a = operation.Association;
        RetrieveIntent? intent = null;
        async Task Announce(RetrieveIntent i)
        {
            intent = i;
            var start = action == AuditActions.DimseMove ? AuditActions.DimseMoveStart : AuditActions.DimseGetStart;
            await archive.Audit.AppendAsync(new AuditEntry(Actor(a), start, i.Resource, a.RemoteEndPoint?.Address.ToString(), AuditOutcome.Success,
                JsonSerializer.Serialize(new { query = i.Summary, instances = i.Instances, destination = i.Destination, called = a.CalledAE })), CancellationToken.None);
        }
        RetrieveOutcome outcome;
        try
        {
            outcome = await perform(Announce);
        }
        catch (OperationCanceledException) when (intent is not null)
        {
            await archive.Audit.AppendAsync(new AuditEntry(Actor(a), action, intent.Resource, a.RemoteEndPoint?.Address.ToString(), AuditOutcome.Failure,
                JsonSerializer.Serialize(new { status = "association ended", query = intent.Summary, instances = intent.Instances, called = a.CalledAE })),
                CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Problem?.Invoke($"{action} from {a.CallingAE}: {e.Message}");
            outcome = new RetrieveOutcome(DimseMessages.WithErrorComment(DicomMessage.ResponseTo(operation.Request, DicomStatus.UnableToProcess), e.Message), intent?.Resource, intent?.Summary);
        }
        var status = outcome.Response.Status ?? 0;
        var details = JsonSerializer.Serialize(new { status = $"0x{status:X4}", query = outcome.Summary, called = a.CalledAE });
        await archive.Audit.AppendAsync(new AuditEntry(Actor(a), action, outcome.Resource, a.RemoteEndPoint?.Address.ToString(),
            DicomStatus.IsFailure(status) ? AuditOutcome.Failure : AuditOutcome.Success, details), CancellationToken.None);
        return outcome.Response;
    }

    static string Actor(DicomAssociation a) => $"ae:{a.CallingAE}";

    (DimsePermissions Allowed, bool Known) CallerOf(DicomAssociation a) =>
        a.Request is { } rq ? directory.PermissionsOf(new AssociationRequestInfo(rq, a.RemoteEndPoint)) : (DimsePermissions.None, false);

    /// <summary>
    /// The intake session of an association's C-STOREs. Project AE rules match the calling AE title, so it is passed
    /// on only for a verified caller (its title is in the AE table and it calls from that entry's host): a title
    /// claimed by an unknown caller, or by a known one calling from elsewhere, fires no rule.
    /// </summary>
    IntakeSession SessionFor(DicomAssociation a) => archive.Intake.Begin(new IntakeContext(
        new IngestSource("dimse", $"{a.CallingAE}@{a.RemoteEndPoint?.Address}"), Actor(a), CallingAe: CallerOf(a).Known ? a.CallingAE : null,
        AuditAction: AuditActions.DimseStore, Client: a.RemoteEndPoint?.Address.ToString()));

    /// <summary>One audit record per refused connection or association: caller AE (when it got that far), address, reason.</summary>
    public async ValueTask AssociationRejectedAsync(AssociationRejection rejection)
    {
        var reason = rejection.Reason;
        if (rejection.CallingAE is { } calling && rejection.Reject?.Reason == AssociateRejectPdu.CallingAENotRecognized)
            reason += directory.Find(calling) is { } entry
                ? $" ({calling} is in the AE table for host {entry.Host}, but called from {rejection.Remote?.Address})"
                : $" ({calling} is not in the AE table; unknown callers may use: {ApplicationEntity.Format(directory.UnknownCallers)})";
        await archive.Audit.AppendAsync(new AuditEntry(rejection.CallingAE is { } ae ? $"ae:{ae}" : "ae:", AuditActions.DimseReject, null,
            rejection.Remote?.Address.ToString(), AuditOutcome.Failure,
            JsonSerializer.Serialize(new { calling = rejection.CallingAE, called = rejection.CalledAE, reason })), CancellationToken.None);
    }

    /// <summary>At the end of an association, one audit record of what it stored (studies, counts, refusals).</summary>
    public async ValueTask AssociationEndedAsync(DicomAssociation association, Exception? error)
    {
        if (!sessions.TryRemove(association, out var session)) return;
        await session.CompleteAsync(error is null ? "released" : error.Message, new Dictionary<string, object?> { ["called"] = association.CalledAE });
    }
}

/// <summary>The final response of a query or retrieve, with what to write in its audit record.</summary>
public sealed record RetrieveOutcome(DicomMessage Response, string? Resource, string? Summary = null);

/// <summary>What a retrieve is about to send, audited before its first sub-operation: studies, query, instance count, destination.</summary>
public sealed record RetrieveIntent(string Resource, string Summary, int Instances, string? Destination);
