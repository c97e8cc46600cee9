using System.CommandLine;
using Mira.Platform;
using Mira.Storage;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// Where an archive command acts, exactly as <c>mira serve</c> does: the data folder (<c>--data</c>, default
/// <c>./mira-data</c>) and the database (<c>--db</c>, else <c>MIRA_DB</c>, else SQLite in the data folder). Every
/// archive command opens the platform through the one composition root (<see cref="MiraPlatform.OpenAsync"/>), so it
/// acts on the database the server uses, PostgreSQL included.
/// </summary>
public sealed class ArchiveLocation(string folder, string? database)
{
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

    /// <summary>True when an archive is there: the SQLite index file, or (PostgreSQL) always, since the database says.</summary>
    public bool Exists => ConnectionString is not null || File.Exists(DataFolder.IndexPath(Folder));

    /// <summary>Where the index is, for messages (never the connection string, which may hold a password).</summary>
    public string Describe() => ConnectionString is null ? Folder : $"{Folder} (index on PostgreSQL)";

    /// <summary>Opens the platform (creating the archive when missing); start-up messages go to stderr.</summary>
    public Task<MiraPlatform> OpenAsync(CancellationToken ct = default) =>
        MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = Folder, ConnectionString = ConnectionString, Console = Console.Error }, ct);

    /// <summary>For commands that only read or change what exists: an error line and exit code 2 when no archive is there, else null.</summary>
    public int? RequireExisting()
    {
        if (Exists) return null;
        Console.Error.WriteLine($"mira: no archive in {Folder} (no index.db); use --data DIR, --db CONNECTION or run 'mira import' first");
        return 2;
    }
}
