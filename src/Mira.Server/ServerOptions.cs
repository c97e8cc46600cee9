using Mira.Platform;
using Mira.Platform.Evaluations;
using Mira.Platform.Intake;
using Mira.Platform.Jobs;
using Mira.Storage.Security;
using Microsoft.AspNetCore.Builder;

namespace Mira.Server;

/// <summary>How <see cref="MiraServer"/> runs: where the data lives, where it listens, and its limits.</summary>
public sealed record ServerOptions
{
    /// <summary>The data folder: <c>index.db</c> (SQLite, unless <see cref="ConnectionString"/> names PostgreSQL) and <c>blobs/</c>.</summary>
    public string DataFolder { get; init; } = Mira.Storage.DataFolder.Default;

    /// <summary>Where blobs are: the data folder (default) or an S3 bucket (<c>--blobs s3://…</c>, docs/object-storage.md).</summary>
    public Mira.Storage.Blobs.BlobStorageOptions Blobs { get; init; } = Mira.Storage.Blobs.BlobStorageOptions.Disk;

    /// <summary>Listening URLs, separated by ';'.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8042";

    /// <summary>A PostgreSQL connection string (<c>Host=…</c>) for the index; null for the embedded SQLite file.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Password of the first <c>admin</c> account, used only when no account exists; null reads
    /// <c>MIRA_ADMIN_PASSWORD</c>, and when that is unset too a password is generated, written to
    /// <c>admin-password.txt</c> in the data folder (owner only) and must be changed at the first sign-in.</summary>
    public string? AdminPassword { get; init; }

    /// <summary>Load the demo studies (synthetic CT, MR and PET of fictitious patients) when they are absent.</summary>
    public bool Demo { get; init; }

    /// <summary>Largest request body (bytes) a STOW-RS request may send.</summary>
    public long MaxRequestBytes { get; init; } = 4L << 30;

    /// <summary>Largest single part (bytes) of a STOW-RS request.</summary>
    public long MaxPartBytes { get; init; } = 1L << 30;

    // What one request or object may cost (issue 14 items 5–7; docs/security.md).

    /// <summary>Most parts one STOW-RS request may carry; the next one is answered 413 and the rest is not read.</summary>
    public int MaxStowParts { get; init; } = 10_000;

    /// <summary>Most entries a WADO-RS frame list may have (PS3.18 §10.4.1.1.4); repeats are dropped after counting.</summary>
    public int MaxFrameListEntries { get; init; } = 4096;

    /// <summary>How large an arriving object may be once inflated or decoded (STOW-RS, C-STORE, and so every stored object).</summary>
    public IntakeLimits IntakeLimits { get; init; } = IntakeLimits.Default;

    /// <summary>What decoding for WADO-RS (rendering, transcoding) may allocate: the intake's frame limit, so what was accepted can be decoded.</summary>
    public Mira.Dicom.Codecs.DecodeLimits DecodeLimits => new() { MaxFrameBytes = IntakeLimits.MaxDecodedFrameBytes };

    /// <summary>How long a successful HTTP Basic check is remembered (PBKDF2 is deliberately slow).</summary>
    public TimeSpan CredentialCacheLifetime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long web workspace sessions last (idle timeout, sliding; lifetime from the sign-in).</summary>
    public WebSessionPolicy Sessions { get; init; } = WebSessionPolicy.Default;

    /// <summary>How failed password sign-ins are throttled (back-off, concurrent hashes).</summary>
    public Security.SignInOptions SignIn { get; init; } = new();

    /// <summary>
    /// The URL clients reach this server at (e.g. <c>https://pacs.example.org/mira</c>), used for the retrieve URLs in
    /// STOW-RS and QIDO-RS answers and as this server's own origin. Null: the address and port the request arrived
    /// on, never the request's <c>Host</c> header (which a client chooses).
    /// </summary>
    public Uri? PublicBaseUrl { get; init; }

    /// <summary>Other web origins (<c>https://viewer.example.org</c>) whose pages may send state-changing requests;
    /// by default only this server's own origin may.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>
    /// Reverse proxies (addresses, or networks as <c>10.0.0.0/8</c>) whose <c>X-Forwarded-For</c> and
    /// <c>X-Forwarded-Proto</c> are believed; empty (the default) believes none, so a client cannot claim another
    /// address in the audit log.
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>A PEM certificate (chain) for HTTPS listening URLs; with <see cref="TlsKeyPath"/> for its key (a PEM
    /// file holding both needs no key path). Null: Kestrel's configuration (<c>Kestrel:Certificates:Default:Path</c>…).</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>The PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>HTTP Strict Transport Security on HTTPS answers (RFC 6797): how long browsers keep to HTTPS (default 365
    /// days; zero sends no header).</summary>
    public TimeSpan HstsMaxAge { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Account/token/audit tunables (tests lower the PBKDF2 iteration count).</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.Default;

    /// <summary>Where start-up messages go (where the generated admin password was written, demo loading…).</summary>
    public TextWriter Console { get; init; } = System.Console.Out;

    /// <summary>The DIMSE listener; null (the default here) runs none. <c>mira serve</c> turns it on at port 11112.</summary>
    public Dimse.DimseServiceOptions? Dimse { get; init; }

    /// <summary>The OHIF Viewer's files (the <c>dist</c> folder of <c>@ohif/app</c>); null finds them as
    /// <see cref="Viewer.ViewerLocation"/> says (<c>MIRA_VIEWER</c>, beside the program, or where the build put them).</summary>
    public string? ViewerDirectory { get; init; }

    /// <summary>The job table: whether this process runs jobs (project rule copies…), and their retries and leases.</summary>
    public JobOptions Jobs { get; init; } = new();

    /// <summary>On a site linked to a hub: how often a <c>site.push</c> job is queued (docs/sites.md); null: never (push with <c>mira site push</c>).</summary>
    public TimeSpan? SitePushInterval { get; init; }

    /// <summary>How evaluation jobs run models: by default the <c>mira</c> beside this program (<see cref="MiraExecutable"/>).</summary>
    public EvaluationOptions Evaluations { get; init; } = new() { WorkerCommand = MiraExecutable.Command() };

    /// <summary>How deployments call destinations (as the DIMSE listener's AE title when one runs) and wait for series to settle.</summary>
    public Mira.Platform.Deployment.DeploymentOptions Deployments { get; init; } = new();

    /// <summary>This node's name in metrics (<c>service.instance.id</c>, <c>node</c>) and <c>/health</c>; null: the host
    /// name and the port of the first listening URL (<see cref="Observability.NodeName.Default"/>).</summary>
    public string? NodeName { get; init; }

    /// <summary>Whether <c>/metrics</c> answers unauthenticated scrapers (<c>--metrics-anonymous</c>); by default it needs
    /// the role operator or admin. Only for a server whose port is reachable from inside the network boundary alone.</summary>
    public bool MetricsAnonymous { get; init; }

    /// <summary>Plain text (the default) or JSON lines on the console (<c>--log-format json</c>).</summary>
    public Observability.LogFormat LogFormat { get; init; } = Observability.LogFormat.Plain;

    /// <summary>What the platform opens: the same data folder, database and tunables as every archive command.</summary>
    public PlatformOptions Platform => new()
    {
        DataFolder = DataFolder, ConnectionString = ConnectionString, Blobs = Blobs, Security = Security, Jobs = Jobs, Console = Console,
        RecoverInterruptedIngest = true, IntakeLimits = IntakeLimits, Evaluations = Evaluations,
        NodeName = NodeName ?? Observability.NodeName.Default(Urls),
        Deployments = (Dimse is { } dimse ? Deployments with { CallingAe = dimse.AETitle } : Deployments) is var d && PublicBaseUrl is { } root
            ? d with { RetrieveBaseUrl = new Uri(root, "dicomweb").ToString() }
            : d,
    };

    /// <summary>A hook run on the builder before the application is built (tests use it to swap in a test server).</summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}
