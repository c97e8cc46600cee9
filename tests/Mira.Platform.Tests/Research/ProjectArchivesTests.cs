using Mira.Dicom;
using Mira.Dicom.Values;
using Mira.Storage.Blobs;
using Mira.Storage.Index;
using Mira.Platform.Intake;
using Mira.Storage.Projects;
using Mira.Storage.Query;

namespace Mira.Platform.Tests.Research;

/// <summary>
/// The research archives beside an intake index, on SQLite (a file per project) and PostgreSQL (a schema per
/// project): each sees its own rows only, whatever the others hold.
/// </summary>
public abstract class ProjectArchivesTests : IAsyncLifetime
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("mira-projects-").FullName;
    protected StorageDatabase IntakeDb { get; private set; } = null!;
    protected SqlIndexStore Intake { get; private set; } = null!;
    protected ProjectArchives Archives { get; private set; } = null!;
    IngestService intakeIngest = null!;

    protected abstract Task<StorageDatabase> CreateIntakeDatabaseAsync();

    public async Task InitializeAsync()
    {
        IntakeDb = await CreateIntakeDatabaseAsync();
        Intake = await SqlIndexStore.OpenAsync(IntakeDb);
        intakeIngest = new IngestService(Intake, new FileBlobStore(DataFolder.BlobRoot(Folder)));
        Archives = new ProjectArchives(Folder, IntakeDb);
    }

    public virtual Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    protected static async Task<string> StoreAsync(IngestService ingest, string patient)
    {
        var (study, series, sop) = (DicomUid.Generate(), DicomUid.Generate(), DicomUid.Generate());
        var r = await ingest.StoreAsync(TestInstances.Make(study, series, sop, ds => ds.Set(DicomTags.PatientID, patient)), new IngestSource("test"));
        Assert.Equal(StoreOutcome.Stored, r.Outcome);
        return sop;
    }

    protected Task<string> StoreInIntakeAsync(string patient) => StoreAsync(intakeIngest, patient);

    static async Task<List<string>> AllSopsAsync(IIndexStore index)
    {
        var sops = new List<string>();
        await foreach (var i in index.EnumerateInstancesAsync()) sops.Add(i.SopInstanceUid);
        return sops;
    }

    static async Task<List<string>> PatientIdsAsync(IIndexStore index) =>
        [.. (await index.QueryStudiesAsync(QidoQuery.Parse("includefield=PatientID"))).Select(d => d.GetString(DicomTags.PatientID)!)];

    [Fact]
    public async Task Two_projects_and_the_intake_never_see_each_others_rows()
    {
        var a = await Archives.GetAsync("study-a");
        var b = await Archives.GetAsync("study-b");
        var inIntake = await StoreInIntakeAsync("INTAKE-1");
        var inA = await StoreAsync(a.Ingest, "PSEUDO-A");
        var inB = await StoreAsync(b.Ingest, "PSEUDO-B");

        foreach (var (index, own, patient) in new[] { (Intake, inIntake, "INTAKE-1"), (a.Index, inA, "PSEUDO-A"), (b.Index, inB, "PSEUDO-B") })
        {
            Assert.Equal([own], await AllSopsAsync(index));
            Assert.Equal([patient], await PatientIdsAsync(index));
            foreach (var other in new[] { inIntake, inA, inB }.Where(s => s != own))
                Assert.Null(await index.FindInstanceAsync(other));
            Assert.Single(await index.QueryInstancesAsync(QidoQuery.Empty));
        }
        Assert.True(a.Blobs.Exists((await a.Index.FindInstanceAsync(inA))!.BlobKey));
    }

    [Fact]
    public async Task A_project_archive_is_opened_once_and_its_rows_are_there_after_a_restart()
    {
        var first = await Archives.GetAsync("kept");
        Assert.Same(first, await Archives.GetAsync("kept"));
        var sop = await StoreAsync(first.Ingest, "PSEUDO-K");
        var again = await new ProjectArchives(Folder, IntakeDb).GetAsync("kept");
        Assert.NotNull(await again.Index.FindInstanceAsync(sop));
        Assert.Null(await Intake.FindInstanceAsync(sop));
    }

    [Fact]
    public async Task A_bad_project_id_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Archives.GetAsync("Bad Id"));
        await Assert.ThrowsAsync<ArgumentException>(() => Archives.GetAsync("../intake"));
    }
}

/// <summary>On SQLite a project's index is its own file, <c>projects/&lt;id&gt;/index.db</c>, as before.</summary>
public sealed class ProjectArchivesSqliteTests : ProjectArchivesTests
{
    protected override Task<StorageDatabase> CreateIntakeDatabaseAsync() => Task.FromResult(StorageDatabase.Sqlite(DataFolder.IndexPath(Folder)));

    [Fact]
    public async Task A_project_index_is_its_own_sqlite_file_in_the_project_folder()
    {
        var p = await Archives.GetAsync("file-project");
        Assert.Equal(StorageProvider.Sqlite, p.Index.Database.Provider);
        Assert.True(File.Exists(DataFolder.IndexPath(ProjectArchives.FolderOf(Folder, "file-project"))));
    }
}
