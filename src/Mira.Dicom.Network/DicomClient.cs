using System.Net.Sockets;

namespace Mira.Dicom.Network;

/// <summary>Service class user helpers over <see cref="DicomAssociation"/>.</summary>
public static class DicomClient
{
    static readonly string[] EchoSyntaxes = [DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian];

    /// <summary>Opens a TCP connection to <paramref name="host"/>:<paramref name="port"/> and requests an association.</summary>
    public static Task<DicomAssociation> ConnectAsync(string host, int port, string callingAE, string calledAE,
        IReadOnlyList<PresentationContext> contexts, DicomAssociationOptions? options = null, CancellationToken ct = default) =>
        ConnectAsync(host, port, new AssociateRequestPdu { CalledAE = calledAE, CallingAE = callingAE, PresentationContexts = contexts }, options, ct);

    /// <summary>
    /// Opens a TCP connection (with TLS when <see cref="DicomAssociationOptions.Tls"/> is set, PS3.15 Annex B) and sends
    /// <paramref name="request"/> (e.g. with role selections).
    /// </summary>
    public static async Task<DicomAssociation> ConnectAsync(string host, int port, AssociateRequestPdu request,
        DicomAssociationOptions? options = null, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, ct);
            // The stream owns the socket: disposing the association closes the connection.
            Stream stream = new NetworkStream(tcp.Client, ownsSocket: true);
            if (options?.Tls is { } tls) stream = await tls.AuthenticateAsClientAsync(stream, host, ct);
            var association = await DicomAssociation.RequestAsync(stream, request, options, ct);
            association.RemoteEndPoint = tcp.Client.RemoteEndPoint as System.Net.IPEndPoint;
            return association;
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new DicomNetworkException($"cannot connect to {host}:{port}: {e.Message}", e);
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            tcp.Dispose();
            throw new DicomNetworkException($"TLS with {host}:{port} failed: {e.Message}", e);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>C-ECHO (PS3.7 §9.1.5): associates for Verification, sends a C-ECHO-RQ, reads the C-ECHO-RSP, releases. Returns its status.</summary>
    public static async Task<ushort> EchoAsync(string host, int port, string callingAE, string calledAE,
        DicomAssociationOptions? options = null, CancellationToken ct = default)
    {
        await using var association = await ConnectAsync(host, port, callingAE, calledAE,
            [new PresentationContext(1, DicomUids.Verification, EchoSyntaxes)], options, ct);
        var context = association.FindContext(DicomUids.Verification)
            ?? throw new DicomNetworkException($"{calledAE} did not accept the Verification SOP class");
        var request = DicomMessage.EchoRequest(1);
        request.PresentationContextId = context;
        await association.SendAsync(request, ct);
        var response = await association.ReceiveAsync(ct)
            ?? throw new DicomNetworkException("the peer released the association instead of answering the C-ECHO-RQ");
        if (response.CommandField != DicomCommandField.CEchoResponse || response.MessageIdBeingRespondedTo != 1)
            throw new DicomNetworkException($"expected a C-ECHO-RSP to message 1, got command 0x{response.CommandField:X4}");
        var status = response.Status ?? throw new DicomNetworkException("C-ECHO-RSP without a Status (0000,0900)");
        await association.ReleaseAsync(ct);
        return status;
    }
}
