using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Mira.Storage.Security;

namespace Mira.Server.Tests.Annotations;

/// <summary>
/// A server with the demo studies in its intake and a project <c>brain</c> into which the steward copied the MR demo
/// study over the API, with the glioma and fundus protocols attached, and four annotators (alice, bob, carol, dave)
/// who are members of it; erin is an annotator who is not.
/// </summary>
public sealed class AnnotationServer : TestArchive
{
    public const string Project = "brain";
    public static readonly string[] People = ["alice", "bob", "carol", "dave"];

    /// <summary>The de-identified MR study in the project.</summary>
    public string Study { get; private set; } = "";

    public HttpClient Steward => Basic("steward", UserPassword);
    public HttpClient As(string user) => Basic(user, UserPassword);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.Equal(DemoStudies.InstanceCount, (await DemoStudies.EnsureLoadedAsync(Archive.Ingest)).Stored);
        foreach (var p in People.Append("erin")) await Archive.Accounts.CreateUserAsync(p, UserPassword, [Roles.Annotator]);
        Ok(await Steward.PostAsJsonAsync("/api/projects", new { id = Project, name = "Brain tumours", recipe = "research", domain = "glioma-brats" }), HttpStatusCode.Created);
        foreach (var p in People) Ok(await Steward.PostAsJsonAsync($"/api/projects/{Project}/members", new { user = p, role = "member" }));
        var copy = await JsonOf(await Steward.PostAsJsonAsync($"/api/projects/{Project}/copy", new { studies = new[] { DemoStudies.StudyUid("mr") } }));
        Assert.Equal(DemoStudies.MrSlices, (int)copy["copied"]!);
        var archive = await Archive.Projects.Archives.GetAsync(Project);
        await using (var c = await archive.Index.Database.OpenAsync())
            Study = Assert.Single(await c.QueryAsync<string>("SELECT study_uid FROM studies"));
        foreach (var protocol in new[] { "glioma-brats", "fundus-dr-multidisease" })
            Ok(await Steward.PostAsJsonAsync($"/api/projects/{Project}/protocols", new { protocol }));
    }

    public static HttpResponseMessage Ok(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        if (r.StatusCode != expected)
            Assert.Fail($"{r.RequestMessage?.Method} {r.RequestMessage?.RequestUri}: {(int)r.StatusCode} {r.Content.ReadAsStringAsync().Result}, expected {(int)expected}");
        return r;
    }

    public static async Task<JsonObject> JsonOf(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK) =>
        (JsonObject)JsonNode.Parse(await Ok(r, expected).Content.ReadAsStringAsync())!;

    /// <summary>The problem's detail of a refused request with the expected status.</summary>
    public static async Task<string> Refused(HttpResponseMessage r, HttpStatusCode expected) =>
        (string)(await JsonOf(r, expected))["detail"]!;

    public async Task<long> CreateTaskAsync(string protocol, string[] annotators, string reviewer, string arbitrator)
    {
        var created = await JsonOf(await Steward.PostAsJsonAsync($"/api/projects/{Project}/tasks",
            new { studyInstanceUid = Study, protocol, annotators, reviewer, arbitrator }), HttpStatusCode.Created);
        return (long)created["id"]!;
    }

    public Task<HttpResponseMessage> PostReadAsync(string user, long task, string mediaType, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        return As(user).PostAsync($"/api/tasks/{task}/reads", content);
    }

    public static byte[] Form(int grade) =>
        System.Text.Encoding.UTF8.GetBytes($$"""{"laterality": "L", "gradability": "gradable", "icdrDr": {{grade}}}""");
}
