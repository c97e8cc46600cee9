using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Platform.Demo;
using Mira.Platform.Intake;
using Mira.Testing;

namespace Mira.Server.Tests.Models;

/// <summary>
/// A server holding a synthetic PET cohort (<see cref="DemoCohort"/>, 10 fictitious patients over two sites) and a project
/// <c>pet</c> with their de-identified copies, the petct-tumour-metabolism protocol, and one done annotation task per
/// series whose two agreeing reads (the exact lesion masks) made its consensus version, accepted by the reviewer. Members: <c>dev</c> (a model
/// developer, the submitter), the annotators <c>a1</c>, <c>a2</c>, the reviewer <c>rv</c> and the arbitrator <c>ar</c>;
/// <c>dev2</c> is a developer who is not a member.
/// </summary>
public sealed class EvaluationServer : TestArchive
{
    public const string Project = "pet";
    public const string Protocol = "petct-tumour-metabolism";

    public IReadOnlyList<DemoCohortCase> Cohort { get; } = DemoCohort.PetLesions(10, seed: 5);

    /// <summary>The project's series, in cohort order: (study, series, patient pseudonym).</summary>
    public List<(string Study, string Series, string Patient)> Cases { get; } = [];

    public HttpClient Steward => Basic("steward", UserPassword);
    public HttpClient As(string user) => Basic(user, UserPassword);

    public string Work => Path.Combine(DataFolder, "test-work");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(Work);
        await StoreAsync(Cohort.SelectMany(c => c.Instances).Select(i => i.Bytes));
        await Archive.Accounts.CreateUserAsync("dev", UserPassword, [Roles.Developer]);
        await Archive.Accounts.CreateUserAsync("dev2", UserPassword, [Roles.Developer]);
        foreach (var u in new[] { "a1", "a2", "rv", "ar" }) await Archive.Accounts.CreateUserAsync(u, UserPassword, [Roles.Annotator]);
        Ok(await Steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "PET lesions", recipe = "research" }), HttpStatusCode.Created);
        foreach (var u in new[] { "dev", "a1", "a2", "rv", "ar" }) Ok(await Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = u, role = "member" }));
        Ok(await Steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol = Protocol }));
        await CopyAsync(Cohort.Select(c => c.StudyInstanceUid));
        var series = await ProjectSeriesAsync();
        // The de-identified copies have new UIDs and pseudonyms but the same pixels: match them to the cohort by voxels.
        var byVoxels = new Dictionary<string, (string Study, string Series, string Patient, Volume Volume)>();
        foreach (var (study, s, patient) in series)
        {
            var volume = await VolumeAsync(study, s);
            byVoxels[Convert.ToHexString(SHA256.HashData(volume.Data))] = (study, s, patient, volume);
        }
        foreach (var c in Cohort)
        {
            var originalFolder = Directory.CreateDirectory(Path.Combine(Work, "original-" + c.Key)).FullName;
            foreach (var i in c.Instances) await File.WriteAllBytesAsync(Path.Combine(originalFolder, i.SopInstanceUid + ".dcm"), i.Bytes);
            var original = DicomVolumeBuilder.FromPath(originalFolder).Single().Volume;
            var copy = byVoxels[Convert.ToHexString(SHA256.HashData(original.Data))];
            Cases.Add((copy.Study, copy.Series, copy.Patient));
            var mask = Path.Combine(Work, $"reference-{Cases.Count}.nii.gz");
            NiftiVolumes.WriteVolume(mask, DemoCohortFolder.ReferenceMask(c, copy.Volume));
            var task = await JsonOf(await Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks",
                new { studyInstanceUid = copy.Study, seriesInstanceUid = copy.Series, protocol = Protocol, annotators = new[] { "a1", "a2" }, reviewer = "rv", arbitrator = "ar" }),
                HttpStatusCode.Created);
            var id = (long)task["id"]!;
            await JsonOf(await PostBytesAsync(As("a1"), $"/api/tasks/{id}/reads", await File.ReadAllBytesAsync(mask), "application/gzip"), HttpStatusCode.Created);
            var second = await JsonOf(await PostBytesAsync(As("a2"), $"/api/tasks/{id}/reads", await File.ReadAllBytesAsync(mask), "application/gzip"), HttpStatusCode.Created);
            Assert.Equal("review", (string)second["state"]!);
            var reviewed = await JsonOf(await As("rv").PostAsJsonAsync($"/api/tasks/{id}/review", new { accept = true }));
            Assert.Equal("done", (string)reviewed["state"]!);
        }
    }

    public async Task StoreAsync(IEnumerable<byte[]> instances)
    {
        await foreach (var r in Archive.Ingest.StoreManyAsync(instances.Select(b => (ReadOnlyMemory<byte>)b), new IngestSource("test")))
            Assert.Equal(StoreOutcome.Stored, r.Outcome);
    }

    public async Task CopyAsync(IEnumerable<string> studies) =>
        await JsonOf(await Steward.PostAsJsonAsync($"/api/projects/{Project}/copy", new { studies }));

    /// <summary>The project's image series: (study, series, patient pseudonym).</summary>
    public async Task<List<(string Study, string Series, string Patient)>> ProjectSeriesAsync()
    {
        var archive = await Archive.Projects.Archives.GetAsync(Project);
        await using var c = await archive.Index.Database.OpenAsync();
        return [.. await c.QueryAsync<(string, string, string)>("""
            SELECT st.study_uid, se.series_uid, p.patient_id FROM series se JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id
            WHERE se.modality = 'PT' ORDER BY se.series_uid
            """)];
    }

    /// <summary>A project series as a volume (its files written to a folder first).</summary>
    public async Task<Volume> VolumeAsync(string study, string series)
    {
        var archive = await Archive.Projects.Archives.GetAsync(Project);
        var dir = Directory.CreateDirectory(Path.Combine(Work, "series-" + series)).FullName;
        foreach (var si in await archive.Index.FindInstancesAsync(study, series))
        {
            await using var s = archive.Blobs.OpenRead(si.BlobKey);
            await using var f = File.Create(Path.Combine(dir, si.SopInstanceUid + ".dcm"));
            await s.CopyToAsync(f);
        }
        return DicomVolumeBuilder.FromPath(dir).Single().Volume;
    }

    public static async Task<HttpResponseMessage> PostBytesAsync(HttpClient client, string url, byte[] body, string mediaType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return await client.PostAsync(url, content);
    }

    /// <summary>A zip of a package folder's files, optionally with its manifest edited.</summary>
    public static byte[] PackageZip(string folder, Func<string, string>? manifest = null)
    {
        using var m = new MemoryStream();
        using (var zip = new ZipArchive(m, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var f in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                var e = zip.CreateEntry(Path.GetFileName(f));
                using var s = e.Open();
                var bytes = File.ReadAllBytes(f);
                if (manifest is not null && Path.GetFileName(f) == "mira-model.json") bytes = System.Text.Encoding.UTF8.GetBytes(manifest(File.ReadAllText(f)));
                s.Write(bytes);
            }
        return m.ToArray();
    }

    public static string ReferencePackage(string name) => Path.Combine(Corpus.RepositoryRoot, "models", name);

    public static HttpResponseMessage Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (r.StatusCode != expected)
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {r.Content.ReadAsStringAsync().Result}, expected {(int)expected}");
        return r;
    }

    public static async Task<JsonObject> JsonOf(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK) =>
        (JsonObject)JsonNode.Parse(await Ok(r, expected).Content.ReadAsStringAsync())!;
}
