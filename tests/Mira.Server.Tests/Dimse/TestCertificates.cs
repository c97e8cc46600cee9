using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>
/// A throwaway PKI made with openssl for the DICOM TLS tests: a CA, a server certificate for localhost/127.0.0.1
/// (serverAuth, and clientAuth: it is also the C-MOVE sub-operations' client certificate), a client certificate (clientAuth) issued by that CA, and a self-signed client certificate no one
/// trusts. PEM files in a temporary folder, deleted when disposed.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Ca("ca");
        Issue("server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n");
        Issue("client", "MIRA TLS CLIENT", "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n");
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Key("stranger"), "-out", Cert("stranger"), "-days", "2", "-subj", "/CN=stranger");
    }

    public string Folder { get; } = Directory.CreateTempSubdirectory("mira-tls-").FullName;

    public string Cert(string name) => Path.Combine(Folder, name + ".pem");
    public string Key(string name) => Path.Combine(Folder, name + ".key");

    void Ca(string name) => OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Key(name), "-out", Cert(name), "-days", "2",
        "-subj", "/CN=Mira Test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    void Issue(string name, string commonName, string extensions)
    {
        var csr = Path.Combine(Folder, name + ".csr");
        var ext = Path.Combine(Folder, name + ".ext");
        File.WriteAllText(ext, extensions);
        OpenSsl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", Key(name), "-out", csr, "-subj", "/CN=" + commonName);
        OpenSsl("x509", "-req", "-in", csr, "-CA", Cert("ca"), "-CAkey", Key("ca"), "-CAcreateserial", "-out", Cert(name), "-days", "2", "-extfile", ext);
    }

    static void OpenSsl(params string[] args)
    {
        var (code, output) = ExternalTool.Exec(ExternalTool.Require("openssl", "openssl"), args, TimeSpan.FromMinutes(1));
        if (code != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)}: {output}");
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
