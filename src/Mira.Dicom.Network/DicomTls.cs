using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Mira.Dicom.Network;

/// <summary>
/// TLS for the association's TCP connection (PS3.15 Annex B, the secure transport connection profiles; port 2762 is
/// registered for DICOM over TLS): the server's certificate and, optionally, a client certificate requirement, or
/// the CA an SCU trusts and its own certificate. Protocol versions are the platform's defaults (TLS 1.2 and 1.3,
/// which PS3.15 §B.9, the BCP 195 profile, asks for).
/// </summary>
public sealed record DicomTlsOptions
{
    /// <summary>Our certificate with its private key: required for a listener; for an SCU, the client certificate to present (optional).</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>
    /// The certificates (usually CA certificates) the peer's chain must end in; null: the system's trust store. A
    /// listener with <see cref="RequireClientCertificate"/> needs them.
    /// </summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Listener: refuse clients that present no certificate, or one that does not chain to <see cref="TrustedCertificates"/>.</summary>
    public bool RequireClientCertificate { get; init; }

    /// <summary>SCU: the name the server's certificate must carry; null: the host connected to.</summary>
    public string? ServerName { get; init; }

    /// <summary>How long the TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Loads a certificate with its private key: a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with <paramref name="password"/>),
    /// or a PEM certificate with the PEM private key in <paramref name="keyPath"/> (or in the same file).
    /// </summary>
    public static X509Certificate2 LoadCertificate(string certificatePath, string? keyPath = null, string? password = null)
    {
        try
        {
            var extension = Path.GetExtension(certificatePath).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
                return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password);
            var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath ?? certificatePath);
            if (!pem.HasPrivateKey) throw new ArgumentException($"{keyPath ?? certificatePath}: no private key for the certificate in {certificatePath}");
            // An ephemeral PEM key is exported to PKCS#12 once so every platform's TLS stack can use it.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"{certificatePath}{(keyPath is null ? "" : $" / {keyPath}")}: cannot load the certificate and key: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{certificatePath}: {e.Message}", e);
        }
    }

    /// <summary>Loads every certificate of a PEM (or DER) file, e.g. a CA bundle.</summary>
    public static X509Certificate2Collection LoadTrusted(string path)
    {
        var c = new X509Certificate2Collection();
        try
        {
            var text = File.ReadAllText(path);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal)) c.ImportFromPem(text);
            else c.Add(X509CertificateLoader.LoadCertificateFromFile(path));
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException($"{path}: cannot read certificates: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", e);
        }
        if (c.Count == 0) throw new ArgumentException($"{path}: no certificate in the file");
        return c;
    }

    /// <summary>Performs the server side of the handshake on <paramref name="transport"/>; throws <see cref="AuthenticationException"/> (or IO errors) on failure.</summary>
    internal async Task<SslStream> AuthenticateAsServerAsync(Stream transport, CancellationToken ct)
    {
        var certificate = Certificate ?? throw new InvalidOperationException("a DICOM TLS listener needs a certificate with its private key");
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ClientCertificateRequired = RequireClientCertificate,
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                    !RequireClientCertificate || (cert is not null && ChainsToTrusted(cert, errors, checkName: false)),
            }, cts.Token);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>Performs the client side of the handshake with <paramref name="host"/>.</summary>
    internal async Task<SslStream> AuthenticateAsClientAsync(Stream transport, string host, CancellationToken ct)
    {
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = ServerName ?? host,
                ClientCertificates = Certificate is null ? null : [Certificate],
                RemoteCertificateValidationCallback = (_, cert, _, errors) => cert is not null && ChainsToTrusted(cert, errors, checkName: true),
            }, cts.Token);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    bool ChainsToTrusted(X509Certificate cert, SslPolicyErrors errors, bool checkName)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        if (checkName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0) return false;
        if (TrustedCertificates is null) return errors == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(TrustedCertificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var leaf = cert as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        return chain.Build(leaf);
    }
}
