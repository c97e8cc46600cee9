using System.Security.Cryptography.X509Certificates;

namespace Mira.Server.Security;

/// <summary>The HTTPS certificate given as files (<c>mira serve --tls-cert FILE --tls-key FILE</c>: PEM, or a PKCS#12 file).</summary>
public static class TlsCertificate
{
    /// <summary>The certificate with its private key, or null when none is configured (Kestrel's own configuration then applies).</summary>
    /// <exception cref="InvalidOperationException">A file is missing or unreadable, or the key does not belong to the certificate.</exception>
    public static X509Certificate2? Load(ServerOptions options)
    {
        if (options.TlsCertificatePath is not { } cert)
        {
            if (options.TlsKeyPath is not null) throw new InvalidOperationException("--tls-key needs --tls-cert (the certificate it belongs to)");
            return null;
        }
        try
        {
            // The same loader as the DICOM TLS listener's: PEM (key apart or in the same file) or PKCS#12.
            return Mira.Dicom.Network.DicomTlsOptions.LoadCertificate(cert, options.TlsKeyPath);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"--tls-cert {cert}{(options.TlsKeyPath is { } k ? $" --tls-key {k}" : "")}: {e.Message}", e);
        }
    }
}
