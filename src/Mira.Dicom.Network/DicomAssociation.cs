using Mira.Dicom.IO;

namespace Mira.Dicom.Network;

/// <summary>
/// One DICOM association over a byte stream (usually a TCP connection): the upper layer state machine of PS3.8 §9.2
/// for the requestor (<see cref="RequestAsync"/>) and the acceptor (<see cref="AcceptAsync"/>), DIMSE messages sent
/// as P-DATA-TF fragments no larger than the peer accepts and reassembled on receipt (PS3.8 Annex E), A-RELEASE,
/// A-ABORT and the ARTIM timer. Not thread safe for concurrent receives; sends are serialised.
/// </summary>
public sealed class DicomAssociation : IAsyncDisposable
{
    const int MaxCommandLength = 64 * 1024;
    readonly Stream stream;
    readonly DicomAssociationOptions options;
    readonly SemaphoreSlim sendLock = new(1, 1);
    readonly Dictionary<byte, (string AbstractSyntax, TransferSyntax Syntax)> accepted = [];
    readonly Dictionary<string, RoleSelection> roles = [];
    readonly Dictionary<byte, long> datasetLimits = [];
    uint receivePduLength;

    DicomAssociation(Stream stream, DicomAssociationOptions options, DicomAssociationState state)
    {
        this.stream = stream;
        this.options = options;
        receivePduLength = options.MaxPduLength;
        State = state;
    }

    public DicomAssociationState State { get; private set; }
    public AssociateRequestPdu? Request { get; private set; }
    public AssociateAcceptPdu? Accept { get; private set; }
    public string CallingAE => Request?.CallingAE ?? "";

    /// <summary>The peer's network address, when the transport is a TCP connection (set by <see cref="DicomServer"/> and <see cref="DicomClient"/>).</summary>
    public System.Net.IPEndPoint? RemoteEndPoint { get; set; }

    /// <summary>
    /// SCP/SCU role selections in force (PS3.7 §D.3.3.4), by SOP class: what the acceptor answered to the requestor's
    /// proposals. Absent: default roles (the requestor is SCU only).
    /// </summary>
    public IReadOnlyDictionary<string, RoleSelection> Roles => roles;

    /// <summary>True when the requestor may act as SCP for <paramref name="sopClass"/> (e.g. receive C-STORE sub-operations of a C-GET).</summary>
    public bool RequestorIsScp(string sopClass) => roles.TryGetValue(sopClass, out var r) && r.ScpRole;
    public string CalledAE => Request?.CalledAE ?? "";

    /// <summary>Largest P-DATA-TF variable field we send: the peer's announced maximum (or our own cap when it announced 0).</summary>
    public uint SendPduLength { get; private set; }

    /// <summary>The accepted presentation contexts: id → abstract syntax and transfer syntax.</summary>
    public IReadOnlyDictionary<byte, (string AbstractSyntax, TransferSyntax Syntax)> AcceptedContexts => accepted;

    /// <summary>The first accepted presentation context for <paramref name="abstractSyntax"/>, or null.</summary>
    public byte? FindContext(string abstractSyntax) =>
        accepted.Where(kv => kv.Value.AbstractSyntax == abstractSyntax).Select(kv => (byte?)kv.Key).FirstOrDefault();

    // ---------------------------------------------------------------- requestor (SCU)

    /// <summary>Sends <paramref name="request"/> and waits (ARTIM) for the accept; throws on reject, abort or timeout.</summary>
    public static async Task<DicomAssociation> RequestAsync(Stream stream, AssociateRequestPdu request, DicomAssociationOptions? options = null,
        CancellationToken ct = default)
    {
        options ??= DicomAssociationOptions.Default;
        request = request with
        {
            UserInformation = request.UserInformation with
            {
                MaxPduLength = request.UserInformation.MaxPduLength ?? options.MaxPduLength,
                ImplementationClassUid = request.UserInformation.ImplementationClassUid ?? options.ImplementationClassUid,
                ImplementationVersionName = request.UserInformation.ImplementationVersionName ?? options.ImplementationVersionName,
            },
        };
        var a = new DicomAssociation(stream, options, DicomAssociationState.AwaitingAssociateResponse) { Request = request };
        await a.SendPduAsync(request, ct);
        var pdu = await a.ReadPduAsync(options.ArtimTimeout, "A-ASSOCIATE-AC", ct);
        switch (pdu)
        {
            case AssociateAcceptPdu ac:
                a.Accept = ac;
                foreach (var pc in ac.PresentationContexts)
                {
                    var proposed = request.PresentationContexts.FirstOrDefault(p => p.Id == pc.Id);
                    if (pc.Result != PresentationContextResult.Acceptance || proposed is null || pc.TransferSyntax is null) continue;
                    a.accepted[pc.Id] = (proposed.AbstractSyntax, TransferSyntax.Lookup(pc.TransferSyntax));
                }
                foreach (var r in ac.UserInformation.RoleSelections) a.roles[r.SopClassUid] = r;
                a.SendPduLength = PeerLimit(ac.UserInformation.MaxPduLength, options);
                a.State = DicomAssociationState.Established;
                return a;
            case AssociateRejectPdu rj:
                a.State = DicomAssociationState.Closed;
                throw new DicomAssociationRejectedException(rj);
            case AbortPdu ab:
                a.State = DicomAssociationState.Closed;
                throw new DicomAssociationAbortedException(ab);
            case null:
                a.State = DicomAssociationState.Closed;
                throw new DicomNetworkException("the peer closed the connection instead of answering the A-ASSOCIATE-RQ");
            default:
                await a.AbortQuietlyAsync(AbortPdu.SourceProvider, AbortPdu.UnexpectedPdu);
                throw new DicomNetworkException($"unexpected {pdu.Type} in answer to the A-ASSOCIATE-RQ", (byte)pdu.Type);
        }
    }

    // ---------------------------------------------------------------- acceptor (SCP)

    /// <summary>
    /// Waits (ARTIM) for an A-ASSOCIATE-RQ and answers it. <paramref name="transferSyntaxes"/> gives, for an abstract
    /// syntax, the transfer syntaxes we support (empty: abstract syntax not supported); each proposed context is
    /// accepted with the first proposed transfer syntax we support. <paramref name="validate"/> may reject the whole
    /// association (e.g. called AE not recognised); <paramref name="rejected"/> hears of every rejection sent, with the
    /// request. <paramref name="datasetLimit"/> gives, for an accepted abstract syntax, the largest data set its
    /// messages may carry (0: none, as for Verification); it is capped by <see cref="DicomAssociationOptions.MaxDatasetLength"/>.
    /// Returns null when the association was rejected or the peer closed before asking; throws on protocol errors and
    /// ARTIM expiry.
    /// </summary>
    public static async Task<DicomAssociation?> AcceptAsync(Stream stream, Func<string, IReadOnlyCollection<string>> transferSyntaxes,
        Func<AssociateRequestPdu, AssociateRejectPdu?>? validate = null, DicomAssociationOptions? options = null, CancellationToken ct = default,
        Func<string, long>? datasetLimit = null, Action<AssociateRequestPdu, AssociateRejectPdu>? rejected = null)
    {
        options ??= DicomAssociationOptions.Default;
        var a = new DicomAssociation(stream, options, DicomAssociationState.AwaitingAssociateRequest);
        var pdu = await a.ReadPduAsync(options.ArtimTimeout, "A-ASSOCIATE-RQ", ct);
        if (pdu is null)
        {
            a.State = DicomAssociationState.Closed;
            return null;
        }
        if (pdu is not AssociateRequestPdu rq)
        {
            await a.AbortQuietlyAsync(AbortPdu.SourceProvider, AbortPdu.UnexpectedPdu);
            throw new DicomNetworkException($"expected an A-ASSOCIATE-RQ, got {pdu.Type}", (byte)pdu.Type);
        }
        a.Request = rq;
        var reject = (rq.ProtocolVersion & 1) == 0
            ? new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceAcse, AssociateRejectPdu.ProtocolVersionNotSupported)
            : rq.ApplicationContext != AssociatePdu.DicomApplicationContext
                ? new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceUser, AssociateRejectPdu.ApplicationContextNotSupported)
                : validate?.Invoke(rq);
        if (reject is not null)
        {
            rejected?.Invoke(rq, reject);
            await a.SendPduAsync(reject, ct);
            await a.WaitForCloseAsync(ct);
            return null;
        }

        var contexts = new List<PresentationContext>();
        foreach (var pc in rq.PresentationContexts)
        {
            var supported = transferSyntaxes(pc.AbstractSyntax);
            var chosen = pc.TransferSyntaxes.FirstOrDefault(supported.Contains);
            var result = supported.Count == 0 ? PresentationContextResult.AbstractSyntaxNotSupported
                : chosen is null ? PresentationContextResult.TransferSyntaxesNotSupported
                : PresentationContextResult.Acceptance;
            // The transfer syntax sub-item is always present; it is not significant when the context is rejected (PS3.8 §9.3.3.2).
            contexts.Add(new PresentationContext(pc.Id, "", [chosen ?? pc.TransferSyntaxes[0]], result));
            if (result != PresentationContextResult.Acceptance) continue;
            a.accepted[pc.Id] = (pc.AbstractSyntax, TransferSyntax.Lookup(chosen!));
            a.datasetLimits[pc.Id] = Math.Clamp(datasetLimit?.Invoke(pc.AbstractSyntax) ?? options.MaxDatasetLength, 0, options.MaxDatasetLength);
        }
        // An association whose contexts carry no data set needs PDUs no larger than a command fragment (PS3.8 §D.1:
        // the acceptor announces what it receives).
        if (a.datasetLimits.Count == 0 || a.datasetLimits.Values.All(l => l == 0))
            a.receivePduLength = Math.Min(options.MaxPduLength == 0 ? uint.MaxValue : options.MaxPduLength, options.MaxPduLengthWithoutDataSets);
        // Role selection (PS3.7 §D.3.3.4): a proposed role is granted as proposed for an accepted SOP class; the
        // services decide what a role allows (C-GET sends its C-STORE sub-operations only where the requestor is SCP).
        var acceptedClasses = a.accepted.Values.Select(v => v.AbstractSyntax).ToHashSet();
        var grantedRoles = new List<RoleSelection>();
        foreach (var r in rq.UserInformation.RoleSelections)
        {
            if (!acceptedClasses.Contains(r.SopClassUid) || a.roles.ContainsKey(r.SopClassUid)) continue;
            a.roles[r.SopClassUid] = r;
            grantedRoles.Add(r);
        }
        var ac = new AssociateAcceptPdu
        {
            CalledAE = rq.CalledAE,
            CallingAE = rq.CallingAE,
            PresentationContexts = contexts,
            UserInformation = new UserInformation
            {
                MaxPduLength = a.receivePduLength,
                ImplementationClassUid = options.ImplementationClassUid,
                ImplementationVersionName = options.ImplementationVersionName,
                RoleSelections = grantedRoles,
            },
        };
        a.Accept = ac;
        a.SendPduLength = PeerLimit(rq.UserInformation.MaxPduLength, options);
        await a.SendPduAsync(ac, ct);
        a.State = DicomAssociationState.Established;
        return a;
    }

    static uint PeerLimit(uint? announced, DicomAssociationOptions options) =>
        announced is null or 0 ? options.MaxSendPduLength : Math.Min(announced.Value, options.MaxSendPduLength);

    // ---------------------------------------------------------------- data transfer

    /// <summary>
    /// Sends a message on its presentation context: the command set, then the data set in the context's transfer
    /// syntax, each cut into P-DATA-TF PDUs of one PDV no longer than the peer's maximum length.
    /// </summary>
    public async Task SendAsync(DicomMessage message, CancellationToken ct = default)
    {
        if (State != DicomAssociationState.Established) throw new InvalidOperationException($"cannot send in state {State}");
        if (!accepted.TryGetValue(message.PresentationContextId, out var context))
            throw new InvalidOperationException($"presentation context {message.PresentationContextId} is not accepted");
        var command = DicomMessage.EncodeCommand(message.Command, message.HasDataset);
        ReadOnlyMemory<byte>? data = null;
        if (message.EncodedDataset is { } encoded)
        {
            if (message.EncodedSyntax!.Uid != context.Syntax.Uid)
                throw new InvalidOperationException($"the data set is encoded in {message.EncodedSyntax.Name}, but presentation context {message.PresentationContextId} uses {context.Syntax.Name}");
            data = encoded;
        }
        else if (message.Dataset is { } dataset)
        {
            if (context.Syntax.IsEncapsulated && !context.Syntax.IsKnown)
                throw new NotSupportedException($"sending data sets in {context.Syntax} is not supported");
            var ms = new MemoryStream();
            if (context.Syntax.IsDeflated)
            {
                // PS3.5 §A.5: the whole data set is one raw deflate stream.
                using var deflate = new System.IO.Compression.DeflateStream(ms, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
                new DicomDatasetWriter(context.Syntax).Write(deflate, dataset);
            }
            else new DicomDatasetWriter(context.Syntax).Write(ms, dataset);
            data = ms.GetBuffer().AsMemory(0, (int)ms.Length);
        }
        if (data is { Length: > 0 } odd && (odd.Length & 1) == 1)
        {
            // Data sets and every fragment of them have even length (PS3.5 §7.1; PS3.8 §E.2). A deflated data set of
            // odd length gets the trailing NUL PS3.5 §A.5 prescribes; an odd native one (a damaged file sent as is)
            // gets the same padding rather than breaking the association.
            var padded = new byte[odd.Length + 1];
            odd.CopyTo(padded);
            data = padded;
        }
        await sendLock.WaitAsync(ct);
        try
        {
            await SendFragmentsAsync(message.PresentationContextId, true, command, ct);
            if (data is { } d) await SendFragmentsAsync(message.PresentationContextId, false, d, ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Writes P-DATA-TF PDUs of one PDV each (PS3.8 §9.3.5), copying each fragment once into a pooled buffer.</summary>
    async Task SendFragmentsAsync(byte contextId, bool isCommand, ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        const int header = 12; // PDU header (6), PDV item length (4), context id (1), message control header (1)
        var max = ((int)Math.Min(SendPduLength, int.MaxValue - header) - 6) & ~1; // even fragments (PS3.8 §E.2)
        if (max < 1) throw new InvalidOperationException($"peer maximum PDU length {SendPduLength} leaves no room for data");
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(header + Math.Min(max, bytes.Length));
        try
        {
            var at = 0;
            do
            {
                var n = Math.Min(max, bytes.Length - at);
                var last = at + n == bytes.Length;
                buffer[0] = (byte)PduType.DataTransfer;
                buffer[1] = 0;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(2), (uint)(n + 6));
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(6), (uint)(n + 2));
                buffer[10] = contextId;
                buffer[11] = (byte)((isCommand ? 1 : 0) | (last ? 2 : 0)); // PS3.8 §E.2
                bytes.Span.Slice(at, n).CopyTo(buffer.AsSpan(header));
                await WriteAsync(buffer.AsMemory(0, header + n), ct, flush: last);
                at += n;
            }
            while (at < bytes.Length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Receives the next message, reassembling command and data fragments. Returns null when the peer asked to release:
    /// the A-RELEASE-RP has then been sent. Throws <see cref="DicomAssociationAbortedException"/> when the peer aborts and
    /// <see cref="DicomNetworkException"/> on protocol errors (after aborting the association) or idle timeout.
    /// </summary>
    public Task<DicomMessage?> ReceiveAsync(CancellationToken ct = default) => ReceiveAsync(options.IdleTimeout, ct);

    /// <summary>As <see cref="ReceiveAsync(CancellationToken)"/>, waiting at most <paramref name="idleTimeout"/> for each PDU (infinite: the caller watches idleness).</summary>
    public async Task<DicomMessage?> ReceiveAsync(TimeSpan idleTimeout, CancellationToken ct = default)
    {
        if (State != DicomAssociationState.Established) throw new InvalidOperationException($"cannot receive in state {State}");
        MemoryStream? command = null, data = null;
        DicomDataset? commandSet = null;
        byte contextId = 0;
        while (true)
        {
            var pdu = await ReadPduAsync(idleTimeout, "the next message", ct);
            switch (pdu)
            {
                case DataTransferPdu d:
                    foreach (var v in d.Values)
                    {
                        if (!accepted.ContainsKey(v.PresentationContextId))
                            await ProtocolErrorAsync(AbortPdu.InvalidParameter, $"PDV on presentation context {v.PresentationContextId}, which is not accepted");
                        if (command is not null || data is not null)
                        {
                            if (v.PresentationContextId != contextId)
                                await ProtocolErrorAsync(AbortPdu.UnexpectedParameter, $"PDV on context {v.PresentationContextId} inside a message on context {contextId}");
                        }
                        contextId = v.PresentationContextId;
                        if (v.IsCommand)
                        {
                            if (commandSet is not null) await ProtocolErrorAsync(AbortPdu.UnexpectedParameter, "command fragment after the last command fragment");
                            (command ??= new MemoryStream()).Write(v.Data.Span);
                            if (command.Length > MaxCommandLength) await ProtocolErrorAsync(AbortPdu.InvalidParameter, $"command set longer than {MaxCommandLength} bytes");
                            if (!v.IsLast) continue;
                            commandSet = DicomMessage.DecodeCommand(command.GetBuffer().AsMemory(0, (int)command.Length));
                            var message = new DicomMessage(commandSet) { PresentationContextId = contextId };
                            if (message.CommandHasDataSet && DimseDataSetRules.ForbidsDataSet(message.CommandField))
                                await ProtocolErrorAsync(AbortPdu.UnexpectedParameter,
                                    $"{DicomCommandField.Name(message.CommandField)} claims a data set, which it never has (PS3.7 §9.3, Command Data Set Type)");
                            if (message.CommandHasDataSet && DatasetLimit(contextId) == 0)
                                await ProtocolErrorAsync(AbortPdu.UnexpectedParameter,
                                    $"{DicomCommandField.Name(message.CommandField)} claims a data set on presentation context {contextId} ({accepted[contextId].AbstractSyntax}), whose messages carry none");
                            if (!message.CommandHasDataSet)
                            {
                                if (!ReferenceEquals(v, d.Values[^1])) await ProtocolErrorAsync(AbortPdu.UnexpectedParameter, "PDVs after a complete message");
                                return message;
                            }
                        }
                        else
                        {
                            if (commandSet is null) await ProtocolErrorAsync(AbortPdu.UnexpectedParameter, "data set fragment before the command set");
                            var limit = DatasetLimit(contextId);
                            if ((data?.Length ?? 0) + v.Data.Length > limit)
                                await ProtocolErrorAsync(AbortPdu.InvalidParameter, $"data set on presentation context {contextId} longer than its limit of {limit} bytes");
                            (data ??= new MemoryStream()).Write(v.Data.Span);
                            if (!v.IsLast) continue;
                            if (!ReferenceEquals(v, d.Values[^1])) await ProtocolErrorAsync(AbortPdu.UnexpectedParameter, "PDVs after a complete message");
                            // Kept as received; parsed on demand (DicomMessage.Dataset), so the service decides what a malformed one means.
                            return DicomMessage.WithEncodedDataset(commandSet!, data.GetBuffer().AsMemory(0, (int)data.Length), accepted[contextId].Syntax).InContext(contextId);
                        }
                    }
                    break;
                case ReleaseRequestPdu:
                    if (command is not null) await ProtocolErrorAsync(AbortPdu.UnexpectedPdu, "A-RELEASE-RQ in the middle of a message");
                    await SendPduAsync(new ReleaseResponsePdu(), ct);
                    State = DicomAssociationState.AwaitingClose;
                    return null;
                case AbortPdu ab:
                    State = DicomAssociationState.Closed;
                    throw new DicomAssociationAbortedException(ab);
                case null:
                    State = DicomAssociationState.Closed;
                    throw new DicomNetworkException("the peer closed the connection without releasing the association");
                default:
                    await ProtocolErrorAsync(AbortPdu.UnexpectedPdu, $"unexpected {pdu.Type} on an established association");
                    break;
            }
        }
    }

    /// <summary>The largest data set a message on <paramref name="contextId"/> may carry (set by the acceptor; the options' cap otherwise).</summary>
    long DatasetLimit(byte contextId) => datasetLimits.TryGetValue(contextId, out var l) ? l : options.MaxDatasetLength;

    // ---------------------------------------------------------------- release and abort

    /// <summary>Requests release (A-RELEASE-RQ) and waits (ARTIM) for the A-RELEASE-RP; P-DATA still arriving is dropped.</summary>
    public async Task ReleaseAsync(CancellationToken ct = default)
    {
        if (State != DicomAssociationState.Established) throw new InvalidOperationException($"cannot release in state {State}");
        await SendPduAsync(new ReleaseRequestPdu(), ct);
        State = DicomAssociationState.AwaitingReleaseResponse;
        while (true)
        {
            var pdu = await ReadPduAsync(options.ArtimTimeout, "A-RELEASE-RP", ct);
            switch (pdu)
            {
                case ReleaseResponsePdu or null:
                    State = DicomAssociationState.Closed;
                    return;
                case ReleaseRequestPdu: // release collision (PS3.8 §9.2.2.3), requestor side: answer and keep waiting
                    await SendPduAsync(new ReleaseResponsePdu(), ct);
                    break;
                case DataTransferPdu:
                    break;
                case AbortPdu ab:
                    State = DicomAssociationState.Closed;
                    throw new DicomAssociationAbortedException(ab);
                default:
                    await ProtocolErrorAsync(AbortPdu.UnexpectedPdu, $"unexpected {pdu.Type} while awaiting A-RELEASE-RP");
                    break;
            }
        }
    }

    /// <summary>Sends an A-ABORT; the association is over.</summary>
    public Task AbortAsync(byte source = AbortPdu.SourceUser, byte reason = AbortPdu.NotSpecified) => AbortQuietlyAsync(source, reason);

    /// <summary>Sta13: waits (ARTIM) for the peer to close the transport, discarding whatever it still sends.</summary>
    public async Task WaitForCloseAsync(CancellationToken ct = default)
    {
        State = DicomAssociationState.AwaitingClose;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.ArtimTimeout);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0) { }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        State = DicomAssociationState.Closed;
    }

    async Task ProtocolErrorAsync(byte reason, string detail)
    {
        await AbortQuietlyAsync(AbortPdu.SourceProvider, reason);
        throw new DicomAssociationAbortedException(new AbortPdu(AbortPdu.SourceProvider, reason), detail);
    }

    async Task AbortQuietlyAsync(byte source, byte reason)
    {
        if (State == DicomAssociationState.Closed) return;
        try
        {
            using var cts = new CancellationTokenSource(options.ArtimTimeout);
            await WriteAsync(PduWriter.Encode(new AbortPdu(source, reason)), cts.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or DicomNetworkException) { }
        State = DicomAssociationState.Closed;
    }

    // ---------------------------------------------------------------- transport

    async Task SendPduAsync(Pdu pdu, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            await WriteAsync(PduWriter.Encode(pdu), ct);
        }
        finally
        {
            sendLock.Release();
        }
    }

    async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct, bool flush = true)
    {
        try
        {
            await stream.WriteAsync(bytes, ct);
            if (flush) await stream.FlushAsync(ct);
        }
        catch (IOException e)
        {
            State = DicomAssociationState.Closed;
            throw new DicomNetworkException("connection lost while sending", e);
        }
    }

    /// <summary>Reads one PDU within <paramref name="timeout"/>; a malformed PDU is answered with an A-ABORT.</summary>
    async Task<Pdu?> ReadPduAsync(TimeSpan timeout, string awaiting, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout != Timeout.InfiniteTimeSpan) cts.CancelAfter(timeout);
        try
        {
            return await PduReader.ReadAsync(stream, receivePduLength, cts.Token, options.MaxAssociatePduLength);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // ARTIM expiry before an association exists just closes the transport (PS3.8 §9.2.3, AA-2); otherwise abort.
            if (State is DicomAssociationState.AwaitingAssociateRequest) State = DicomAssociationState.Closed;
            else await AbortQuietlyAsync(AbortPdu.SourceProvider, AbortPdu.NotSpecified);
            throw new DicomNetworkException($"timed out after {timeout.TotalSeconds:0.###} s waiting for {awaiting}");
        }
        catch (DicomNetworkException e)
        {
            var unknownType = e.PduType is 0 or > 7 && e.Offset == 0;
            await AbortQuietlyAsync(AbortPdu.SourceProvider, unknownType ? AbortPdu.UnrecognizedPdu : AbortPdu.InvalidParameter);
            throw;
        }
        catch (IOException e)
        {
            State = DicomAssociationState.Closed;
            throw new DicomNetworkException($"connection lost waiting for {awaiting}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        State = DicomAssociationState.Closed;
        await stream.DisposeAsync();
        sendLock.Dispose();
    }
}
