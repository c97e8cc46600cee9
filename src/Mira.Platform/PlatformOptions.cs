using Mira.Platform.Jobs;
using Mira.Storage.Security;

namespace Mira.Platform;

/// <summary>
/// What the platform opens: the data folder (blobs, ingest journal, project archives and, without a connection
/// string, the SQLite index <c>index.db</c>) and the database. The server and every archive command build these from
/// the same <c>--data</c> and <c>--db</c> options (and <c>MIRA_DB</c>).
/// </summary>
public sealed record PlatformOptions
{
    /// <summary>The environment variable that names the database when <c>--db</c> is not given.</summary>
    public const string DatabaseVariable = "MIRA_DB";

    public string DataFolder { get; init; } = Storage.DataFolder.Default;

    /// <summary>A PostgreSQL connection string (<c>Host=…</c>); null for the embedded SQLite file in the data folder.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Where blobs are kept: the data folder (default) or an S3 bucket (<c>--blobs</c>, <c>MIRA_BLOBS</c>; docs/object-storage.md).</summary>
    public Storage.Blobs.BlobStorageOptions Blobs { get; init; } = Storage.Blobs.BlobStorageOptions.Disk;

    /// <summary>Account/token/audit tunables (tests lower the PBKDF2 iteration count).</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.Default;

    /// <summary>How this process works the job table.</summary>
    public JobOptions Jobs { get; init; } = new();

    /// <summary>How large an arriving object may be once inflated or decoded (<see cref="Intake.IntakeLimits"/>).</summary>
    public Intake.IntakeLimits IntakeLimits { get; init; } = Intake.IntakeLimits.Default;

    /// <summary>How annotation reads are decoded and versions written as DICOM SEG / SR and NIfTI.</summary>
    public Annotations.IAnnotationEncodings? AnnotationEncodings { get; init; } = new Annotations.AnnotationEncodings();

    /// <summary>How evaluation jobs run their model worker (the host sets <see cref="Evaluations.EvaluationOptions.WorkerCommand"/>).</summary>
    public Evaluations.EvaluationOptions Evaluations { get; init; } = new();

    /// <summary>How deployments call destinations and decide a series has arrived (their model worker is the evaluations').</summary>
    public Deployment.DeploymentOptions Deployments { get; init; } = new();

    /// <summary>
    /// Whether opening cleans up after a crash: temporary blob files and the blobs of ingest batches that were in flight
    /// (named by the journal) and never indexed. Only the process that owns the data folder's ingest may do this (the
    /// server at start, before it takes requests); a command run beside a live server must not, or it would delete the
    /// blobs of the server's batches in flight. Default off; <c>mira serve</c> turns it on.
    /// </summary>
    public bool RecoverInterruptedIngest { get; init; }

    /// <summary>Where start-up messages go (recovery, migrations applied, the generated admin password).</summary>
    public TextWriter Console { get; init; } = System.Console.Out;

    /// <summary>This node's name in metrics and the health check (<see cref="Observability.MiraTelemetry.Node"/>); null: the host name.</summary>
    public string? NodeName { get; init; }

    /// <summary>
    /// The connection string to use: <paramref name="fromOption"/> when given, else <c>MIRA_DB</c>, else null (SQLite in
    /// the data folder). An empty value means SQLite too.
    /// </summary>
    public static string? ResolveConnectionString(string? fromOption) =>
        !string.IsNullOrWhiteSpace(fromOption) ? fromOption
        : Environment.GetEnvironmentVariable(DatabaseVariable) is { Length: > 0 } env && !string.IsNullOrWhiteSpace(env) ? env
        : null;
}
