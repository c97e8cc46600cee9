using System.Collections.Concurrent;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Platform.Intake;
using Mira.Storage;
using Mira.Storage.Migrations;
using Mira.Storage.Projects;

namespace Mira.Platform.Research;

/// <summary>One research project's own archive: its index, blobs and ingest pipeline, apart from the intake zone's.</summary>
public sealed record ProjectArchive(string ProjectId, IIndexStore Index, IBlobStore Blobs, IngestService Ingest);

/// <summary>
/// The research archives, one per project, opened on first use and kept open. Blobs are under
/// <c>&lt;data&gt;/projects/&lt;id&gt;/blobs/</c>, or with S3 blob storage at <c>PREFIX/projects/&lt;id&gt;/</c> in the bucket
/// (<see cref="BlobStoreFactory.OpenProject"/>). The index follows the intake's: with a SQLite intake index it is
/// <c>&lt;data&gt;/projects/&lt;id&gt;/index.db</c>; with a PostgreSQL one it is the project's own schema in the
/// intake's database (<see cref="ProjectSchema"/>), so every node of a deployment sees the same project index.
/// </summary>
/// <param name="blobStores">where project blobs go; null for the data folder.</param>
public sealed class ProjectArchives(string dataFolder, StorageDatabase intake, BlobStoreFactory? blobStores = null)
{
    readonly BlobStoreFactory blobStores = blobStores ?? new BlobStoreFactory(BlobStorageOptions.Disk, dataFolder);

    readonly ConcurrentDictionary<string, Lazy<Task<ProjectArchive>>> open = new(StringComparer.Ordinal);

    public static string FolderOf(string dataFolder, string projectId) => Path.Combine(dataFolder, "projects", projectId);

    public Task<ProjectArchive> GetAsync(string projectId)
    {
        if (!ProjectStore.IsValidId(projectId)) throw new ArgumentException($"'{projectId}' is not a project id", nameof(projectId));
        return open.GetOrAdd(projectId, id => new Lazy<Task<ProjectArchive>>(() => OpenAsync(id))).Value;
    }

    /// <summary>The database holding a project's index: its SQLite file, or its PostgreSQL schema (created when missing).</summary>
    public async Task<StorageDatabase> DatabaseOfAsync(string projectId, CancellationToken ct = default) =>
        intake.Provider == StorageProvider.PostgreSql
            ? await ProjectSchema.OpenAsync(intake, projectId, ct)
            : StorageDatabase.Sqlite(DataFolder.IndexPath(FolderOf(dataFolder, projectId)));

    async Task<ProjectArchive> OpenAsync(string id)
    {
        var folder = FolderOf(dataFolder, id);
        Directory.CreateDirectory(folder);
        var index = await SqlIndexStore.OpenAsync(await DatabaseOfAsync(id), MigrationCatalog.ProjectIndex);
        var blobs = blobStores.OpenProject(id, folder);
        blobs.RemoveIncompleteWrites();
        return new ProjectArchive(id, index, blobs, new IngestService(index, blobs));
    }
}
