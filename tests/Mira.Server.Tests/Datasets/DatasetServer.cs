using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;

namespace Mira.Server.Tests.Datasets;

/// <summary>
/// A server with the demo studies in its intake and a project <c>rel</c> into which the steward copied all three over
/// the API (three patients; CT, MR, PET and its CT). Members: <c>dev</c> (a model developer, the submitter) and
/// <c>reader</c> (an annotator); <c>dev2</c> is a developer who is not a member.
/// </summary>
public sealed class DatasetServer : TestArchive
{
    public const string Project = "rel";

    public HttpClient Steward => Basic("steward", UserPassword);
    public HttpClient As(string user) => Basic(user, UserPassword);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.Equal(DemoStudies.InstanceCount, (await DemoStudies.EnsureLoadedAsync(Archive.Ingest)).Stored);
        await Archive.Accounts.CreateUserAsync("dev", UserPassword, [Roles.Developer]);
        await Archive.Accounts.CreateUserAsync("dev2", UserPassword, [Roles.Developer]);
        await Archive.Accounts.CreateUserAsync("reader", UserPassword, [Roles.Annotator]);
        Ok(await Steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "Releases", recipe = "research" }), HttpStatusCode.Created);
        foreach (var p in new[] { "dev", "reader" }) Ok(await Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = p, role = "member" }));
        var copy = await JsonOf(await Steward.PostAsJsonAsync($"/api/projects/{Project}/copy", new { studies = new[] { "mr", "ct", "pt" }.Select(DemoStudies.StudyUid) }));
        Assert.Equal(DemoStudies.InstanceCount, (int)copy["copied"]!);
    }

    /// <summary>The project's image series: (study, series, first SOP Instance UID, modality, patient pseudonym).</summary>
    public async Task<IReadOnlyList<(string Study, string Series, string Sop, string Modality, string Patient)>> SeriesAsync()
    {
        var archive = await Archive.Projects.Archives.GetAsync(Project);
        await using var c = await archive.Index.Database.OpenAsync();
        return [.. await c.QueryAsync<(string, string, string, string, string)>("""
            SELECT st.study_uid, se.series_uid, MIN(i.sop_instance_uid), se.modality, p.patient_id FROM series se JOIN studies st ON se.study_fk = st.id
            JOIN patients p ON st.patient_fk = p.id JOIN instances i ON i.series_fk = se.id
            GROUP BY st.study_uid, se.series_uid, se.modality, p.patient_id ORDER BY se.modality, se.series_uid
            """)];
    }

    public static object Body(string name, string kind = "training", object? series = null, object? splits = null) => new
    {
        name, kind, series, annotations = "none", splits,
        datasheet = new { intendedUse = "Detection research", inclusion = "All demo studies", exclusion = "None", referenceStandard = "Synthetic phantoms", licence = "CC0" },
    };

    public static HttpResponseMessage Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (r.StatusCode != expected)
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {r.Content.ReadAsStringAsync().Result}, expected {(int)expected}");
        return r;
    }

    public static async Task<JsonObject> JsonOf(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK) =>
        (JsonObject)JsonNode.Parse(await Ok(r, expected).Content.ReadAsStringAsync())!;
}
