using System.Text.Json;
using Dapper;
using Mira.Deid;
using Mira.Dicom;
using Mira.Dicom.Codecs;
using Mira.Dicom.IO;
using Mira.Platform.Datasets;
using Mira.Platform.Demo;

namespace Mira.Platform.Tests.Datasets;

/// <summary>
/// A platform over a temporary data folder with the demo studies in the intake and a project <c>rel</c> holding their
/// de-identified copies (three patients; four image series: CT, MR, and a PET with its CT), a steward, a developer who
/// is a member and one who is not. Helpers plant copies of a series (new UIDs, new patient, re-encoded) and change a
/// voxel of a stored image.
/// </summary>
public sealed class DatasetPlatform : IAsyncLifetime
{
    public const string ProjectId = "rel";
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-dataset-tests-" + Guid.NewGuid().ToString("N"));

    public MiraPlatform Platform { get; private set; } = null!;
    public DatasetService Service => Platform.Datasets;
    public string DataFolder => folder;

    public static DatasetActor Steward { get; } = new("steward", [Roles.Steward]);
    public static DatasetActor Developer { get; } = new("dev", [Roles.Developer]);
    public static DatasetActor Outsider { get; } = new("outsider", [Roles.Developer]);

    /// <summary>The project's image series: (study, series, modality, patient pseudonym).</summary>
    public async Task<IReadOnlyList<(string Study, string Series, string Modality, string Patient)>> SeriesAsync()
    {
        var archive = await Platform.Projects.Archives.GetAsync(ProjectId);
        await using var c = await archive.Index.Database.OpenAsync();
        var rows = await c.QueryAsync<(string, string, string, string)>("""
            SELECT st.study_uid, se.series_uid, se.modality, p.patient_id FROM series se JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id
            ORDER BY se.modality, se.series_uid
            """);
        return [.. rows];
    }

    public async Task InitializeAsync()
    {
        Platform = await MiraPlatform.OpenAsync(new PlatformOptions
        {
            DataFolder = folder, Console = TextWriter.Null, Security = new SecurityOptions { Pbkdf2Iterations = 1000 },
        });
        await DemoStudies.EnsureLoadedAsync(Platform.Ingest);
        var recipe = DeidRecipe.Load("research");
        Assert.True(await Platform.Projects.Store.CreateAsync(ProjectId, "Release tests", recipe.Name, recipe.ToJson(), recipe.Hash, new byte[32]));
        await Platform.Projects.Store.SetMemberAsync(ProjectId, "dev", "member");
        var project = (await Platform.Projects.Store.GetAsync(ProjectId))!;
        var copy = await Platform.Projects.CopyStudiesAsync(project, [.. new[] { "mr", "ct", "pt" }.Select(DemoStudies.StudyUid)], "steward");
        Assert.Equal(DemoStudies.InstanceCount, copy.Copied);
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }

    /// <summary>
    /// Stores a copy of a series in the project under new study, series and SOP Instance UIDs and another patient
    /// pseudonym, its pixel data re-encoded as RLE Lossless: the same image, sent again. Returns the new series UID.
    /// </summary>
    public async Task<string> PlantCopyAsync(string study, string series, string patient, string uidRoot = "2.25.4242")
    {
        var archive = await Platform.Projects.Archives.GetAsync(ProjectId);
        var rle = TransferSyntax.Lookup("1.2.840.10008.1.2.5");
        var n = 0;
        foreach (var si in await archive.Index.FindInstancesAsync(study, series))
        {
            var file = await StoredObjects.ReadAsync(archive.Blobs, si, default);
            var ds = PixelDataTranscoder.Transcode(PixelData.Open(file), rle);
            ds.Set(DicomTags.StudyInstanceUID, uidRoot + ".1");
            ds.Set(DicomTags.SeriesInstanceUID, uidRoot + ".2");
            ds.Set(DicomTags.SOPInstanceUID, uidRoot + ".3." + ++n);
            ds.Set(DicomTags.PatientID, patient);
            var bytes = DicomFileWriter.ToBytes(ds, rle);
            var stored = await archive.Ingest.StoreAsync(bytes, new IngestSource("test"));
            Assert.Equal(StoreOutcome.Stored, stored.Outcome);
        }
        return uidRoot + ".2";
    }

    /// <summary>Replaces one stored image of a series by the same image with one voxel changed (same UIDs).</summary>
    public async Task ChangeOneVoxelAsync(string study, string series)
    {
        var archive = await Platform.Projects.Archives.GetAsync(ProjectId);
        var si = (await archive.Index.FindInstancesAsync(study, series))[0];
        var file = await StoredObjects.ReadAsync(archive.Blobs, si, default);
        var pixels = PixelData.Open(file).DecodeAll();
        pixels[0] ^= 1;
        var ds = file.Dataset;
        ds.Set(new DicomElement(DicomTags.PixelData, ds.Find(DicomTags.PixelData)!.VR, pixels));
        Assert.True(await archive.Index.RemoveInstanceAsync(si.SopInstanceUid));
        var stored = await archive.Ingest.StoreAsync(DicomFileWriter.ToBytes(ds, TransferSyntax.ExplicitVRLittleEndian), new IngestSource("test"));
        Assert.Equal(StoreOutcome.Stored, stored.Outcome);
    }

    /// <summary>A request body as the API takes it.</summary>
    public static ReleaseRequest Request(string name, string kind = ReleaseKinds.Training, object? series = null, object? assign = null, object? splits = null,
        string annotations = "none", string? changelog = null) =>
        ReleaseRequest.Parse(JsonSerializer.SerializeToElement(new
        {
            name, kind, series, annotations, assign, splits,
            datasheet = new
            {
                intendedUse = "Research on lesion detection", inclusion = "Adults imaged 2020-2024", exclusion = "Motion artefacts",
                referenceStandard = "Consensus of two radiologists", licence = "CC BY-NC 4.0", changelog,
            },
        }));
}
