using System.Collections.Concurrent;

namespace Mira.Dicom.Network;

/// <summary>
/// One request being performed by an SCP: the request, its association, a token cancelled by C-CANCEL-RQ
/// (PS3.7 §9.3.2.3) or the end of the association, and the means to send pending responses and C-STORE
/// sub-operations on the same association (C-GET, PS3.4 §C.4.3).
/// </summary>
public sealed class DimseOperation
{
    readonly OperationDispatcher dispatcher;

    internal DimseOperation(DicomMessage request, DicomAssociation association, OperationDispatcher dispatcher, CancellationToken cancelled)
    {
        Request = request;
        Association = association;
        this.dispatcher = dispatcher;
        Cancelled = cancelled;
    }

    public DicomMessage Request { get; }
    public DicomAssociation Association { get; }

    /// <summary>Cancelled when the requestor sends C-CANCEL-RQ for this operation or the association ends.</summary>
    public CancellationToken Cancelled { get; }

    /// <summary>True when a C-CANCEL-RQ for this operation arrived (as opposed to the association ending).</summary>
    public bool CancelRequested => dispatcher.WasCancelled(Request.MessageId ?? 0);

    /// <summary>Sends a pending response on the request's presentation context.</summary>
    public Task SendPendingAsync(DicomMessage response)
    {
        response.PresentationContextId = Request.PresentationContextId;
        return Association.SendAsync(response, CancellationToken.None);
    }

    /// <summary>A fresh Message ID for a sub-operation request on this association.</summary>
    public ushort NextMessageId() => dispatcher.NextMessageId();

    /// <summary>Sends a sub-operation request (a C-STORE-RQ of a C-GET) and waits for its response.</summary>
    public Task<DicomMessage> SubOperationAsync(DicomMessage request, CancellationToken ct) => dispatcher.SubOperationAsync(request, ct);
}

/// <summary>Routes what arrives on an association: requests to the worker, C-CANCEL to operations, responses to sub-operations.</summary>
internal sealed class OperationDispatcher(DicomAssociation association)
{
    readonly ConcurrentDictionary<ushort, CancellationTokenSource> operations = new();
    readonly ConcurrentDictionary<ushort, bool> cancelled = new();
    readonly ConcurrentDictionary<ushort, TaskCompletionSource<DicomMessage>> subOperations = new();
    int nextMessageId;

    public ushort NextMessageId() => (ushort)(Interlocked.Increment(ref nextMessageId) & 0xFFFF);

    public CancellationTokenSource Begin(ushort messageId, CancellationToken association)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(association);
        operations[messageId] = cts;
        cancelled.TryRemove(messageId, out _);
        return cts;
    }

    public void End(ushort messageId)
    {
        if (operations.TryRemove(messageId, out var cts)) cts.Dispose();
    }

    public bool WasCancelled(ushort messageId) => cancelled.ContainsKey(messageId);

    /// <summary>C-CANCEL-RQ: cancels the operation it names; one for an operation already finished is ignored (PS3.7 §9.3.2.3).</summary>
    public void Cancel(ushort messageId)
    {
        if (!operations.TryGetValue(messageId, out var cts)) return;
        cancelled[messageId] = true;
        try { cts.Cancel(); } catch (ObjectDisposedException) { }
    }

    /// <summary>A response from the requestor; false when no sub-operation waits for it.</summary>
    public bool Complete(DicomMessage response) =>
        response.MessageIdBeingRespondedTo is { } id && subOperations.TryRemove(id, out var tcs) && tcs.TrySetResult(response);

    public async Task<DicomMessage> SubOperationAsync(DicomMessage request, CancellationToken ct)
    {
        var id = request.MessageId ?? throw new InvalidOperationException("sub-operation request without a Message ID");
        var tcs = new TaskCompletionSource<DicomMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        subOperations[id] = tcs;
        try
        {
            await association.SendAsync(request, ct);
            using var reg = ct.Register(() => tcs.TrySetCanceled(ct));
            return await tcs.Task;
        }
        finally
        {
            subOperations.TryRemove(id, out _);
        }
    }

    /// <summary>The association ended: every waiting sub-operation fails.</summary>
    public void Fail(Exception error)
    {
        foreach (var (id, tcs) in subOperations)
            if (subOperations.TryRemove(id, out _)) tcs.TrySetException(error);
        foreach (var cts in operations.Values)
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
    }
}
