using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mira.Dicom.Network;

public sealed record DicomServerOptions
{
    /// <summary>Our AE title; an A-ASSOCIATE-RQ calling another is rejected (called AE not recognised) unless <see cref="AnyCalledAE"/>.</summary>
    public string AETitle { get; init; } = "MIRA";
    public bool AnyCalledAE { get; init; }
    /// <summary>The address listened on: loopback unless opened on purpose (<see cref="IPAddress.Any"/>, <see cref="IPAddress.IPv6Any"/>).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    /// <summary>TCP port; 0 picks a free one (see <see cref="DicomServer.Port"/>).</summary>
    public int Port { get; init; } = 11112;
    public DicomAssociationOptions Association { get; init; } = DicomAssociationOptions.Default;

    /// <summary>
    /// Connections held at once, overall and per peer address, counted from accept; beyond them a new association is
    /// rejected (A-ASSOCIATE-RJ rejected-transient, local limit exceeded, PS3.8 §9.3.4). Share one limiter between
    /// listeners to cap them together; null: <see cref="DefaultMaxAssociations"/> and <see cref="DefaultMaxAssociationsPerAddress"/>.
    /// </summary>
    public AssociationLimiter? Limiter { get; init; }

    /// <summary>Connections over the limits that are still answered with an A-ASSOCIATE-RJ at once; beyond that they are closed unread.</summary>
    public int MaxConcurrentRejections { get; init; } = 8;

    /// <summary>TLS on every connection (PS3.15 Annex B); null: plain TCP.</summary>
    public DicomTlsOptions? Tls { get; init; }

    public const int DefaultMaxAssociations = 64, DefaultMaxAssociationsPerAddress = 16;
}

/// <summary>
/// A DICOM upper layer listener: one task per association, each serving requests one at a time through the
/// <see cref="IDicomServiceHandler"/>. A failing association (garbage, protocol errors, dropped connections,
/// timeouts) is reported through <see cref="AssociationFailed"/> and never stops the listener.
/// </summary>
public sealed class DicomServer : IAsyncDisposable
{
    readonly DicomServerOptions options;
    readonly IDicomServiceHandler handler;
    readonly ConcurrentDictionary<int, Task> connections = new();
    readonly CancellationTokenSource stopping = new();
    readonly AssociationLimiter limiter;
    TcpListener? listener;
    Task? acceptLoop;
    int nextId, rejecting;

    public DicomServer(IDicomServiceHandler handler, DicomServerOptions? options = null)
    {
        this.handler = handler;
        this.options = options ?? new DicomServerOptions();
        if (this.options.Tls is { Certificate: null }) throw new ArgumentException("a DICOM TLS listener needs a certificate with its private key");
        if (this.options.Tls is { RequireClientCertificate: true, TrustedCertificates: null })
            throw new ArgumentException("requiring client certificates needs the CA certificates to trust");
        limiter = this.options.Limiter ?? new AssociationLimiter(DicomServerOptions.DefaultMaxAssociations, DicomServerOptions.DefaultMaxAssociationsPerAddress);
    }

    /// <summary>The bound port once started.</summary>
    public int Port => (listener?.LocalEndpoint as IPEndPoint)?.Port ?? throw new InvalidOperationException("server not started");

    /// <summary>Raised (on the association's task) when an association ends in an error.</summary>
    public event Action<Exception>? AssociationFailed;

    /// <summary>Number of associations currently open.</summary>
    public int OpenConnections => connections.Count;

    public void Start()
    {
        if (listener is not null) throw new InvalidOperationException("already started");
        listener = new TcpListener(options.Address, options.Port);
        listener.Start();
        acceptLoop = AcceptLoopAsync(listener, stopping.Token);
    }

    async Task AcceptLoopAsync(TcpListener l, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await l.AcceptTcpClientAsync(ct);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e)
            {
                AssociationFailed?.Invoke(e);
                continue;
            }
            var id = Interlocked.Increment(ref nextId);
            connections[id] = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, ct);
                }
                finally
                {
                    connections.TryRemove(id, out _);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>
    /// One connection: a slot from the limiter (or, over the limits, an A-ASSOCIATE-RJ rejected-transient / local limit
    /// exceeded, PS3.8 §9.3.4), the TLS handshake when configured, the association and its operations. Every refusal
    /// is reported to the handler (<see cref="IDicomServiceHandler.AssociationRejectedAsync"/>).
    /// </summary>
    async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        DicomAssociation? association = null;
        Exception? error = null;
        var remote = client.Client.RemoteEndPoint as IPEndPoint;
        var (slot, overLimit) = limiter.TryAcquire(remote?.Address);
        var counted = false;
        AssociationRejection? rejection = null;
        try
        {
            if (overLimit is not null)
            {
                counted = true;
                if (Interlocked.Increment(ref rejecting) > options.MaxConcurrentRejections)
                {
                    rejection = new AssociationRejection(null, null, remote, $"closed before reading an A-ASSOCIATE-RQ: {overLimit}", null);
                    return;
                }
            }
            client.NoDelay = true;
            Stream stream = new QuickAckStream(client.GetStream(), client.Client);
            if (options.Tls is { } tls)
            {
                try
                {
                    stream = await tls.AuthenticateAsServerAsync(stream, ct);
                }
                catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException
                    or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    rejection = new AssociationRejection(null, null, remote, $"TLS handshake failed: {e.Message}", null);
                    return;
                }
            }
            AssociationRequestInfo? info = null;
            association = await DicomAssociation.AcceptAsync(stream,
                abstractSyntax => handler.TransferSyntaxesFor(info!, abstractSyntax),
                rq => overLimit is not null
                    ? new AssociateRejectPdu(AssociateRejectPdu.Transient, AssociateRejectPdu.SourcePresentation, AssociateRejectPdu.LocalLimitExceeded)
                    : Validate(info = new AssociationRequestInfo(rq, remote)),
                options.Association, ct,
                abstractSyntax => handler.DatasetLimitFor(info!, abstractSyntax),
                (rq, rj) => rejection = new AssociationRejection(rq.CallingAE, rq.CalledAE, remote,
                    AssociationRejection.Describe(rj) + (overLimit is null ? "" : $" ({overLimit})"), rj));
            if (association is null) return;
            association.RemoteEndPoint = remote;
            await RunAsync(association, ct);
            await association.WaitForCloseAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (association is not null) await association.AbortAsync(AbortPdu.SourceProvider);
            error = new OperationCanceledException("the server is stopping");
        }
        catch (Exception e)
        {
            error = e;
            AssociationFailed?.Invoke(e);
        }
        finally
        {
            if (counted) Interlocked.Decrement(ref rejecting);
            if (association is not null)
            {
                try { await handler.AssociationEndedAsync(association, error); }
                catch (Exception e) { AssociationFailed?.Invoke(e); }
                await association.DisposeAsync();
            }
            client.Dispose();
            slot?.Dispose();
            if (rejection is not null)
            {
                try { await handler.AssociationRejectedAsync(rejection); }
                catch (Exception e) { AssociationFailed?.Invoke(e); }
            }
        }
    }

    /// <summary>
    /// Serves an established association until it is released: a reader routes what arrives (requests to a worker
    /// that performs them one at a time, C-CANCEL-RQ to the running operation, responses to waiting C-GET
    /// sub-operations); the idle timeout applies only while no operation is running, so a long C-MOVE is not cut.
    /// </summary>
    async Task RunAsync(DicomAssociation association, CancellationToken ct)
    {
        var dispatcher = new OperationDispatcher(association);
        var requests = System.Threading.Channels.Channel.CreateUnbounded<DicomMessage>(new() { SingleReader = true, SingleWriter = true });
        using var life = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var busy = 0;
        var lastActivity = Environment.TickCount64;
        var worker = Task.Run(async () =>
        {
            await foreach (var request in requests.Reader.ReadAllAsync(CancellationToken.None))
            {
                Interlocked.Increment(ref busy);
                try
                {
                    await PerformAsync(association, dispatcher, request, life.Token);
                }
                finally
                {
                    Interlocked.Exchange(ref lastActivity, Environment.TickCount64);
                    Interlocked.Decrement(ref busy);
                }
            }
        }, CancellationToken.None);

        var idle = options.Association.IdleTimeout;
        using var idleCts = CancellationTokenSource.CreateLinkedTokenSource(life.Token);
        using var watchdog = idle == Timeout.InfiniteTimeSpan ? null : new Timer(_ =>
        {
            if (Volatile.Read(ref busy) == 0 && Environment.TickCount64 - Interlocked.Read(ref lastActivity) > (long)idle.TotalMilliseconds)
                try { idleCts.Cancel(); } catch (ObjectDisposedException) { }
        }, null, TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 10, 1000)), TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 10, 1000)));

        try
        {
            while (true)
            {
                DicomMessage? message;
                try
                {
                    message = await association.ReceiveAsync(Timeout.InfiniteTimeSpan, idleCts.Token);
                }
                catch (OperationCanceledException) when (idleCts.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    await association.AbortAsync(AbortPdu.SourceProvider);
                    throw new DicomNetworkException($"association from {association.CallingAE} idle for {idle.TotalSeconds:0.###} s: aborted");
                }
                if (message is null) break; // A-RELEASE-RQ answered
                Interlocked.Exchange(ref lastActivity, Environment.TickCount64);
                if (message.CommandField == DicomCommandField.CCancelRequest) dispatcher.Cancel(message.MessageIdBeingRespondedTo ?? 0);
                else if (message.IsResponse) dispatcher.Complete(message); // a response nobody waits for is ignored
                else requests.Writer.TryWrite(message);
            }
            requests.Writer.TryComplete();
            await worker;
        }
        catch (Exception e)
        {
            requests.Writer.TryComplete();
            dispatcher.Fail(e);
            life.Cancel();
            try { await worker; } catch (Exception) { }
            throw;
        }
    }

    async Task PerformAsync(DicomAssociation association, OperationDispatcher dispatcher, DicomMessage request, CancellationToken ct)
    {
        var id = request.MessageId ?? 0;
        using var cts = dispatcher.Begin(id, ct);
        DicomMessage? response;
        try
        {
            response = await handler.HandleAsync(new DimseOperation(request, association, dispatcher, cts.Token));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return; // the association is ending: nobody to answer
        }
        catch (Exception e)
        {
            AssociationFailed?.Invoke(e);
            response = DicomMessage.ResponseTo(request, DicomStatus.ProcessingFailure);
        }
        finally
        {
            dispatcher.End(id);
        }
        response ??= DicomMessage.ResponseTo(request, DicomStatus.UnrecognizedOperation);
        response.PresentationContextId = request.PresentationContextId;
        if (association.State != DicomAssociationState.Established) return;
        try
        {
            await association.SendAsync(response, ct);
        }
        catch (Exception e) when (e is DicomNetworkException or OperationCanceledException or InvalidOperationException)
        {
            // The association failed while answering; the reader reports it.
        }
    }

    AssociateRejectPdu? Validate(AssociationRequestInfo info)
    {
        if (!options.AnyCalledAE && !string.Equals(info.CalledAE, options.AETitle, StringComparison.Ordinal))
            return new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceUser, AssociateRejectPdu.CalledAENotRecognized);
        return handler.Validate(info);
    }

    /// <summary>Stops accepting, cancels every association (aborting it) and waits for their tasks.</summary>
    public async Task StopAsync()
    {
        if (stopping.IsCancellationRequested) return;
        stopping.Cancel();
        listener?.Stop();
        if (acceptLoop is not null) await acceptLoop;
        await Task.WhenAll(connections.Values);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        listener?.Dispose();
        stopping.Dispose();
    }
}
