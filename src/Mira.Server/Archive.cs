using Mira.Storage.Verify;
using Mira.Storage;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Storage.Ingest;
using Mira.Storage.Security;

namespace Mira.Server;

/// <summary>The opened stores one server works on: index, blobs, ingest pipeline, accounts, tokens and audit log.</summary>
public sealed class Archive
{
    Archive(StorageDatabase database, SqlIndexStore index, FileBlobStore blobs, AccountStore accounts, TokenStore tokens, AuditLog audit)
    {
        Database = database;
        Index = index;
        Blobs = blobs;
        Ingest = new IngestService(index, blobs);
        Accounts = accounts;
        Tokens = tokens;
        Audit = audit;
    }

    public StorageDatabase Database { get; }
    public IIndexStore Index { get; }
    public IBlobStore Blobs { get; }
    public IngestService Ingest { get; }
    public AccountStore Accounts { get; }
    public TokenStore Tokens { get; }
    public AuditLog Audit { get; }

    /// <summary>Opens (creating when missing) the index and security tables and the blob folder.</summary>
    public static async Task<Archive> OpenAsync(ServerOptions options, CancellationToken ct = default)
    {
        var data = Path.GetFullPath(options.DataFolder);
        Directory.CreateDirectory(data);
        var db = string.IsNullOrWhiteSpace(options.ConnectionString)
            ? StorageDatabase.Sqlite(DataFolder.IndexPath(data))
            : StorageDatabase.FromConnectionString(options.ConnectionString);
        var index = await SqlIndexStore.OpenAsync(db, ct);
        var blobs = new FileBlobStore(DataFolder.BlobRoot(data));
        blobs.RemoveIncompleteWrites();
        // Crash recovery before any request is taken: a blob written without its index commit was never
        // acknowledged (ingest answers only after both), so it is removed. Index rows are never touched here.
        // This lists every blob once per start; an intent log would make it proportional to the writes in flight.
        var recovery = await new ArchiveVerifier(index, blobs) { CheckHashes = false }.VerifyAsync(repair: true, ct);
        if (recovery.Repaired > 0)
            await options.Console.WriteLineAsync($"Recovery: removed {recovery.Repaired} unacknowledged blob(s) left by an interrupted ingest.");
        foreach (var problem in recovery.Problems)
            await options.Console.WriteLineAsync($"Archive problem (run `mira archive verify`): {problem}");
        var accounts = await AccountStore.OpenAsync(db, options.Security, ct);
        var tokens = await TokenStore.OpenAsync(db, options.Security, ct);
        var audit = await AuditLog.OpenAsync(db, options.Security, ct);
        return new Archive(db, index, blobs, accounts, tokens, audit);
    }
}
