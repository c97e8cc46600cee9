using Mira.Storage;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Storage.Ingest;
using Mira.Storage.Network;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server;

/// <summary>The opened stores one server works on: index, blobs, ingest pipeline, accounts, tokens and audit log.</summary>
public sealed class Archive
{
    Archive(StorageDatabase database, SqlIndexStore index, FileBlobStore blobs, IngestJournal journal, AccountStore accounts, TokenStore tokens, AuditLog audit,
        ApplicationEntityStore applicationEntities, ProjectStore projects, ProjectArchives projectArchives, RuleCopyStore ruleCopies)
    {
        Database = database;
        Index = index;
        Blobs = blobs;
        Ingest = new IngestService(index, blobs) { Journal = journal };
        IngestQueue = new IngestQueue(Ingest);
        ApplicationEntities = applicationEntities;
        Accounts = accounts;
        Tokens = tokens;
        Audit = audit;
        Projects = new Projects.ProjectService(this, projects, projectArchives, ruleCopies);
    }

    public StorageDatabase Database { get; }
    public IIndexStore Index { get; }
    public IBlobStore Blobs { get; }
    public IngestService Ingest { get; }
    /// <summary>Single-instance stores arriving together (DIMSE C-STORE) share group commits through here.</summary>
    public IngestQueue IngestQueue { get; }
    /// <summary>The known DIMSE application entities (<c>mira ae</c>).</summary>
    public ApplicationEntityStore ApplicationEntities { get; }
    public AccountStore Accounts { get; }
    public TokenStore Tokens { get; }
    public AuditLog Audit { get; }
    /// <summary>Research projects: their table, vault and own archives (<c>docs/projects.md</c>).</summary>
    public Projects.ProjectService Projects { get; }

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
        // acknowledged (ingest answers only after both), so it is removed. The intent log names the batches that
        // were in flight, so this costs nothing like a walk of the blob tree. Index rows are never touched here.
        var journal = new IngestJournal(DataFolder.JournalRoot(data));
        var removed = await journal.RecoverAsync(index, blobs, ct);
        if (removed > 0)
            await options.Console.WriteLineAsync($"Recovery: removed {removed} unacknowledged blob(s) left by an interrupted ingest.");
        var accounts = await AccountStore.OpenAsync(db, options.Security, ct);
        var tokens = await TokenStore.OpenAsync(db, options.Security, ct);
        var audit = await AuditLog.OpenAsync(db, options.Security, ct);
        var aes = await ApplicationEntityStore.OpenAsync(db, ct);
        var projects = await ProjectStore.OpenAsync(db, ct);
        var ruleCopies = await RuleCopyStore.OpenAsync(db, ct);
        return new Archive(db, index, blobs, journal, accounts, tokens, audit, aes, projects, new ProjectArchives(data, db), ruleCopies);
    }
}
