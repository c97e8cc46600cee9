using System.Buffers.Binary;
using System.Globalization;
using Mira.Dicom.Network;
using Mira.Testing;
using Xunit.Abstractions;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Issue 14 item 1 against a real <c>mira serve</c>: callers not in the AE table may only echo, so a C-ECHO-RQ that
/// claims a data set is a protocol violation answered with A-ABORT before the data is held; association counts are
/// capped overall and per caller address (A-ASSOCIATE-RJ transient, local limit exceeded, PS3.8 §9.3.4); an
/// A-ASSOCIATE-RQ's claimed length does not size what is allocated.
/// </summary>
public sealed class DimseResourceLimitTests(ITestOutputHelper log)
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Unknown_callers_streaming_a_data_set_after_a_c_echo_are_aborted_with_bounded_memory()
    {
        using var data = new TempFolder();
        await using var server = await ServeProcess.StartAsync(data.Path);
        var port = server.DimsePort!.Value;
        Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(port)).ExitCode);
        var before = server.Usage();

        const long attack = 64L << 20;
        var attackers = Enumerable.Range(0, 8).Select(async i =>
        {
            using var peer = await RawDimsePeer.ConnectAsync(port);
            await peer.SendAsync(RawDimsePeer.EchoAssociateRequest($"ATTACKER{i}"));
            var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(PduType.AssociateAccept, answer?.Type);
            await peer.SendAsync(RawDimsePeer.DataPdu(1, command: true, last: true, RawDimsePeer.EchoCommandClaimingADataSet()));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var sent = await peer.StreamDataAsync(1, attack, 16384, cts.Token);
            return sent;
        }).ToList();
        // An honest caller is served while the attack runs.
        var during = DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(port));
        var sent = await Task.WhenAll(attackers);
        var after = server.Usage();
        var growth = after.PeakResidentBytes - before.ResidentBytes;
        log.WriteLine($"before: {before}; after: {after}; peak growth {growth >> 20} MiB; bytes written per attacker (MiB): {string.Join(", ", sent.Select(s => s >> 20))}");

        Assert.True(during.ExitCode == 0, during.Output);
        Assert.All(sent, s => Assert.True(s < attack / 4, $"the server read {s >> 20} MiB of a C-ECHO's data set before cutting the connection"));
        Assert.True(growth < 64L << 20, $"server memory grew by {growth >> 20} MiB for 8 attackers");
        Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(port)).ExitCode);
    }

    [Fact]
    public async Task A_c_echo_claiming_a_data_set_is_answered_with_an_a_abort()
    {
        using var data = new TempFolder();
        await using var server = await ServeProcess.StartAsync(data.Path);
        using var peer = await RawDimsePeer.ConnectAsync(server.DimsePort!.Value);
        await peer.SendAsync(RawDimsePeer.EchoAssociateRequest("ATTACKER"));
        Assert.Equal(PduType.AssociateAccept, (await peer.ReadPduAsync(TimeSpan.FromSeconds(30)))?.Type);
        await peer.SendAsync(RawDimsePeer.DataPdu(1, command: true, last: true, RawDimsePeer.EchoCommandClaimingADataSet()));
        var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(PduType.Abort, answer?.Type);
        Assert.Equal(AbortPdu.SourceProvider, answer!.Value.Body[2]);
    }

    [Fact]
    public async Task An_association_request_claiming_2_gib_is_refused_without_allocating_it()
    {
        using var data = new TempFolder();
        await using var server = await ServeProcess.StartAsync(data.Path);
        var before = server.Usage();
        var peers = new List<RawDimsePeer>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                var peer = await RawDimsePeer.ConnectAsync(server.DimsePort!.Value);
                peers.Add(peer);
                var header = new byte[6 + 64];
                header[0] = (byte)PduType.AssociateRequest;
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(2), 0x7FFF_FFF0);
                await peer.SendAsync(header);
            }
            foreach (var peer in peers)
            {
                var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(30));
                Assert.True(answer is null || answer.Value.Type == PduType.Abort, $"expected A-ABORT or a closed connection, got {answer?.Type}");
            }
        }
        finally
        {
            foreach (var p in peers) p.Dispose();
        }
        var growth = server.Usage().PeakResidentBytes - before.ResidentBytes;
        log.WriteLine($"peak growth {growth >> 20} MiB");
        Assert.True(growth < 32L << 20, $"server memory grew by {growth >> 20} MiB");
        Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(server.DimsePort!.Value)).ExitCode);
    }
}
