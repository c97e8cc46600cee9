using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mira.Dicom.Network.Tests;

/// <summary>
/// The listener under hostile or broken peers: slow senders, wrong lengths, abrupt disconnects. Each time the
/// listener stays up and an ordinary association started alongside is served normally.
/// </summary>
public class ListenerRobustnessTests
{
    static async Task<DicomServer> StartAsync(TimeSpan artim, TimeSpan idle)
    {
        var server = new DicomServer(new VerificationService(), new DicomServerOptions
        {
            Address = IPAddress.Loopback, Port = 0, Association = new DicomAssociationOptions { ArtimTimeout = artim, IdleTimeout = idle },
        });
        server.Start();
        await Task.Yield();
        return server;
    }

    static byte[] AssociateRequest(string calling = "PEER") => PduWriter.Encode(new AssociateRequestPdu
    {
        CalledAE = "MIRA", CallingAE = calling,
        PresentationContexts = [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])],
        UserInformation = new UserInformation { MaxPduLength = 16384, ImplementationClassUid = "1.2.3.4" },
    });

    static async Task EchoesQuicklyAsync(DicomServer server)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++) Assert.Equal(DicomStatus.Success, await DicomClient.EchoAsync("127.0.0.1", server.Port, "FAST", "MIRA"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"three echoes took {clock.Elapsed.TotalSeconds:0.00} s");
    }

    /// <summary>Reads until the server closes (0 bytes or a reset); returns what arrived, or throws after <paramref name="within"/>.</summary>
    static async Task<byte[]> UntilClosedAsync(NetworkStream s, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var got = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await s.ReadAsync(buffer, cts.Token)) > 0) got.Write(buffer, 0, n);
        }
        catch (IOException) { }
        return got.ToArray();
    }

    static Task Trickle(NetworkStream s, byte[] bytes, TimeSpan every) => Task.Run(async () =>
    {
        try
        {
            foreach (var b in bytes)
            {
                await s.WriteAsync(new[] { b });
                await Task.Delay(every);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException) { }
    });

    [Fact]
    public async Task A_peer_sending_its_association_request_one_byte_a_second_is_closed_by_artim_while_others_are_served()
    {
        await using var server = await StartAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, server.Port);
        var trickle = Trickle(slow.GetStream(), AssociateRequest("SLOW"), TimeSpan.FromSeconds(1));
        await EchoesQuicklyAsync(server);
        var clock = Stopwatch.StartNew();
        var reply = await UntilClosedAsync(slow.GetStream(), TimeSpan.FromSeconds(8));
        Assert.Empty(reply); // no association answer: ARTIM expired before the request was complete (PS3.8 §9.2.3, AA-2)
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"closed after {clock.Elapsed.TotalSeconds:0.0} s");
        await EchoesQuicklyAsync(server);
        slow.Dispose();
        await trickle;
    }

    [Fact]
    public async Task A_peer_trickling_a_message_one_byte_a_second_is_aborted_as_idle_while_others_are_served()
    {
        await using var server = await StartAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));
        using var slow = new TcpClient();
        await slow.ConnectAsync(IPAddress.Loopback, server.Port);
        var s = slow.GetStream();
        await s.WriteAsync(AssociateRequest("SLOW"));
        var header = new byte[6];
        await s.ReadExactlyAsync(header);
        Assert.Equal((byte)PduType.AssociateAccept, header[0]);
        var rest = new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))];
        await s.ReadExactlyAsync(rest);
        var command = PduWriter.Encode(new DataTransferPdu([new Pdv(1, true, true, new byte[200])]));
        var trickle = Trickle(s, command, TimeSpan.FromSeconds(1));
        await EchoesQuicklyAsync(server);
        var reply = await UntilClosedAsync(s, TimeSpan.FromSeconds(8));
        Assert.Equal(PduWriter.Encode(new AbortPdu(AbortPdu.SourceProvider, AbortPdu.NotSpecified)), reply);
        await EchoesQuicklyAsync(server);
        slow.Dispose();
        await trickle;
    }

    [Theory]
    [InlineData("pdv longer than its pdu")]
    [InlineData("pdu longer than our maximum")]
    [InlineData("pdu length shorter than its items")]
    public async Task Wrong_lengths_are_aborted_and_an_open_association_is_unaffected(string defect)
    {
        await using var server = await StartAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        // An ordinary association, open for the whole test.
        await using var good = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "GOOD", "MIRA",
            [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);

        using var bad = new TcpClient();
        await bad.ConnectAsync(IPAddress.Loopback, server.Port);
        var s = bad.GetStream();
        byte[] payload;
        if (defect == "pdu length shorter than its items")
        {
            payload = AssociateRequest("BAD");
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(2), 80); // cuts the first item short
        }
        else
        {
            await s.WriteAsync(AssociateRequest("BAD"));
            var header = new byte[6];
            await s.ReadExactlyAsync(header);
            await s.ReadExactlyAsync(new byte[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(2))]);
            payload = PduWriter.Encode(new DataTransferPdu([new Pdv(1, true, true, new byte[64])]));
            if (defect == "pdv longer than its pdu") System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6), 5000);
            else System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(2), 50_000_000);
        }
        await s.WriteAsync(payload);
        var reply = await UntilClosedAsync(s, TimeSpan.FromSeconds(8));
        Assert.True(reply.Length >= 10 && reply[^10] == (byte)PduType.Abort, $"expected an A-ABORT, got {Convert.ToHexString(reply)}");

        var echo = DicomMessage.EchoRequest(7).InContext(1);
        await good.SendAsync(echo);
        var response = await good.ReceiveAsync();
        Assert.Equal(DicomStatus.Success, response!.Status);
        await good.ReleaseAsync();
        await EchoesQuicklyAsync(server);
    }

    [Fact]
    public async Task Peers_vanishing_at_every_stage_leave_the_listener_serving()
    {
        await using var server = await StartAsync(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        var rq = AssociateRequest("GONE");
        foreach (var cut in new[] { 0, 3, rq.Length / 2, rq.Length })
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, server.Port);
            await c.GetStream().WriteAsync(rq.AsMemory(0, cut));
            if (cut == rq.Length)
            {
                var header = new byte[6];
                await c.GetStream().ReadExactlyAsync(header);
                // half a P-DATA-TF, then the connection drops (RST)
                await c.GetStream().WriteAsync(PduWriter.Encode(new DataTransferPdu([new Pdv(1, true, false, new byte[100])])).AsMemory(0, 40));
                c.Client.LingerState = new LingerOption(true, 0);
            }
            c.Close();
        }
        await EchoesQuicklyAsync(server);
        for (var i = 0; i < 50 && server.OpenConnections > 0; i++) await Task.Delay(100);
        Assert.Equal(0, server.OpenConnections);
    }
}

/// <summary>C-CANCEL-RQ (PS3.7 §9.3.2.3) reaches the running operation while it sends pending responses.</summary>
public class CancelTests
{
    /// <summary>A C-FIND SCP that would send 200 matches, one every 20 ms, unless cancelled.</summary>
    sealed class SlowFind : VerificationService
    {
        public override IReadOnlyCollection<string> TransferSyntaxesFor(AssociationRequestInfo association, string abstractSyntax) =>
            abstractSyntax == DicomUids.StudyRootQueryRetrieveInformationModelFind ? NativeSyntaxes : base.TransferSyntaxesFor(association, abstractSyntax);

        public override async ValueTask<DicomMessage?> HandleAsync(DimseOperation operation)
        {
            if (operation.Request.CommandField != DicomCommandField.CFindRequest) return await base.HandleAsync(operation);
            for (var i = 0; i < 200; i++)
            {
                if (operation.Cancelled.IsCancellationRequested)
                    return DicomMessage.ResponseTo(operation.Request, operation.CancelRequested ? DicomStatus.Cancel : DicomStatus.ProcessingFailure);
                await operation.SendPendingAsync(DimseMessages.FindResponse(operation.Request, DicomStatus.Pending,
                    new DicomDataset().Set(DicomTags.StudyInstanceUID, $"1.2.3.{i}")));
                await Task.Delay(20);
            }
            return DicomMessage.ResponseTo(operation.Request, DicomStatus.Success);
        }
    }

    [Fact]
    public async Task Cancelling_a_find_stops_the_matches_and_ends_with_cancel()
    {
        await using var server = new DicomServer(new SlowFind(), new DicomServerOptions { Address = IPAddress.Loopback, Port = 0 });
        server.Start();
        using var cts = new CancellationTokenSource();
        var seen = 0;
        var id = new DicomDataset().Set(DicomTags.QueryRetrieveLevel, "STUDY").Set(new DicomElement(DicomTags.StudyInstanceUID, DicomVR.UI, ReadOnlyMemory<byte>.Empty));
        await foreach (var _ in QueryRetrieveScu.FindAsync(new DicomPeer("127.0.0.1", server.Port, "MIRA", "SCU"), QueryRoot.Study, id, cts.Token))
            if (++seen == 3) cts.Cancel();
        Assert.InRange(seen, 3, 20);
    }
}
