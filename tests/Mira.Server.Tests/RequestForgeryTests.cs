using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Platform.Audit;
using Mira.Storage.Security;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 2: with a steward's cached Basic credentials, three forged cross-site requests (Content-Type
/// text/plain, Origin of another site) created a project whose recipe kept names and IDs under the name "basic", added
/// an outsider as lead and added an AE rule. Against a real <c>mira serve</c>.
/// </summary>
public sealed class RequestForgeryTests
{
    const string Evil = "https://evil.example";

    /// <summary>What a page on another site can make a browser send without a preflight: a "simple" text/plain POST with its Origin.</summary>
    static HttpRequestMessage Forged(HttpMethod method, string path, string body, string? origin = Evil, string contentType = "text/plain")
    {
        var m = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (origin is not null) m.Headers.Add("Origin", origin);
        return m;
    }

    const string KeepsNames = """{"id":"forged","name":"forged","recipe":{"name":"basic","version":"1","overrides":[{"tag":"(0010,0010)","action":"K"},{"tag":"(0010,0020)","action":"K"}]}}""";

    static async Task WithServerAsync(Func<ServeProcess, string, Task> test, params string[] extra)
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-csrf-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, ["--dimse-port", "0", .. extra]);
            await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = data, Console = TextWriter.Null }))
            {
                await platform.Accounts.CreateUserAsync("outsider", "outsider-password", [Roles.Annotator]);
                await platform.Projects.Store.CreateAsync("existing", "existing", "basic", Mira.Deid.DeidRecipe.Basic.ToJson(), Mira.Deid.DeidRecipe.Basic.Hash, new byte[32]);
            }
            await test(server, data);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public Task The_three_forged_cross_site_requests_are_refused_and_change_nothing() => WithServerAsync(async (server, data) =>
    {
        var http = server.Http; // the admin's credentials, as a browser that cached them would attach them
        var answers = new List<HttpResponseMessage>
        {
            await http.SendAsync(Forged(HttpMethod.Post, "/api/projects", KeepsNames)),
            await http.SendAsync(Forged(HttpMethod.Post, "/api/projects/existing/members", """{"user":"outsider","role":"lead"}""")),
            await http.SendAsync(Forged(HttpMethod.Post, "/api/projects/existing/rules", """{"aeTitle":"EVIL"}""")),
            // The same with the other two media types a form can send, and without an Origin but with Fetch Metadata.
            await http.SendAsync(Forged(HttpMethod.Post, "/api/projects/existing/rules", "aeTitle=EVIL", origin: null, contentType: "application/x-www-form-urlencoded")),
            await http.SendAsync(Forged(HttpMethod.Post, "/api/projects/existing/members", """{"user":"outsider","role":"lead"}""", origin: "null", contentType: "application/json")),
        };
        using var fetchMetadata = new HttpRequestMessage(HttpMethod.Post, "/api/projects/existing/rules") { Content = JsonContent.Create(new { aeTitle = "EVIL" }) };
        fetchMetadata.Headers.Add("Sec-Fetch-Site", "cross-site");
        answers.Add(await http.SendAsync(fetchMetadata));
        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/projects/existing/members/admin");
        delete.Headers.Add("Origin", Evil);
        answers.Add(await http.SendAsync(delete));

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.UnsupportedMediaType,
            HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], answers.Select(a => a.StatusCode));
        foreach (var a in answers)
        {
            Assert.Equal("application/problem+json", a.Content.Headers.ContentType?.MediaType);
            Assert.True((await a.Content.ReadAsByteArrayAsync()).Length < 1024);
        }
        Assert.Contains("evil.example", await answers[0].Content.ReadAsStringAsync());

        // Nothing changed, and each refusal is in the audit log under the account whose credentials were used.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/projects/forged/members")).StatusCode);
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/projects/existing/members"))!.AsArray());
        Assert.Empty(JsonNode.Parse(await http.GetStringAsync("/api/projects/existing/rules"))!.AsArray());
        await using var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = data, Console = TextWriter.Null });
        var refused = (await platform.Audit.ReadAsync(1, 100_000)).Where(a => a.Action == AuditActions.RequestForgeryRefused).ToList();
        Assert.Equal(7, refused.Count);
        Assert.All(refused, a => Assert.Equal(("admin", "127.0.0.1", AuditLog.OutcomeText(AuditOutcome.Denied)), (a.Actor, a.ClientAddress, a.Outcome)));
    });

    [Fact]
    public Task Honest_clients_still_change_things_with_json_from_the_same_origin_or_an_allowed_one() => WithServerAsync(async (server, _) =>
    {
        var http = server.Http;
        var own = server.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        using (var create = new HttpRequestMessage(HttpMethod.Post, "/api/projects") { Content = JsonContent.Create(new { id = "honest", name = "Honest", recipe = "research" }) })
        {
            create.Headers.Add("Origin", own);
            create.Headers.Add("Sec-Fetch-Site", "same-origin");
            Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(create)).StatusCode);
        }
        using (var viewer = new HttpRequestMessage(HttpMethod.Post, "/api/projects/honest/members") { Content = JsonContent.Create(new { user = "outsider" }) })
        {
            viewer.Headers.Add("Origin", "https://viewer.example.org");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(viewer)).StatusCode);
        }
        // Scripts and command-line clients send no Origin at all.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/honest/rules", new { aeTitle = "CT1" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync("/api/projects/honest/rules/CT1")).StatusCode);
        // STOW-RS with its PS3.18 §10.5 media type; the same bytes as text/plain are refused before anything is read.
        var (study, series, sop) = (Uid(), Uid(), Uid());
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/dicomweb/studies", Multipart(Make(study, series, sop)))).StatusCode);
        var plain = await http.PostAsync("/dicomweb/studies", new ByteArrayContent(Make(Uid(), Uid(), Uid())) { Headers = { ContentType = new("text/plain") } });
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Contains("PS3.18", await plain.Content.ReadAsStringAsync());
    }, "--allowed-origin", "https://viewer.example.org");

    [Fact]
    public Task A_recipe_may_not_take_a_built_in_name_nor_keep_direct_identifiers_without_an_audited_override() => WithServerAsync(async (server, data) =>
    {
        var http = server.Http;
        var lookAlike = await http.PostAsync("/api/projects", new StringContent(KeepsNames, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, lookAlike.StatusCode);
        Assert.Contains("built-in recipe", await lookAlike.Content.ReadAsStringAsync());

        var keeps = JsonNode.Parse(KeepsNames)!.AsObject();
        keeps["recipe"]!["name"] = "identified";
        var refused = await http.PostAsJsonAsync("/api/projects", keeps);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var detail = await refused.Content.ReadAsStringAsync();
        Assert.Contains("PatientName", detail);
        Assert.Contains("PatientID", detail);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/projects/forged/members")).StatusCode);

        keeps["keepDirectIdentifiers"] = new JsonObject { ["reason"] = "ok" };
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync("/api/projects", keeps)).StatusCode);
        keeps["keepDirectIdentifiers"] = new JsonObject { ["reason"] = "Ethics approval 2026-17: linkage to the registry needs names" };
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/projects", keeps)).StatusCode);

        await using var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = data, Console = TextWriter.Null });
        var audit = await platform.Audit.ReadAsync(1, 100_000);
        var overrideRecord = Assert.Single(audit, a => a.Action == AuditActions.ProjectRecipeOverride);
        Assert.Equal(("admin", "forged"), (overrideRecord.Actor, overrideRecord.Resource));
        Assert.Contains("Ethics approval 2026-17", overrideRecord.DetailsJson);
        Assert.Contains("PatientName", overrideRecord.DetailsJson);
        Assert.True(audit.Count(a => a.Action == AuditActions.ProjectCreate && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied)) >= 2);
    });
}
