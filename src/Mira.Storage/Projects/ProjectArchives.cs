using System.Collections.Concurrent;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Storage.Ingest;

namespace Mira.Storage.Projects;

/// <summary>One research project's own archive: its index, blobs and ingest pipeline, apart from the intake zone's.</summary>
public sealed record ProjectArchive(string ProjectId, IIndexStore Index, IBlobStore Blobs, IngestService Ingest);

/// <summary>
/// The research archives, one per project under <c>&lt;data&gt;/projects/&lt;id&gt;/</c> (<c>index.db</c>, a SQLite
/// index, and <c>blobs/</c>), opened on first use and kept open. They are SQLite files even when the intake index
/// is on PostgreSQL.
/// </summary>
public sealed class ProjectArchives(string dataFolder)
{
    readonly ConcurrentDictionary<string, Lazy<Task<ProjectArchive>>> open = new(StringComparer.Ordinal);

    public static string FolderOf(string dataFolder, string projectId) => Path.Combine(dataFolder, "projects", projectId);

    public Task<ProjectArchive> GetAsync(string projectId)
    {
        if (!ProjectStore.IsValidId(projectId)) throw new ArgumentException($"'{projectId}' is not a project id", nameof(projectId));
        return open.GetOrAdd(projectId, id => new Lazy<Task<ProjectArchive>>(() => OpenAsync(id))).Value;
    }

    async Task<ProjectArchive> OpenAsync(string id)
    {
        var folder = FolderOf(dataFolder, id);
        Directory.CreateDirectory(folder);
        var index = await SqlIndexStore.OpenAsync(StorageDatabase.Sqlite(DataFolder.IndexPath(folder)));
        var blobs = new FileBlobStore(DataFolder.BlobRoot(folder));
        blobs.RemoveIncompleteWrites();
        return new ProjectArchive(id, index, blobs, new IngestService(index, blobs));
    }
}
