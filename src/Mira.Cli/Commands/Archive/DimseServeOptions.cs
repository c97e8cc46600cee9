using System.CommandLine;
using System.Net;
using Mira.Dicom.Network;
using Mira.Server.Dimse;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// The DIMSE listener options of <c>mira serve</c>: the bind address (loopback unless opened with
/// <c>--dimse-bind 0.0.0.0</c> or <c>::</c>), the association limits, the data set limit for storage, and the DICOM TLS
/// listener (PS3.15 Annex B) with its certificate, optional client certificate requirement, and TLS for C-MOVE
/// destinations. A PKCS#12 password comes from <c>MIRA_DIMSE_TLS_PASSWORD</c>, never from the command line.
/// </summary>
sealed record DimseServeOptions(Option<string> Bind, Option<int> MaxAssociations, Option<int> MaxPerAddress, Option<long> MaxStoreBytes,
    Option<int> TlsPort, Option<string?> TlsCert, Option<string?> TlsKey, Option<string?> TlsClientCa, Option<string?> MoveTlsCa)
{
    public const string PasswordVariable = "MIRA_DIMSE_TLS_PASSWORD";

    public static DimseServeOptions Create()
    {
        var defaults = new DimseServiceOptions();
        return new(
            new Option<string>("--dimse-bind") { Description = "address the DIMSE listeners bind; 0.0.0.0 or :: opens them to the network", DefaultValueFactory = _ => "127.0.0.1" },
            new Option<int>("--dimse-max-associations") { Description = "associations held at once (both DIMSE ports); more are rejected (transient, local limit exceeded)", DefaultValueFactory = _ => defaults.MaxAssociations },
            new Option<int>("--dimse-max-associations-per-address") { Description = "associations held at once from one peer address", DefaultValueFactory = _ => defaults.MaxAssociationsPerAddress },
            new Option<long>("--dimse-max-store-bytes") { Description = "largest C-STORE data set accepted, in bytes", DefaultValueFactory = _ => defaults.MaxStoreDatasetLength },
            new Option<int>("--dimse-tls-port") { Description = "DICOM TLS listener port (2762 is registered for it); 0: none", DefaultValueFactory = _ => 0 },
            new Option<string?>("--dimse-tls-cert") { Description = "the TLS listener's certificate: PEM (with --dimse-tls-key) or PKCS#12 .pfx/.p12 (password in " + PasswordVariable + ")" },
            new Option<string?>("--dimse-tls-key") { Description = "PEM private key of --dimse-tls-cert (default: the certificate file itself)" },
            new Option<string?>("--dimse-tls-client-ca") { Description = "require TLS clients to present a certificate issued by a CA in this PEM file" },
            new Option<string?>("--dimse-move-tls-ca") { Description = "send C-MOVE sub-operations over TLS, trusting the CAs in this PEM file (the listener's certificate is the client certificate)" });
    }

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Bind, MaxAssociations, MaxPerAddress, MaxStoreBytes, TlsPort, TlsCert, TlsKey, TlsClientCa, MoveTlsCa }) c.Options.Add(o);
    }

    /// <summary>The listener settings (AE title and caller permissions are the command's); throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public DimseServiceOptions Read(ParseResult r, int? plainPort)
    {
        var bind = r.GetValue(Bind)!;
        if (!IPAddress.TryParse(bind, out var address)) throw new ArgumentException($"--dimse-bind: '{bind}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::)");
        int Positive(Option<int> o)
        {
            var v = r.GetValue(o);
            return v > 0 ? v : throw new ArgumentException($"{o.Name} must be at least 1, not {v}");
        }
        var maxStore = r.GetValue(MaxStoreBytes);
        if (maxStore is < 1 or > int.MaxValue - 64) throw new ArgumentException($"{MaxStoreBytes.Name} must be between 1 and {int.MaxValue - 64}, not {maxStore}");
        var tlsPort = r.GetValue(TlsPort);
        if (tlsPort is < 0 or > 65535) throw new ArgumentException($"{TlsPort.Name} must be a TCP port, not {tlsPort}");
        var certPath = r.GetValue(TlsCert);
        DicomTlsOptions? tls = null;
        if (tlsPort != 0)
        {
            if (certPath is null) throw new ArgumentException($"{TlsPort.Name} needs {TlsCert.Name} (and {TlsKey.Name} for a PEM certificate)");
            var clientCa = r.GetValue(TlsClientCa);
            tls = new DicomTlsOptions
            {
                Certificate = DicomTlsOptions.LoadCertificate(certPath, r.GetValue(TlsKey), Environment.GetEnvironmentVariable(PasswordVariable)),
                RequireClientCertificate = clientCa is not null,
                TrustedCertificates = clientCa is null ? null : DicomTlsOptions.LoadTrusted(clientCa),
            };
        }
        else if (certPath is not null || r.GetValue(TlsClientCa) is not null)
            throw new ArgumentException($"{TlsCert.Name} and {TlsClientCa.Name} need {TlsPort.Name}");
        DicomTlsOptions? moveTls = null;
        if (r.GetValue(MoveTlsCa) is { } moveCa)
            moveTls = new DicomTlsOptions
            {
                TrustedCertificates = DicomTlsOptions.LoadTrusted(moveCa),
                Certificate = tls?.Certificate ?? (certPath is null ? null : DicomTlsOptions.LoadCertificate(certPath, r.GetValue(TlsKey), Environment.GetEnvironmentVariable(PasswordVariable))),
            };
        return new DimseServiceOptions
        {
            Port = plainPort, Address = address, MaxAssociations = Positive(MaxAssociations), MaxAssociationsPerAddress = Positive(MaxPerAddress),
            MaxStoreDatasetLength = maxStore, Association = DicomAssociationOptions.Default with { MaxDatasetLength = Math.Max(maxStore, new DimseServiceOptions().MaxIdentifierLength) }, TlsPort = tlsPort == 0 ? null : tlsPort, Tls = tls, MoveTls = moveTls,
        };
    }
}
