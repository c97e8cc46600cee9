using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Platform.Workitems;

namespace Mira.Platform.Tests.Workitems;

/// <summary>A real platform (SQLite, temporary data folder) with one stored input study, and the actors of the worklist tests.</summary>
public abstract class WorkitemPlatform : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-ups-" + Guid.NewGuid().ToString("N")[..10]);
    protected MiraPlatform Platform { get; private set; } = null!;
    protected WorkitemService Worklist => Platform.Workitems;

    protected static readonly WorkitemActor Steward = new("steward", [Roles.Steward]);
    protected static readonly WorkitemActor Performer = new("ai-service", [Roles.Performer]);
    protected static readonly WorkitemActor OtherPerformer = new("other-ai", [Roles.Performer]);
    protected static readonly WorkitemActor Developer = new("dev", [Roles.Developer]);
    protected static readonly WorkitemCode Inference = new("AI-INFERENCE", "99MIRA", "AI inference");

    protected string Study { get; } = DicomUid.Generate();
    protected string Series { get; } = DicomUid.Generate();
    protected string Instance { get; } = DicomUid.Generate();

    public async Task InitializeAsync()
    {
        Platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = folder, Console = TextWriter.Null });
        var ds = new DicomDataset()
            .Set(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage).Set(DicomTags.SOPInstanceUID, Instance)
            .Set(DicomTags.StudyInstanceUID, Study).Set(DicomTags.SeriesInstanceUID, Series)
            .Set(DicomTags.PatientID, "UPS-1").Set(DicomTags.PatientName, "Test^Worklist").Set(DicomTags.Modality, "OT");
        var stored = await Platform.Ingest.StoreAsync(DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), new IngestSource("test"));
        Assert.Equal(StoreOutcome.Stored, stored.Outcome);
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    protected WorkitemRequest Request(string priority = "MEDIUM", string label = "ai-worklist") =>
        new(Study, [Series], "http://mira.test/dicomweb", Inference, label, "lesion-seg@1.2.0", priority);

    protected async Task<string> ScheduleAsync(string priority = "MEDIUM", string label = "ai-worklist") =>
        (await Worklist.CreateAsync(Request(priority, label), Steward)).GetString(DicomTags.SOPInstanceUID)!;

    protected async Task<(string Uid, string Txn)> ClaimedAsync(WorkitemActor? by = null)
    {
        var uid = await ScheduleAsync();
        var txn = DicomUid.Generate();
        await Worklist.ClaimAsync(uid, txn, by ?? Performer);
        return (uid, txn);
    }

    protected async Task<IReadOnlyList<AuditRecord>> AuditAsync(string uid) =>
        [.. (await Platform.Audit.ReadAsync(1, 10000)).Where(r => r.Resource == uid)];
}
