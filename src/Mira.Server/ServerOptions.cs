using Mira.Platform;
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

    /// <summary>Listening URLs, separated by ';'.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8042";

    /// <summary>A PostgreSQL connection string (<c>Host=…</c>) for the index; null for the embedded SQLite file.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Password of the first <c>admin</c> account, used only when no account exists; null reads
    /// <c>MIRA_ADMIN_PASSWORD</c>, and when that is unset too a password is generated and printed once.</summary>
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

    /// <summary>Account/token/audit tunables (tests lower the PBKDF2 iteration count).</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.Default;

    /// <summary>Where the generated admin password is printed (once, on first start).</summary>
    public TextWriter Console { get; init; } = System.Console.Out;

    /// <summary>The DIMSE listener; null (the default here) runs none. <c>mira serve</c> turns it on at port 11112.</summary>
    public Dimse.DimseServiceOptions? Dimse { get; init; }

    /// <summary>The job table: whether this process runs jobs (project rule copies…), and their retries and leases.</summary>
    public JobOptions Jobs { get; init; } = new();

    /// <summary>What the platform opens: the same data folder, database and tunables as every archive command.</summary>
    public PlatformOptions Platform => new()
    {
        DataFolder = DataFolder, ConnectionString = ConnectionString, Security = Security, Jobs = Jobs, Console = Console,
        RecoverInterruptedIngest = true, IntakeLimits = IntakeLimits,
    };

    /// <summary>A hook run on the builder before the application is built (tests use it to swap in a test server).</summary>
    public Action<WebApplicationBuilder>? ConfigureBuilder { get; init; }
}
