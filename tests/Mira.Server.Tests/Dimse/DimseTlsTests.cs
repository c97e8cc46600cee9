using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mira.Dicom.Network;
using Mira.Platform.Audit;
using Mira.Storage.Network;
using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// DICOM TLS (PS3.15 Annex B) on <c>mira serve</c>'s TLS port with a throwaway CA made by openssl: C-ECHO and C-STORE
/// with Mira's SCUs and with dcmtk's TLS tools, a plaintext caller refused on the TLS port, and the client
/// certificate requirement (<c>--dimse-tls-client-ca</c>).
/// </summary>
public sealed class DimseTlsTests
{
    static string P(int port) => port.ToString(CultureInfo.InvariantCulture);
    static string CtSmall => Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;

    /// <summary>Runs the <c>mira</c> command line; returns its exit code and output.</summary>
    static (int ExitCode, string Output) MiraCli(params string[] args) =>
        ExternalTool.Exec("dotnet", [Path.Combine(AppContext.BaseDirectory, "mira.dll"), .. args], TimeSpan.FromMinutes(2));

    static async Task<(ServeProcess Server, int TlsPort)> ServeWithTlsAsync(string data, TestCertificates pki, params string[] extra)
    {
        var tlsPort = ServeProcess.FreePort();
        var server = await ServeProcess.StartAsync(data, ["--dimse-tls-port", P(tlsPort), "--dimse-tls-cert", pki.Cert("server"), "--dimse-tls-key", pki.Key("server"), .. extra]);
        Assert.Contains($"TLS port {tlsPort}", server.Output);
        return (server, tlsPort);
    }

    [Fact]
    public async Task Echo_and_store_over_tls_work_with_mira_and_dcmtk_and_a_plaintext_caller_is_refused()
    {
        using var pki = new TestCertificates();
        using var data = new TempFolder();
        var (added, addOutput) = MiraCli("ae", "add", "STORER", "--host", "127.0.0.1", "--port", "104", "--allow", "echo,store", "--data", data.Path);
        Assert.True(added == 0, addOutput);
        var (server, tlsPort) = await ServeWithTlsAsync(data.Path, pki);
        await using (server)
        {
            var (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--tls-ca", pki.Cert("ca"));
            Assert.True(code == 0, output);
            (code, output) = MiraCli("send", "127.0.0.1", P(tlsPort), "--aet", "STORER", "--tls-ca", pki.Cert("ca"), "-q", CtSmall);
            Assert.True(code == 0, output);
            Assert.Contains("1 sent", output);

            (code, output) = DimseArchive.Dcmtk("echoscu", "+tls", pki.Key("client"), pki.Cert("client"), "+cf", pki.Cert("ca"),
                "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(tlsPort));
            Assert.True(code == 0, output);
            var mr = Corpus.Get("dicom/modality/MR/emri_small.dcm").FullPath;
            (code, output) = DimseArchive.Dcmtk("storescu", "+tls", pki.Key("client"), pki.Cert("client"), "+cf", pki.Cert("ca"),
                "-aet", "STORER", "-aec", "MIRA", "127.0.0.1", P(tlsPort), mr);
            Assert.True(code == 0, output);
            var instances = JsonNode.Parse(await server.Http.GetStringAsync("/dicomweb/instances"))!.AsArray();
            Assert.Equal(2, instances.Count);

            // Plain DICOM on the TLS port is not a TLS handshake: refused before any association.
            (code, output) = DimseArchive.Dcmtk("echoscu", "-to", "10", "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(tlsPort));
            Assert.NotEqual(0, code);
            (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--timeout", "10");
            Assert.NotEqual(0, code);
            // A client that does not trust the server's CA refuses it.
            (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--tls-ca", pki.Cert("stranger"));
            Assert.NotEqual(0, code);
            Assert.Contains("TLS", output);
            // The plain port still serves plain callers.
            Assert.Equal(0, DimseArchive.Dcmtk("echoscu", "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(server.DimsePort!.Value)).ExitCode);
        }
    }

    [Fact]
    public async Task A_required_client_certificate_must_chain_to_the_given_ca()
    {
        using var pki = new TestCertificates();
        using var data = new TempFolder();
        var (server, tlsPort) = await ServeWithTlsAsync(data.Path, pki, "--dimse-tls-client-ca", pki.Cert("ca"));
        await using (server)
        {
            var (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--tls-ca", pki.Cert("ca"), "--tls-cert", pki.Cert("client"), "--tls-key", pki.Key("client"));
            Assert.True(code == 0, output);
            (code, output) = DimseArchive.Dcmtk("echoscu", "+tls", pki.Key("client"), pki.Cert("client"), "+cf", pki.Cert("ca"),
                "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(tlsPort));
            Assert.True(code == 0, output);

            (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--tls-ca", pki.Cert("ca"), "--timeout", "10");
            Assert.True(code != 0, "no client certificate: " + output);
            (code, output) = MiraCli("echo", "127.0.0.1", P(tlsPort), "--tls-ca", pki.Cert("ca"), "--tls-cert", pki.Cert("stranger"), "--tls-key", pki.Key("stranger"), "--timeout", "10");
            Assert.True(code != 0, "untrusted client certificate: " + output);
            (code, output) = DimseArchive.Dcmtk("echoscu", "-to", "10", "+tls", pki.Key("stranger"), pki.Cert("stranger"), "+cf", pki.Cert("ca"),
                "-aet", "DCMTK", "-aec", "MIRA", "127.0.0.1", P(tlsPort));
            Assert.True(code != 0, "dcmtk with an untrusted client certificate: " + output);
        }
    }

    [Fact]
    public async Task C_move_sub_operations_reach_a_tls_destination_with_dimse_move_tls_ca()
    {
        using var pki = new TestCertificates();
        using var data = new TempFolder();
        // storescp over TLS (with a certificate for 127.0.0.1) requires and verifies a client certificate, its default: Mira presents its listener's.
        using var scp = new StoreScp("TLSSCP", "+tls", pki.Key("server"), pki.Cert("server"), "+cf", pki.Cert("ca"));
        Assert.Equal(0, MiraCli("ae", "add", "TLSSCP", "--host", "127.0.0.1", "--port", P(scp.Port), "--allow", "none", "--data", data.Path).ExitCode);
        Assert.Equal(0, MiraCli("ae", "add", "MOVER", "--host", "127.0.0.1", "--port", "104", "--allow", "store,move", "--data", data.Path).ExitCode);
        var (server, _) = await ServeWithTlsAsync(data.Path, pki, "--dimse-move-tls-ca", pki.Cert("ca"));
        await using (server)
        {
            var port = P(server.DimsePort!.Value);
            var (code, output) = DimseArchive.Dcmtk("storescu", "-aet", "MOVER", "-aec", "MIRA", "127.0.0.1", port, CtSmall);
            Assert.True(code == 0, output);
            var study = global::Mira.Dicom.IO.DicomFile.Open(CtSmall).Dataset.GetString(global::Mira.Dicom.DicomTags.StudyInstanceUID)!;
            (code, output) = DimseArchive.Dcmtk("movescu", "-S", "-aet", "MOVER", "-aec", "MIRA", "-aem", "TLSSCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", port);
            Assert.True(code == 0, output);
            Assert.Single(scp.Files);
        }
    }

    [Fact]
    public async Task A_failed_tls_handshake_is_audited_with_the_address_and_reason()
    {
        using var pki = new TestCertificates();
        await using var a = new DimseArchive
        {
            Options = new()
            {
                Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA", TlsPort = 0,
                Tls = new DicomTlsOptions { Certificate = DicomTlsOptions.LoadCertificate(pki.Cert("server"), pki.Key("server")) },
            },
        };
        await a.InitializeAsync();
        var tlsPort = a.Services.GetService(typeof(global::Mira.Server.Dimse.DimseListener)) is global::Mira.Server.Dimse.DimseListener l ? l.TlsPort!.Value : 0;
        Assert.NotEqual(0, DimseArchive.Dcmtk("echoscu", "-to", "10", "-aet", "PLAIN", "-aec", "MIRA", "127.0.0.1", P(tlsPort)).ExitCode);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        global::Mira.Storage.Security.AuditRecord? record = null;
        while (record is null && DateTime.UtcNow < deadline)
        {
            record = (await a.Archive.Audit.ReadAsync(1, 10_000)).FirstOrDefault(r => r.Action == AuditActions.DimseReject);
            if (record is null) await Task.Delay(100);
        }
        Assert.NotNull(record);
        Assert.Equal("127.0.0.1", record.ClientAddress);
        Assert.Contains("TLS handshake failed", record.DetailsJson);
        // A TLS caller on the same listener is served.
        var status = await DicomClient.EchoAsync("127.0.0.1", tlsPort, "TLSSCU", "MIRA",
            new DicomAssociationOptions { Tls = new DicomTlsOptions { TrustedCertificates = DicomTlsOptions.LoadTrusted(pki.Cert("ca")) } });
        Assert.Equal(DicomStatus.Success, status);
    }
}
