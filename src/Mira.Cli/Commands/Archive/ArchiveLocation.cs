using System.CommandLine;
using Mira.Storage;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// The embedded archive's data folder, shared with <c>mira serve</c>: <c>&lt;data&gt;/index.db</c> (SQLite) and
/// <c>&lt;data&gt;/blobs/</c> (the blob store root). Default <c>./mira-data</c>; <c>--data DIR</c> overrides.
/// </summary>
public sealed class ArchiveLocation(string folder)
{
    public const string DefaultFolder = DataFolder.Default;

    public string Folder { get; } = Path.GetFullPath(folder);
    public string IndexPath => DataFolder.IndexPath(Folder);
    public string BlobRoot => DataFolder.BlobRoot(Folder);

    /// <summary>The ingest intent log; `mira serve` replays what an interrupted import or server left in it.</summary>
    public Mira.Storage.Ingest.IngestJournal OpenJournal() => new(DataFolder.JournalRoot(Folder));

    /// <summary>The <c>--data DIR</c> option every archive command takes.</summary>
    public static Option<string> CreateOption() => new("--data")
    {
        Description = "the archive's data folder (index.db and blobs/)",
        DefaultValueFactory = _ => DefaultFolder,
    };

    /// <summary>True when the folder holds an index (commands that only read refuse to create an archive).</summary>
    public bool Exists => File.Exists(IndexPath);

    public StorageDatabase Database => StorageDatabase.Sqlite(IndexPath);

    /// <summary>Opens (creating when missing) the index and the blob store.</summary>
    public async Task<(SqlIndexStore Index, FileBlobStore Blobs)> OpenAsync(CancellationToken ct = default)
    {
        Directory.CreateDirectory(Folder);
        var index = await SqlIndexStore.OpenAsync(Database, ct);
        return (index, new FileBlobStore(BlobRoot));
    }

    /// <summary>For read-only commands: an error line and exit code 2 when no archive is there, else null.</summary>
    public int? RequireExisting()
    {
        if (Exists) return null;
        Console.Error.WriteLine($"mira: no archive in {Folder} (no index.db); use --data DIR or run 'mira import' first");
        return 2;
    }
}
