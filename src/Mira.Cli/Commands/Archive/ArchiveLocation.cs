using System.CommandLine;
using Mira.Platform;
using Mira.Storage;
using Mira.Storage.Blobs;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// Where an archive command acts, exactly as <c>mira serve</c> does: the data folder (<c>--data</c>, default
/// <c>./mira-data</c>), the database (<c>--db</c>, else <c>MIRA_DB</c>, else SQLite in the data folder) and the blobs
/// (<c>--blobs</c>/<c>--s3-endpoint</c>, else <c>MIRA_BLOBS</c>/<c>MIRA_S3_ENDPOINT</c>, else the data folder). Every
/// archive command opens the platform through the one composition root (<see cref="MiraPlatform.OpenAsync"/>), so it
/// acts on the database the server uses, PostgreSQL included.
/// </summary>
public sealed class ArchiveLocation(string folder, string? database, string? blobs = null, string? s3Endpoint = null)
{
    readonly (BlobStorageOptions? Options, string? Error) blobStorage = ParseBlobs(blobs, s3Endpoint);

    static (BlobStorageOptions?, string?) ParseBlobs(string? blobs, string? s3Endpoint)
    {
        try
        {
            return (BlobStorageOptions.Parse(blobs, s3Endpoint), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Where blobs are; throws <see cref="ArgumentException"/> when <c>--blobs</c> or <c>--s3-endpoint</c> is not valid.</summary>
    public BlobStorageOptions Blobs => blobStorage.Options ?? throw new ArgumentException(blobStorage.Error);

    public const string DefaultFolder = DataFolder.Default;

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The PostgreSQL connection string, or null for SQLite in the data folder.</summary>
    public string? ConnectionString { get; } = PlatformOptions.ResolveConnectionString(database);

    /// <summary>The <c>--data DIR</c> option every archive command takes.</summary>
    public static Option<string> CreateOption() => new("--data")
    {
        Description = "the archive's data folder (blobs/, journal/, projects/ and, without --db, index.db)",
        DefaultValueFactory = _ => DefaultFolder,
    };

    /// <summary>The <c>--db CONNECTION</c> option every archive command takes.</summary>
    public static Option<string?> CreateDbOption() => new("--db")
    {
        Description = $"PostgreSQL connection string (Host=…;Database=…); default: {PlatformOptions.DatabaseVariable}, else SQLite in the data folder",
    };

    /// <summary>The <c>--blobs FOLDER|s3://BUCKET[/PREFIX]</c> option every archive command takes.</summary>
    public static Option<string?> CreateBlobsOption() => new("--blobs")
    {
        Description = $"where blobs are: a folder, or s3://BUCKET[/PREFIX] (credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE); default: {BlobStorageOptions.BlobsVariable}, else blobs/ in the data folder",
    };

    /// <summary>The <c>--s3-endpoint URL</c> option every archive command takes.</summary>
    public static Option<string?> CreateS3EndpointOption() => new("--s3-endpoint")
    {
        Description = $"the S3 server for --blobs s3://… (MinIO, Ceph RGW: http(s)://HOST:PORT, path-style); default: {BlobStorageOptions.EndpointVariable}, else AWS",
    };

    /// <summary>True when an archive is there: the SQLite index file, or (PostgreSQL) always, since the database says.</summary>
    public bool Exists => ConnectionString is not null || File.Exists(DataFolder.IndexPath(Folder));

    /// <summary>Where the index is, for messages (never the connection string, which may hold a password).</summary>
    public string Describe() => (ConnectionString is null ? Folder : $"{Folder} (index on PostgreSQL)")
        + (blobStorage.Options is { S3: not null } b ? $" (blobs in {b.Describe(Folder)})" : "");

    /// <summary>Opens the platform (creating the archive when missing); start-up messages go to stderr.</summary>
    public Task<MiraPlatform> OpenAsync(CancellationToken ct = default) =>
        MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = Folder, ConnectionString = ConnectionString, Blobs = Blobs, Console = Console.Error }, ct);

    /// <summary>For commands that may create the archive: an error line and exit code 2 when <c>--blobs</c> or <c>--s3-endpoint</c> is not valid, else null.</summary>
    public int? RequireValidBlobs()
    {
        if (blobStorage.Error is not { } error) return null;
        Console.Error.WriteLine($"mira: {error}");
        return 2;
    }

    /// <summary>For commands that only read or change what exists: an error line and exit code 2 when no archive is there, else null.</summary>
    public int? RequireExisting()
    {
        if (RequireValidBlobs() is { } invalid) return invalid;
        if (Exists) return null;
        Console.Error.WriteLine($"mira: no archive in {Folder} (no index.db); use --data DIR, --db CONNECTION or run 'mira import' first");
        return 2;
    }
}
