using System.Globalization;
using Mira.Dicom.Network;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// Issue 14 item 1 against a real <c>mira serve</c>: association caps overall (<c>--dimse-max-associations</c>) and
/// per peer address (<c>--dimse-max-associations-per-address</c>), answered with A-ASSOCIATE-RJ rejected-transient,
/// source service-provider (presentation), local limit exceeded (PS3.8 §9.3.4, Table 9-21); the listener binds
/// loopback unless <c>--dimse-bind</c> opens it.
/// </summary>
public sealed class DimseAssociationLimitTests
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Opens an association for Verification and returns the peer with the answer's PDU type and body.</summary>
    static async Task<(RawDimsePeer Peer, PduType? Answer, byte[]? Body)> AskAsync(int port, string callingAE)
    {
        var peer = await RawDimsePeer.ConnectAsync(port);
        await peer.SendAsync(RawDimsePeer.EchoAssociateRequest(callingAE));
        var answer = await peer.ReadPduAsync(TimeSpan.FromSeconds(30));
        return (peer, answer?.Type, answer?.Body);
    }

    static void AssertLocalLimitExceeded(PduType? type, byte[]? body)
    {
        Assert.Equal(PduType.AssociateReject, type);
        // Body: reserved, result, source, reason (PS3.8 §9.3.4).
        Assert.Equal([AssociateRejectPdu.Transient, AssociateRejectPdu.SourcePresentation, AssociateRejectPdu.LocalLimitExceeded], body![1..4]);
    }

    [Fact]
    public async Task Associations_beyond_the_overall_limit_are_rejected_transient_local_limit_exceeded_until_one_ends()
    {
        using var data = new TempFolder();
        await using var server = await ServeProcess.StartAsync(data.Path, "--dimse-max-associations", "3");
        var port = server.DimsePort!.Value;
        var held = new List<RawDimsePeer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var (peer, type, _) = await AskAsync(port, $"HOLDER{i}");
                held.Add(peer);
                Assert.Equal(PduType.AssociateAccept, type);
            }
            var (extra, rejected, body) = await AskAsync(port, "ONEMORE");
            extra.Dispose();
            AssertLocalLimitExceeded(rejected, body);
            var (code, output) = DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(port));
            Assert.NotEqual(0, code);
            Assert.Contains("Local Limit Exceeded", output, StringComparison.OrdinalIgnoreCase);

            held[0].Dispose();
            held.RemoveAt(0);
            await EventuallyEchoesAsync(port);
        }
        finally
        {
            foreach (var p in held) p.Dispose();
        }
    }

    [Fact]
    public async Task Associations_beyond_the_per_address_limit_are_rejected_while_the_overall_limit_has_room()
    {
        using var data = new TempFolder();
        await using var server = await ServeProcess.StartAsync(data.Path, "--dimse-max-associations-per-address", "2");
        var port = server.DimsePort!.Value;
        var (a, ta, _) = await AskAsync(port, "ONE");
        var (b, tb, _) = await AskAsync(port, "TWO");
        using (a)
        using (b)
        {
            Assert.Equal(PduType.AssociateAccept, ta);
            Assert.Equal(PduType.AssociateAccept, tb);
            // A different calling AE title from the same address changes nothing: titles are claims.
            var (c, tc, body) = await AskAsync(port, "THREE");
            c.Dispose();
            AssertLocalLimitExceeded(tc, body);
        }
        await EventuallyEchoesAsync(port);
    }

    static async Task EventuallyEchoesAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (code, output) = DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(port));
            if (code == 0) return;
            Assert.True(DateTime.UtcNow < deadline, "a freed association slot was not reused: " + output);
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task The_listener_binds_loopback_by_default_and_dimse_bind_opens_it()
    {
        using var data = new TempFolder();
        await using (var server = await ServeProcess.StartAsync(data.Path))
            Assert.Equal("127.0.0.1", ListeningAddress(server.DimsePort!.Value));
        using var other = new TempFolder();
        await using (var open = await ServeProcess.StartAsync(other.Path, "--dimse-bind", "0.0.0.0"))
        {
            Assert.Equal("0.0.0.0", ListeningAddress(open.DimsePort!.Value));
            Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "HONEST", "-aec", "MIRA", "127.0.0.1", P(open.DimsePort!.Value)).ExitCode);
        }
    }

    [Fact]
    public async Task A_bind_address_that_is_not_an_ip_address_is_refused_naming_the_option()
    {
        using var data = new TempFolder();
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mira.dll"), "serve", "--data", data.Path, "--dimse-bind", "everywhere" }) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("--dimse-bind: 'everywhere' is not an IP address", error);
    }

    /// <summary>The IPv4 address a listening socket on <paramref name="port"/> is bound to, from Linux's /proc/net/tcp.</summary>
    static string ListeningAddress(int port)
    {
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var local = f[1].Split(':');
            if (f[3] != "0A" || int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) != port) continue;
            var raw = uint.Parse(local[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return new System.Net.IPAddress(raw).ToString(); // /proc writes the address in host (little endian) order
        }
        throw new InvalidOperationException($"nothing listens on IPv4 port {port}");
    }
}
