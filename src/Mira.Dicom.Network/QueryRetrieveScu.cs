using System.Runtime.CompilerServices;

namespace Mira.Dicom.Network;

/// <summary>A remote application entity and how to reach it as an SCU.</summary>
public sealed record DicomPeer(string Host, int Port, string CalledAE, string CallingAE = "MIRA")
{
    public DicomAssociationOptions Association { get; init; } = DicomAssociationOptions.Default;
    public override string ToString() => $"{CalledAE}@{Host}:{Port}";
}

/// <summary>The final outcome of a C-MOVE or C-GET: status, sub-operation counts, failed SOP instances (PS3.4 §C.4.2.1.4, §C.4.3.1.4).</summary>
public sealed record RetrieveResult(ushort Status, SubOperationCounts Counts, IReadOnlyList<string> FailedInstances, string? ErrorComment);

/// <summary>
/// Query/retrieve service class user (PS3.4 Annex C): C-FIND, C-MOVE and C-GET against a remote AE, patient root or
/// study root, each on an association of its own. Cancelling the token sends C-CANCEL-RQ and waits for the final
/// response, as PS3.7 §9.3.2.3 asks.
/// </summary>
public static class QueryRetrieveScu
{
    public static string FindSopClass(QueryRoot root) => root == QueryRoot.Patient
        ? DicomUids.PatientRootQueryRetrieveInformationModelFind : DicomUids.StudyRootQueryRetrieveInformationModelFind;

    public static string MoveSopClass(QueryRoot root) => root == QueryRoot.Patient
        ? DicomUids.PatientRootQueryRetrieveInformationModelMove : DicomUids.StudyRootQueryRetrieveInformationModelMove;

    public static string GetSopClass(QueryRoot root) => root == QueryRoot.Patient
        ? DicomUids.PatientRootQueryRetrieveInformationModelGet : DicomUids.StudyRootQueryRetrieveInformationModelGet;

    /// <summary>C-FIND (PS3.4 §C.4.1): yields each pending response's identifier; throws <see cref="DimseStatusException"/> on a failure status.</summary>
    public static async IAsyncEnumerable<DicomDataset> FindAsync(DicomPeer peer, QueryRoot root, DicomDataset identifier,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var sopClass = FindSopClass(root);
        await using var association = await DicomClient.ConnectAsync(peer.Host, peer.Port, peer.CallingAE, peer.CalledAE,
            [new PresentationContext(1, sopClass, SopClasses.Native)], peer.Association, ct);
        var context = Context(association, sopClass, peer);
        await association.SendAsync(DimseMessages.FindRequest(1, sopClass, identifier).InContext(context), ct);
        await using var cancel = CancelOn(association, 1, ct);
        while (true)
        {
            var response = await ReceiveResponseAsync(association, DicomCommandField.CFindResponse, 1);
            var status = response.Status!.Value;
            if (DicomStatus.IsPending(status))
            {
                if (response.Dataset is { } match) yield return match;
                continue;
            }
            await association.ReleaseAsync(CancellationToken.None);
            if (DicomStatus.IsFailure(status)) throw new DimseStatusException("C-FIND", status, response.Command.GetString(DicomTags.ErrorComment));
            yield break;
        }
    }

    /// <summary>C-MOVE (PS3.4 §C.4.2): asks <paramref name="peer"/> to send the matching instances to <paramref name="destinationAE"/>.</summary>
    public static async Task<RetrieveResult> MoveAsync(DicomPeer peer, QueryRoot root, string destinationAE, DicomDataset identifier,
        IProgress<SubOperationCounts>? progress = null, CancellationToken ct = default)
    {
        var sopClass = MoveSopClass(root);
        await using var association = await DicomClient.ConnectAsync(peer.Host, peer.Port, peer.CallingAE, peer.CalledAE,
            [new PresentationContext(1, sopClass, SopClasses.Native)], peer.Association, ct);
        var context = Context(association, sopClass, peer);
        await association.SendAsync(DimseMessages.MoveRequest(1, sopClass, destinationAE, identifier).InContext(context), ct);
        await using var cancel = CancelOn(association, 1, ct);
        while (true)
        {
            var response = await ReceiveResponseAsync(association, DicomCommandField.CMoveResponse, 1);
            if (DicomStatus.IsPending(response.Status!.Value))
            {
                progress?.Report(DimseMessages.Counts(response));
                continue;
            }
            await association.ReleaseAsync(CancellationToken.None);
            return Final(response);
        }
    }

    /// <summary>
    /// C-GET (PS3.4 §C.4.3): the peer sends the matching instances back on this association as C-STORE
    /// sub-operations, which <paramref name="store"/> receives (it returns the C-STORE status). Proposes the query
    /// model and, for each storage SOP class in <paramref name="storageClasses"/> (default
    /// <see cref="SopClasses.CommonStorage"/>), a native context and one with the common compressed syntaxes (<see cref="SopClasses.CommonEncapsulated"/>), with the SCP role
    /// (PS3.7 §D.3.3.4).
    /// </summary>
    public static async Task<RetrieveResult> GetAsync(DicomPeer peer, QueryRoot root, DicomDataset identifier,
        Func<DicomMessage, Task<ushort>> store, IReadOnlyList<string>? storageClasses = null,
        IProgress<SubOperationCounts>? progress = null, CancellationToken ct = default)
    {
        var sopClass = GetSopClass(root);
        storageClasses ??= SopClasses.CommonStorage;
        if (storageClasses.Count > 63) throw new ArgumentException($"at most 63 storage SOP classes fit one association, not {storageClasses.Count}", nameof(storageClasses));
        var encapsulated = SopClasses.CommonEncapsulated;
        var contexts = new List<PresentationContext> { new(1, sopClass, SopClasses.Native) };
        foreach (var storage in storageClasses)
        {
            contexts.Add(new PresentationContext((byte)(2 * contexts.Count + 1), storage, SopClasses.Native));
            contexts.Add(new PresentationContext((byte)(2 * contexts.Count + 1), storage, encapsulated));
        }
        var rq = new AssociateRequestPdu
        {
            CalledAE = peer.CalledAE,
            CallingAE = peer.CallingAE,
            PresentationContexts = contexts,
            UserInformation = new UserInformation { RoleSelections = storageClasses.Select(s => new RoleSelection(s, false, true)).ToList() },
        };
        await using var association = await DicomClient.ConnectAsync(peer.Host, peer.Port, rq, peer.Association, ct);
        var context = Context(association, sopClass, peer);
        await association.SendAsync(DimseMessages.GetRequest(1, sopClass, identifier).InContext(context), ct);
        await using var cancel = CancelOn(association, 1, ct);
        while (true)
        {
            var message = await association.ReceiveAsync(CancellationToken.None)
                ?? throw new DicomNetworkException("the peer released the association before the final C-GET-RSP");
            if (message.CommandField == DicomCommandField.CStoreRequest)
            {
                ushort status;
                try
                {
                    status = await store(message);
                }
                catch (Exception e) when (e is MiraException or IOException or UnauthorizedAccessException)
                {
                    status = DicomStatus.ProcessingFailure;
                }
                await association.SendAsync(DicomMessage.ResponseTo(message, status), CancellationToken.None);
                continue;
            }
            Check(message, DicomCommandField.CGetResponse, 1);
            if (DicomStatus.IsPending(message.Status!.Value))
            {
                progress?.Report(DimseMessages.Counts(message));
                continue;
            }
            await association.ReleaseAsync(CancellationToken.None);
            return Final(message);
        }
    }

    /// <summary>
    /// The final C-MOVE/C-GET response: its status, sub-operation counts and the Failed SOP Instance UID List (0008,0058),
    /// a UI of value multiplicity 1-n (PS3.6; PS3.4 Annex C, the C-MOVE and C-GET service definitions): every value, not only the first.
    /// </summary>
    internal static RetrieveResult Final(DicomMessage response)
    {
        IReadOnlyList<string> failed = [];
        if (response.Dataset is { } ds && ds.TryGetStrings(DicomTags.FailedSOPInstanceUIDList, out var values))
            failed = [.. values.Select(v => v.Trim('\0', ' ')).Where(v => v.Length > 0)];
        return new RetrieveResult(response.Status!.Value, DimseMessages.Counts(response), failed, response.Command.GetString(DicomTags.ErrorComment)?.Trim());
    }

    static byte Context(DicomAssociation association, string sopClass, DicomPeer peer) =>
        association.FindContext(sopClass) ?? throw new DicomNetworkException($"{peer} did not accept {DicomUids.Find(sopClass)?.Name ?? sopClass}");

    static async Task<DicomMessage> ReceiveResponseAsync(DicomAssociation association, ushort expected, ushort messageId)
    {
        var response = await association.ReceiveAsync(CancellationToken.None)
            ?? throw new DicomNetworkException($"the peer released the association before the final {DicomCommandField.Name(expected)}");
        Check(response, expected, messageId);
        return response;
    }

    static void Check(DicomMessage response, ushort expected, ushort messageId)
    {
        if (response.CommandField != expected || response.MessageIdBeingRespondedTo != messageId)
            throw new DicomNetworkException($"expected a {DicomCommandField.Name(expected)} to message {messageId}, got {DicomCommandField.Name(response.CommandField)}");
        if (response.Status is null) throw new DicomNetworkException($"{DicomCommandField.Name(expected)} without a Status (0000,0900)");
    }

    /// <summary>Sends one C-CANCEL-RQ on the query's context when <paramref name="ct"/> is cancelled.</summary>
    static CancellationTokenRegistration CancelOn(DicomAssociation association, ushort messageId, CancellationToken ct) =>
        ct.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                var context = association.AcceptedContexts.Keys.Min();
                await association.SendAsync(DimseMessages.CancelRequest(messageId).InContext(context), CancellationToken.None);
            }
            catch (Exception e) when (e is DicomNetworkException or InvalidOperationException or ObjectDisposedException) { }
        }));
}
