using Mira.Testing;

namespace Mira.Dicom.Network.Tests;

/// <summary>
/// <see cref="DicomTlsOptions"/> loads what operators have: a PEM certificate with its key (apart or in one file), a
/// PKCS#12 file with its password, a PEM CA bundle; a bad file is an <see cref="ArgumentException"/> naming it.
/// </summary>
public sealed class TlsCertificateLoadingTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-tls-load-").FullName;

    string F(string name) => Path.Combine(folder, name);

    static void OpenSsl(params string[] args)
    {
        var (code, output) = ExternalTool.Exec(ExternalTool.Require("openssl", "openssl"), args, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, output);
    }

    public TlsCertificateLoadingTests() =>
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", F("key.pem"), "-out", F("cert.pem"), "-days", "1", "-subj", "/CN=load-test");

    [Fact]
    public void Pem_certificate_and_key_apart_or_together_and_pkcs12_with_its_password_load_with_the_private_key()
    {
        var apart = DicomTlsOptions.LoadCertificate(F("cert.pem"), F("key.pem"));
        Assert.True(apart.HasPrivateKey);
        File.WriteAllText(F("both.pem"), File.ReadAllText(F("cert.pem")) + File.ReadAllText(F("key.pem")));
        Assert.Equal(apart.Thumbprint, DicomTlsOptions.LoadCertificate(F("both.pem")).Thumbprint);
        OpenSsl("pkcs12", "-export", "-in", F("cert.pem"), "-inkey", F("key.pem"), "-out", F("cert.pfx"), "-passout", "pass:s3cret");
        var pfx = DicomTlsOptions.LoadCertificate(F("cert.pfx"), password: "s3cret");
        Assert.True(pfx.HasPrivateKey);
        Assert.Equal(apart.Thumbprint, pfx.Thumbprint);
    }

    [Fact]
    public void A_certificate_without_its_key_a_wrong_password_or_a_file_without_certificates_is_refused_naming_the_file()
    {
        var e = Assert.Throws<ArgumentException>(() => DicomTlsOptions.LoadCertificate(F("cert.pem")));
        Assert.Contains(F("cert.pem"), e.Message);
        OpenSsl("pkcs12", "-export", "-in", F("cert.pem"), "-inkey", F("key.pem"), "-out", F("cert.pfx"), "-passout", "pass:s3cret");
        Assert.Contains(F("cert.pfx"), Assert.Throws<ArgumentException>(() => DicomTlsOptions.LoadCertificate(F("cert.pfx"), password: "wrong")).Message);
        File.WriteAllText(F("empty.pem"), "nothing here\n");
        Assert.Contains(F("empty.pem"), Assert.ThrowsAny<ArgumentException>(() => DicomTlsOptions.LoadTrusted(F("empty.pem"))).Message);
        Assert.Contains(F("missing.pem"), Assert.ThrowsAny<ArgumentException>(() => DicomTlsOptions.LoadTrusted(F("missing.pem"))).Message);
    }

    [Fact]
    public void A_pem_bundle_loads_every_certificate()
    {
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", F("key2.pem"), "-out", F("cert2.pem"), "-days", "1", "-subj", "/CN=second");
        File.WriteAllText(F("bundle.pem"), File.ReadAllText(F("cert.pem")) + File.ReadAllText(F("cert2.pem")));
        Assert.Equal(2, DicomTlsOptions.LoadTrusted(F("bundle.pem")).Count);
    }

    public void Dispose()
    {
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }
}
