using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Mira.Dicom.Network;

public sealed record DicomServerOptions
{
    /// <summary>Our AE title; an A-ASSOCIATE-RQ calling another is rejected (called AE not recognised) unless <see cref="AnyCalledAE"/>.</summary>
    public string AETitle { get; init; } = "MIRA";
    public bool AnyCalledAE { get; init; }
    public IPAddress Address { get; init; } = IPAddress.Any;
    /// <summary>TCP port; 0 picks a free one (see <see cref="DicomServer.Port"/>).</summary>
    public int Port { get; init; } = 11112;
    public DicomAssociationOptions Association { get; init; } = DicomAssociationOptions.Default;
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
    TcpListener? listener;
    Task? acceptLoop;
    int nextId;

    public DicomServer(IDicomServiceHandler handler, DicomServerOptions? options = null)
    {
        this.handler = handler;
        this.options = options ?? new DicomServerOptions();
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

    async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        DicomAssociation? association = null;
        try
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            association = await DicomAssociation.AcceptAsync(stream, handler.TransferSyntaxesFor, Validate, options.Association, ct);
            if (association is null) return;
            while (await association.ReceiveAsync(ct) is { } request)
            {
                if (request.IsResponse) continue; // responses to requests we never send are ignored
                DicomMessage? response;
                try
                {
                    response = await handler.HandleAsync(request, association, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    AssociationFailed?.Invoke(e);
                    response = DicomMessage.ResponseTo(request, DicomStatus.ProcessingFailure);
                }
                response ??= DicomMessage.ResponseTo(request, DicomStatus.UnrecognizedOperation);
                response.PresentationContextId = request.PresentationContextId;
                await association.SendAsync(response, ct);
            }
            await association.WaitForCloseAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (association is not null) await association.AbortAsync(AbortPdu.SourceProvider);
        }
        catch (Exception e)
        {
            AssociationFailed?.Invoke(e);
        }
        finally
        {
            if (association is not null) await association.DisposeAsync();
            client.Dispose();
        }
    }

    AssociateRejectPdu? Validate(AssociateRequestPdu rq)
    {
        if (!options.AnyCalledAE && !string.Equals(rq.CalledAE, options.AETitle, StringComparison.Ordinal))
            return new AssociateRejectPdu(AssociateRejectPdu.Permanent, AssociateRejectPdu.SourceUser, AssociateRejectPdu.CalledAENotRecognized);
        return handler.Validate(rq);
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
