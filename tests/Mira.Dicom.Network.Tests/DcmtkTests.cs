using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mira.Testing;

namespace Mira.Dicom.Network.Tests;

/// <summary>Interoperability with dcmtk's echoscu and storescp (apt-get install dcmtk).</summary>
public class DcmtkTests
{
    static async Task<DicomServer> StartServerAsync()
    {
        var server = new DicomServer(new VerificationService(), new DicomServerOptions { Address = IPAddress.Loopback, Port = 0 });
        server.Start();
        await Task.Yield();
        return server;
    }

    static (int ExitCode, string Output) EchoScu(int port, string calledAE = "MIRA", params string[] extra) =>
        Loopback.Run(ExternalTool.Require("echoscu", "dcmtk"), ["-aec", calledAE, .. extra, "127.0.0.1", port.ToString()]);

    [Fact]
    public async Task Echoscu_succeeds_against_mira()
    {
        await using var server = await StartServerAsync();
        var (code, output) = EchoScu(server.Port);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Echoscu_with_a_small_pdu_and_every_transfer_syntax_proposal_succeeds()
    {
        await using var server = await StartServerAsync();
        var (code, output) = EchoScu(server.Port, "MIRA", "--max-pdu", "4096", "--propose-ts", "38", "--propose-pc", "128");
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Echoscu_calling_another_ae_is_rejected()
    {
        await using var server = await StartServerAsync();
        var (code, output) = EchoScu(server.Port, "NOTMIRA");
        Assert.NotEqual(0, code);
        Assert.Contains("Called AE Title Not Recognized", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Mira_echo_succeeds_against_storescp()
    {
        var storescp = ExternalTool.Require("storescp", "dcmtk");
        var port = Loopback.FreePort();
        var dir = Directory.CreateTempSubdirectory("mira-storescp-");
        var psi = new ProcessStartInfo(storescp) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-od", dir.FullName, "-aet", "STORESCP", port.ToString() }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            await WaitForPortAsync(port);
            Assert.Equal(DicomStatus.Success, await DicomClient.EchoAsync("127.0.0.1", port, "MIRA", "STORESCP"));
            // A second association on the same storescp: the first was released cleanly.
            Assert.Equal(DicomStatus.Success, await DicomClient.EchoAsync("127.0.0.1", port, "MIRA", "STORESCP",
                new DicomAssociationOptions { MaxPduLength = 4096 }));
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task Listener_survives_garbage_and_a_client_that_drops_mid_pdu()
    {
        await using var server = await StartServerAsync();
        var failures = 0;
        server.AssociationFailed += _ => Interlocked.Increment(ref failures);

        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync(IPAddress.Loopback, server.Port);
            await garbage.GetStream().WriteAsync(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4, 5, 6, 7, 8 });
            var buffer = new byte[64];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            // The A-ABORT, then the close.
            var total = 0;
            while (await garbage.GetStream().ReadAsync(buffer.AsMemory(total), cts.Token) is var n and > 0) total += n;
            Assert.Equal(10, total);
            Assert.Equal((byte)PduType.Abort, buffer[0]);
        }

        using (var dropper = new TcpClient())
        {
            await dropper.ConnectAsync(IPAddress.Loopback, server.Port);
            var rq = PduWriter.Encode(new AssociateRequestPdu
            {
                CalledAE = "MIRA", CallingAE = "DROPPER",
                PresentationContexts = [new PresentationContext(1, DicomUids.Verification, [DicomUids.ImplicitVRLittleEndian])],
            });
            await dropper.GetStream().WriteAsync(rq.AsMemory(0, rq.Length / 2));
            await Task.Delay(100);
        } // closed half way through the A-ASSOCIATE-RQ

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref failures) < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(2, Volatile.Read(ref failures));

        var (code, output) = EchoScu(server.Port);
        Assert.True(code == 0, output);
    }

    static async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
