using System.Buffers.Binary;
using System.Net;

namespace Mira.Dicom.Network.Tests;

/// <summary>
/// The toolkit's side of issue 14 item 1: what a peer claims does not size what is allocated, each accepted context
/// has its own data set limit (none for Verification), a C-ECHO claiming a data set is a protocol violation, and the
/// association limiter counts overall and per address.
/// </summary>
public class ResourceLimitTests
{
    const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    [Fact]
    public async Task A_pdu_claiming_more_than_it_sends_costs_what_was_sent_not_what_was_claimed()
    {
        var pdu = new byte[6 + 100];
        pdu[0] = (byte)PduType.AssociateRequest;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)PduReader.DefaultMaxAssociatePduLength); // within the limit, never sent
        using var stream = new MemoryStream(pdu); // completes synchronously: every allocation is on this thread
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<DicomNetworkException>(async () => await PduReader.ReadAsync(stream, 65536, CancellationToken.None));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains($"stream ended inside the PDU: 100 of {PduReader.DefaultMaxAssociatePduLength} body bytes", e.Message);
        Assert.True(allocated < 96 * 1024, $"{allocated} bytes allocated for a {PduReader.DefaultMaxAssociatePduLength >> 10} KiB claim of which 100 bytes came");
    }

    [Fact]
    public async Task An_association_request_claiming_2_gib_is_refused_before_its_body_is_read()
    {
        var header = new byte[6];
        header[0] = (byte)PduType.AssociateRequest;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), 0x8000_0000);
        using var stream = new MemoryStream(header);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<DicomNetworkException>(async () => await PduReader.ReadAsync(stream, 65536, CancellationToken.None));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
        Assert.Contains($"exceeds the limit {PduReader.DefaultMaxAssociatePduLength}", e.Message);
    }

    [Fact]
    public async Task Large_pdus_that_do_arrive_are_read_whole()
    {
        var body = new byte[300 * 1024];
        new Random(3).NextBytes(body);
        var pdu = new byte[6 + 6 + body.Length];
        pdu[0] = (byte)PduType.DataTransfer;
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(2), (uint)(6 + body.Length));
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(6), (uint)(2 + body.Length));
        pdu[10] = 1;
        pdu[11] = 2;
        body.CopyTo(pdu, 12);
        var read = Assert.IsType<DataTransferPdu>(await PduReader.ReadAsync(new MemoryStream(pdu), 0, CancellationToken.None));
        Assert.Equal(body, read.Values.Single().Data.ToArray());
    }

    sealed class StorageWithSmallLimit : VerificationService, IDicomServiceHandler
    {
        public override IReadOnlyCollection<string> TransferSyntaxesFor(AssociationRequestInfo association, string abstractSyntax) =>
            abstractSyntax == CtImageStorage ? [DicomUids.ExplicitVRLittleEndian] : base.TransferSyntaxesFor(association, abstractSyntax);

        public long DatasetLimitFor(AssociationRequestInfo association, string abstractSyntax) => abstractSyntax == CtImageStorage ? 4096 : 0;
    }

    static DicomMessage Store(int pixelBytes) => new DicomMessage(new DicomDataset()
            .Set(DicomTags.AffectedSOPClassUID, CtImageStorage)
            .Set(DicomMessage.US(DicomTags.CommandField, DicomCommandField.CStoreRequest))
            .Set(DicomMessage.US(DicomTags.MessageID, 1))
            .Set(DicomTags.AffectedSOPInstanceUID, "1.2.3.4"),
        new DicomDataset().Set(new DicomElement(DicomTags.PixelData, DicomVR.OB, new byte[pixelBytes])));

    [Fact]
    public async Task A_data_set_over_its_context_limit_is_aborted_and_one_within_it_is_served()
    {
        await using var server = new DicomServer(new StorageWithSmallLimit(), new DicomServerOptions { Port = 0 });
        server.Start();
        var contexts = new[] { new PresentationContext(1, CtImageStorage, [DicomUids.ExplicitVRLittleEndian]) };
        await using (var small = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRA", contexts))
        {
            await small.SendAsync(Store(1000).InContext(1));
            Assert.NotNull(await small.ReceiveAsync()); // VerificationService does not store: an unrecognised-operation answer
            await small.ReleaseAsync();
        }
        await using var big = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRA", contexts);
        await big.SendAsync(Store(64 * 1024).InContext(1));
        var e = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => big.ReceiveAsync());
        Assert.Equal(AbortPdu.SourceProvider, e.Abort.Source);
    }

    [Fact]
    public async Task A_verification_only_association_announces_a_small_maximum_pdu_and_aborts_a_c_echo_with_a_data_set()
    {
        await using var server = new DicomServer(new VerificationService(), new DicomServerOptions { Port = 0 });
        server.Start();
        await using var a = await DicomClient.ConnectAsync("127.0.0.1", server.Port, "SCU", "MIRA",
            [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])]);
        Assert.Equal(DicomAssociationOptions.Default.MaxPduLengthWithoutDataSets, a.Accept!.UserInformation.MaxPduLength);
        await a.SendAsync(new DicomMessage(DicomMessage.EchoRequest(1).Command, new DicomDataset().Set(DicomTags.PatientName, "X")).InContext(1));
        var e = await Assert.ThrowsAsync<DicomAssociationAbortedException>(() => a.ReceiveAsync());
        Assert.Equal(AbortPdu.UnexpectedParameter, e.Abort.Reason);
    }

    [Fact]
    public void The_limiter_counts_overall_and_per_address_and_frees_slots()
    {
        var limiter = new AssociationLimiter(3, 2);
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("::ffff:192.0.2.2");
        var (a1, _) = limiter.TryAcquire(a);
        var (a2, _) = limiter.TryAcquire(a);
        var (a3, perAddress) = limiter.TryAcquire(a);
        Assert.Null(a3);
        Assert.Contains("from 192.0.2.1, the limit per address is 2", perAddress);
        var (b1, _) = limiter.TryAcquire(b);
        var (b2, overall) = limiter.TryAcquire(IPAddress.Parse("192.0.2.2")); // the IPv4-mapped form is the same peer
        Assert.Null(b2);
        Assert.Contains("3 associations open, the limit is 3", overall);
        a1!.Dispose();
        a1.Dispose(); // once only
        Assert.Equal(2, limiter.Open);
        var (again, _) = limiter.TryAcquire(a);
        Assert.NotNull(again);
        foreach (var s in new[] { a2, b1, again }) s!.Dispose();
        Assert.Equal(0, limiter.Open);
    }
}
