using System.Net;
using System.Net.Sockets;

namespace Mira.Dicom.Network.Tests;

public class AssociationTests
{
    const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    const string JpegBaseline = "1.2.840.10008.1.2.4.50";

    static async Task<DicomServer> StartServerAsync(DicomAssociationOptions? association = null, IDicomServiceHandler? handler = null)
    {
        var server = new DicomServer(handler ?? new VerificationService(), new DicomServerOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            Association = association ?? DicomAssociationOptions.Default,
        });
        server.Start();
        await Task.Yield();
        return server;
    }

    [Fact]
    public async Task Mira_scu_echoes_mira_scp()
    {
        await using var server = await StartServerAsync();
        Assert.Equal(DicomStatus.Success, await DicomClient.EchoAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA"));
    }

    [Fact]
    public async Task Presentation_contexts_get_first_supported_syntax_or_the_right_rejection()
    {
        await using var server = await StartServerAsync();
        await using var a = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA",
        [
            new PresentationContext(1, DicomUids.Verification, [JpegBaseline, DicomUids.ExplicitVRLittleEndian, DicomUids.ImplicitVRLittleEndian]),
            new PresentationContext(3, DicomUids.Verification, [JpegBaseline]),
            new PresentationContext(5, CtImageStorage, [DicomUids.ImplicitVRLittleEndian]),
        ]);
        var results = a.Accept!.PresentationContexts.ToDictionary(p => p.Id);
        Assert.Equal(PresentationContextResult.Acceptance, results[1].Result);
        Assert.Equal(DicomUids.ExplicitVRLittleEndian, results[1].TransferSyntax);
        Assert.Equal(PresentationContextResult.TransferSyntaxesNotSupported, results[3].Result);
        Assert.Equal(PresentationContextResult.AbstractSyntaxNotSupported, results[5].Result);
        Assert.Equal([(byte)1], a.AcceptedContexts.Keys);
        await a.ReleaseAsync();
        Assert.Equal(DicomAssociationState.Closed, a.State);
    }

    [Fact]
    public async Task Wrong_called_ae_is_rejected()
    {
        await using var server = await StartServerAsync();
        var ex = await Assert.ThrowsAsync<DicomAssociationRejectedException>(() => DicomClient.EchoAsync("127.0.0.1", server.Port, "TESTSCU", "OTHER"));
        Assert.Equal(AssociateRejectPdu.CalledAENotRecognized, ex.Reject.Reason);
        Assert.Equal(AssociateRejectPdu.SourceUser, ex.Reject.Source);
    }

    [Fact]
    public async Task Messages_are_fragmented_to_the_peer_maximum_and_reassembled()
    {
        var (clientEnd, serverEnd) = await Loopback.PairAsync();
        var recording = new RecordingStream(clientEnd);
        var scp = DicomAssociation.AcceptAsync(serverEnd, _ => [DicomUids.ExplicitVRLittleEndian], options: new DicomAssociationOptions { MaxPduLength = 512 });
        await using var scu = await DicomAssociation.RequestAsync(recording, new AssociateRequestPdu
        {
            CalledAE = "MIRA",
            CallingAE = "TESTSCU",
            PresentationContexts = [new PresentationContext(7, CtImageStorage, [DicomUids.ExplicitVRLittleEndian])],
        });
        await using var acceptor = (await scp)!;
        Assert.Equal(512u, scu.SendPduLength);
        Assert.Equal(DicomAssociationOptions.Default.MaxPduLength, acceptor.SendPduLength);

        var pixels = new byte[5000];
        new Random(7).NextBytes(pixels);
        var dataset = new DicomDataset()
            .Set(DicomTags.PatientName, "Fragment^Test")
            .Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, pixels));
        var command = new DicomDataset()
            .Set(DicomTags.AffectedSOPClassUID, CtImageStorage)
            .Set(DicomMessage.US(DicomTags.CommandField, 0x0001))
            .Set(DicomMessage.US(DicomTags.MessageID, 9))
            .Set(DicomTags.AffectedSOPInstanceUID, "1.2.3.4." + new string('1', 50)); // long enough to split the command too
        recording.Writes.Clear();
        await scu.SendAsync(new DicomMessage(command, dataset) { PresentationContextId = 7 });

        var received = await acceptor.ReceiveAsync();
        Assert.NotNull(received);
        Assert.Equal(7, received.PresentationContextId);
        Assert.Equal((ushort)1, received.CommandField);
        Assert.Equal((ushort)9, received.MessageId);
        Assert.True(received.CommandHasDataSet);
        Assert.Equal("Fragment^Test", received.Dataset!.GetString(DicomTags.PatientName));
        Assert.Equal(pixels, received.Dataset.Get(DicomTags.PixelData).Bytes.ToArray());

        Assert.True(recording.Writes.Count >= 11, $"{recording.Writes.Count} PDUs");
        Assert.All(recording.Writes, w => Assert.True(w.Length - 6 <= 512, $"PDU of {w.Length} bytes"));
        var pdvs = recording.Writes.Select(w => Assert.IsType<DataTransferPdu>(PduReader.Decode(w)).Values.Single()).ToList();
        Assert.True(pdvs.Count(p => p.IsCommand) == 1, "the command fits one PDV");
        Assert.Equal(1, pdvs.Count(p => p.IsLast && !p.IsCommand));
        Assert.True(pdvs[^1].IsLast && !pdvs[^1].IsCommand);

        // The acceptor answers on the SCU's larger limit, the requestor releases.
        await acceptor.SendAsync(DicomMessage.ResponseTo(received, DicomStatus.Success));
        var rsp = await scu.ReceiveAsync();
        Assert.Equal((ushort)0x8001, rsp!.CommandField);
        Assert.Equal((ushort)9, rsp.MessageIdBeingRespondedTo);
        var release = scu.ReleaseAsync();
        Assert.Null(await acceptor.ReceiveAsync());
        Assert.Equal(DicomAssociationState.AwaitingClose, acceptor.State);
        await release;
    }

    [Fact]
    public async Task Command_split_over_many_pdus_is_reassembled()
    {
        var (clientEnd, serverEnd) = await Loopback.PairAsync();
        var scp = DicomAssociation.AcceptAsync(serverEnd, _ => [DicomUids.ImplicitVRLittleEndian], options: new DicomAssociationOptions { MaxPduLength = 20 });
        await using var scu = await DicomAssociation.RequestAsync(clientEnd, new AssociateRequestPdu
        {
            CalledAE = "MIRA", CallingAE = "TESTSCU",
            PresentationContexts = [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])],
        });
        await using var acceptor = (await scp)!;
        var echo = DicomMessage.EchoRequest(42);
        echo.PresentationContextId = 1;
        await scu.SendAsync(echo);
        var got = await acceptor.ReceiveAsync();
        Assert.Equal(DicomCommandField.CEchoRequest, got!.CommandField);
        Assert.Equal((ushort)42, got.MessageId);
        Assert.Equal(DicomUids.Verification, got.AffectedSopClassUid);
        Assert.Null(got.Dataset);
    }

    [Fact]
    public async Task Command_set_is_implicit_little_endian_with_group_length()
    {
        var bytes = DicomMessage.EncodeCommand(DicomMessage.EchoRequest(5).Command, false);
        Assert.Equal([0, 0, 0, 0, 4, 0, 0, 0], bytes[..8]);
        Assert.Equal((uint)bytes.Length - 12, BitConverter.ToUInt32(bytes, 8));
        var back = DicomMessage.DecodeCommand(bytes);
        Assert.Equal((ushort)DicomMessage.NoDataSet, back.GetValues<ushort>(DicomTags.CommandDataSetType)[0]);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Artim_closes_a_connection_that_never_asks_for_an_association()
    {
        await using var server = await StartServerAsync(new DicomAssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(300) });
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var buffer = new byte[16];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await tcp.GetStream().ReadAsync(buffer, cts.Token));
    }

    [Fact]
    public async Task Idle_association_is_aborted()
    {
        await using var server = await StartServerAsync(new DicomAssociationOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var a = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA",
            [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => a.ReceiveAsync(cts.Token));
        Assert.Equal(AbortPdu.SourceProvider, ex.Abort.Source);
    }

    [Fact]
    public async Task Scu_times_out_when_the_accept_never_comes()
    {
        var (clientEnd, serverEnd) = await Loopback.PairAsync();
        await using var silent = serverEnd;
        var ex = await Assert.ThrowsAsync<DicomNetworkException>(() => DicomAssociation.RequestAsync(clientEnd, new AssociateRequestPdu
        {
            CalledAE = "MIRA", CallingAE = "TESTSCU",
            PresentationContexts = [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])],
        }, new DicomAssociationOptions { ArtimTimeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Contains("timed out", ex.Message);
    }

    [Fact]
    public async Task Garbage_gets_an_abort_and_the_listener_keeps_serving()
    {
        await using var server = await StartServerAsync();
        var failures = new List<Exception>();
        server.AssociationFailed += e => { lock (failures) failures.Add(e); };
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
            var s = tcp.GetStream();
            await s.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
            var reply = new byte[10];
            await s.ReadExactlyAsync(reply);
            Assert.Equal(PduWriter.Encode(new AbortPdu(AbortPdu.SourceProvider, AbortPdu.UnrecognizedPdu)), reply);
        }
        Assert.Equal(DicomStatus.Success, await DicomClient.EchoAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA"));
        lock (failures) Assert.Contains(failures, f => f is DicomNetworkException { PduType: 0x47, Offset: 0 });
    }

    [Fact]
    public async Task Stopping_the_server_aborts_open_associations()
    {
        var server = await StartServerAsync();
        await using var a = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "TESTSCU", "MIRA",
            [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        var receive = a.ReceiveAsync();
        await server.DisposeAsync();
        Assert.Equal(0, server.OpenConnections);
        var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => receive);
        Assert.Equal(AbortPdu.SourceProvider, ex.Abort.Source);
    }

    [Fact]
    public async Task Oversize_data_set_is_aborted()
    {
        var (clientEnd, serverEnd) = await Loopback.PairAsync();
        var scp = DicomAssociation.AcceptAsync(serverEnd, _ => [DicomUids.ExplicitVRLittleEndian],
            options: new DicomAssociationOptions { MaxPduLength = 1024, MaxDatasetLength = 2000 });
        await using var scu = await DicomAssociation.RequestAsync(clientEnd, new AssociateRequestPdu
        {
            CalledAE = "MIRA", CallingAE = "TESTSCU",
            PresentationContexts = [new PresentationContext(1, CtImageStorage, [DicomUids.ExplicitVRLittleEndian])],
        });
        await using var acceptor = (await scp)!;
        var command = new DicomDataset().Set(DicomTags.AffectedSOPClassUID, CtImageStorage)
            .Set(DicomMessage.US(DicomTags.CommandField, 0x0001)).Set(DicomMessage.US(DicomTags.MessageID, 1));
        var send = scu.SendAsync(new DicomMessage(command, new DicomDataset().Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[5000]))) { PresentationContextId = 1 });
        await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => acceptor.ReceiveAsync());
        await send;
        var ex = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => scu.ReceiveAsync());
        Assert.Equal(AbortPdu.InvalidParameter, ex.Abort.Reason);
    }
}
