using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Mira.Server.Tests.Workitems;

/// <summary>
/// A server on a real loopback socket (the external performer is another process; the event channel a real WebSocket)
/// with a performer account <c>ai-service</c> (role performer) and its bearer token, and one stored input study.
/// </summary>
public sealed class WorkitemServer : TestArchive
{
    protected override bool OnSocket => true;

    public string PerformerToken { get; private set; } = "";
    public string OtherPerformerToken { get; private set; } = "";
    public string Study { get; } = Dicomweb.Uid();
    public string Series { get; } = Dicomweb.Uid();
    public string Instance { get; } = Dicomweb.Uid();
    /// <summary>A study no work item names.</summary>
    public string OtherStudy { get; } = Dicomweb.Uid();

    public string DicomwebRoot => new Uri(BaseUrl, "/dicomweb").ToString();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Archive.Accounts.CreateUserAsync("ai-service", UserPassword, [Roles.Performer]);
        await Archive.Accounts.CreateUserAsync("other-ai", UserPassword, [Roles.Performer]);
        PerformerToken = (await Archive.Tokens.IssueAsync("ai-service", TimeSpan.FromHours(1))).Token;
        OtherPerformerToken = (await Archive.Tokens.IssueAsync("other-ai", TimeSpan.FromHours(1))).Token;
        using var steward = Bearer(StewardToken);
        var stored = await Dicomweb.Stow(steward, "/dicomweb/studies",
            Dicomweb.Make(Study, Series, Instance), Dicomweb.Make(OtherStudy, Dicomweb.Uid(), Dicomweb.Uid()));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }

    public HttpClient Steward => Bearer(StewardToken);
    public HttpClient Performer => Bearer(PerformerToken);
    public HttpClient OtherPerformer => Bearer(OtherPerformerToken);

    /// <summary>Stores a new study of one instance (as the steward); its study and series UIDs.</summary>
    public async Task<(string Study, string Series)> StoreStudyAsync()
    {
        var (study, series) = (Dicomweb.Uid(), Dicomweb.Uid());
        using var steward = Steward;
        Assert.Equal(HttpStatusCode.OK, (await Dicomweb.Stow(steward, "/dicomweb/studies", Dicomweb.Make(study, series, Dicomweb.Uid()))).StatusCode);
        return (study, series);
    }

    public static StringContent DicomJson(string json)
    {
        var c = new StringContent(json, Encoding.UTF8);
        c.Headers.ContentType = new MediaTypeHeaderValue("application/dicom+json");
        return c;
    }

    /// <summary>A new SCHEDULED work item on the input study, created by the steward through the C# API (as deployment jobs do).</summary>
    public async Task<string> ScheduleAsync(string worklist, string? study = null, string? series = null)
    {
        var ds = await Archive.Workitems.CreateAsync(new Mira.Platform.Workitems.WorkitemRequest(study ?? Study, [series ?? Series], DicomwebRoot,
            new("AI-INFERENCE", "99MIRA", "AI inference"), worklist, "lesion-seg@1.2.0"), new("steward", [Roles.Steward]));
        return ds.GetString(Mira.Dicom.DicomTags.SOPInstanceUID)!;
    }

    public static string StateBody(string state, string txn) =>
        $$$"""{"00741000":{"vr":"CS","Value":["{{{state}}}"]},"00081195":{"vr":"UI","Value":["{{{txn}}}"]}}""";

    public static async Task<JsonNode> OneAsync(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return Assert.Single((await Dicomweb.Json(r)).AsArray())!;
    }
}
