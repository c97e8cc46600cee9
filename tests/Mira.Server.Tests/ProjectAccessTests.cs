using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// Reviewing and revoking access: a project's members and rules are listed and removed by stewards and admins, every
/// change is audited, and a removed member is refused on the very next request; on either index provider
/// (<see cref="ProjectAccessTests"/>, <see cref="PostgreSqlProjectAccessTests"/>).
/// </summary>
public abstract class ProjectAccessSuite(ProjectZoneArchive server)
{
    static readonly string Study = Mira.Platform.Demo.DemoStudies.StudyUid("mr");

    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    HttpClient Annotator => server.Basic("annotator", TestArchive.UserPassword);

    async Task CreateAsync(string id, params string[] members)
    {
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id, name = id, recipe = "basic" })).StatusCode);
        foreach (var m in members)
            Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = m })).StatusCode);
    }

    static async Task<JsonNode> JsonAsync(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(expected == r.StatusCode, $"{r.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    async Task<List<AuditRecord>> AuditSinceAsync(int before) => [.. (await server.Archive.Audit.ReadAsync(1, 100_000)).Skip(before)];

    async Task<int> AuditCountAsync() => (await server.Archive.Audit.ReadAsync(1, 100_000)).Count;

    [Fact]
    public async Task A_removed_member_gets_404_on_the_very_next_QIDO_and_WADO_request_and_the_removal_is_audited()
    {
        await CreateAsync("acc-a", "annotator");
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/acc-a/copy", new { studies = new[] { Study } })).StatusCode);
        var instances = (await JsonAsync(await Annotator.GetAsync("/api/projects/acc-a/dicomweb/instances"))).AsArray();
        var i = instances[0];
        var wado = $"/api/projects/acc-a/dicomweb/studies/{Dicomweb.Value(i, "0020000D")}/series/{Dicomweb.Value(i, "0020000E")}/instances/{Dicomweb.Value(i, "00080018")}";
        Assert.Equal(HttpStatusCode.OK, (await Annotator.GetAsync(wado)).StatusCode);

        var before = await AuditCountAsync();
        var removed = await JsonAsync(await Steward.DeleteAsync("/api/projects/acc-a/members/annotator"));
        Assert.Equal(("annotator", "member", true), ((string?)removed["user"], (string?)removed["role"], (bool)removed["removed"]!));
        // Once out, the project is as unknown to them as a missing one (issue 14 item 11: was 403, which told ids apart).
        Assert.Equal(HttpStatusCode.NotFound, (await Annotator.GetAsync("/api/projects/acc-a/dicomweb/instances")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Annotator.GetAsync(wado)).StatusCode);
        Assert.DoesNotContain(JsonNode.Parse(await Annotator.GetStringAsync("/api/projects"))!.AsArray(), p => (string?)p!["id"] == "acc-a");
        Assert.Empty((await JsonAsync(await Steward.GetAsync("/api/projects/acc-a/members"))).AsArray());

        var audit = await AuditSinceAsync(before);
        var change = Assert.Single(audit, a => a.Action == "project.member" && a.DetailsJson!.Contains("\"remove\""));
        Assert.Equal(("steward", "acc-a", AuditLog.OutcomeText(AuditOutcome.Success)), (change.Actor, change.Resource, change.Outcome));
        Assert.Contains("\"user\":\"annotator\"", change.DetailsJson);
        Assert.Equal(2, audit.Count(a => a.Action is "project.qido" or "project.wado" && a.Actor == "annotator" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied)));
    }

    [Fact]
    public async Task Members_are_listed_for_stewards_and_the_projects_own_members_and_refused_to_others()
    {
        await CreateAsync("acc-b", "annotator");
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/acc-b/members", new { user = "Steward", role = "lead" })).StatusCode);
        var expected = new[] { ("annotator", "member"), ("steward", "lead") };
        foreach (var client in new[] { Steward, Annotator, server.Admin })
        {
            var list = (await JsonAsync(await client.GetAsync("/api/projects/acc-b/members"))).AsArray();
            Assert.Equal(expected, list.Select(m => ((string)m!["user"]!, (string)m["role"]!)));
        }
        await server.Archive.Accounts.CreateUserAsync("stranger", TestArchive.UserPassword, [Roles.Annotator]);
        var stranger = server.Basic("stranger", TestArchive.UserPassword);
        var before = await AuditCountAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/api/projects/acc-b/members")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.DeleteAsync("/api/projects/acc-b/members/steward")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.GetAsync("/api/projects/acc-b/rules")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.DeleteAsync("/api/projects/acc-b/rules/ae:X")).StatusCode);
        var denied = (await AuditSinceAsync(before)).Where(a => a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied)).ToList();
        Assert.Equal(["stranger", "annotator", "annotator", "annotator"], denied.Select(a => a.Actor));
        Assert.Equal(["project.member", "project.member", "project.rule", "project.rule"], denied.Select(a => a.Action));
    }

    [Fact]
    public async Task Unknown_projects_members_and_rules_are_404_problems_naming_the_field()
    {
        await CreateAsync("acc-c", "annotator");
        foreach (var path in new[] { "/api/projects/no-such/members", "/api/projects/no-such/rules" })
            Assert.Equal(HttpStatusCode.NotFound, (await Steward.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.DeleteAsync("/api/projects/no-such/members/annotator")).StatusCode);
        var r = await Steward.DeleteAsync("/api/projects/acc-c/members/steward");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'user'", await r.Content.ReadAsStringAsync());
        r = await Steward.DeleteAsync("/api/projects/acc-c/rules/NOSUCHAE");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("'rule'", await r.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.DeleteAsync("/api/projects/acc-c/rules/uploader:steward")).StatusCode);
    }

    [Fact]
    public async Task Rules_are_listed_and_removed_by_id_or_AE_title_and_each_change_is_audited()
    {
        await CreateAsync("acc-d");
        var before = await AuditCountAsync();
        var added = await JsonAsync(await Steward.PostAsJsonAsync("/api/projects/acc-d/rules", new { aeTitle = "MODALITY1" }));
        Assert.Equal(("ae:MODALITY1", "ae", "MODALITY1"), ((string?)added["id"], (string?)added["kind"], (string?)added["aeTitle"]));
        await JsonAsync(await Steward.PostAsJsonAsync("/api/projects/acc-d/rules", new { aeTitle = "CT 2" }));
        added = await JsonAsync(await Steward.PostAsJsonAsync("/api/projects/acc-d/rules", new { uploader = "Annotator" }));
        Assert.Equal(("uploader:annotator", "uploader", "annotator"), ((string?)added["id"], (string?)added["kind"], (string?)added["uploader"]));

        var rules = (await JsonAsync(await Steward.GetAsync("/api/projects/acc-d/rules"))).AsArray();
        Assert.Equal(["ae:CT 2", "ae:MODALITY1", "uploader:annotator"], rules.Select(x => (string)x!["id"]!));
        Assert.All(rules, x => Assert.Equal((0, 0), ((int)x!["pendingCopies"]!, (int)x["failedCopies"]!)));

        Assert.Equal("ae:MODALITY1", (string?)(await JsonAsync(await Steward.DeleteAsync("/api/projects/acc-d/rules/MODALITY1")))["id"]);
        Assert.Equal("ae:CT 2", (string?)(await JsonAsync(await Steward.DeleteAsync("/api/projects/acc-d/rules/ae:CT%202")))["id"]);
        Assert.Equal("uploader:annotator", (string?)(await JsonAsync(await Steward.DeleteAsync("/api/projects/acc-d/rules/uploader:annotator")))["id"]);
        Assert.Empty((await JsonAsync(await Steward.GetAsync("/api/projects/acc-d/rules"))).AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await Steward.DeleteAsync("/api/projects/acc-d/rules/MODALITY1")).StatusCode);

        var changes = (await AuditSinceAsync(before)).Where(a => a.Action == "project.rule" && a.Resource == "acc-d").Select(a => JsonNode.Parse(a.DetailsJson!)!).ToList();
        Assert.Equal(["add", "add", "add", "list", "remove", "remove", "remove", "list"], changes.Select(d => (string)d["operation"]!));
        var removal = changes[4];
        Assert.Equal(("MODALITY1", 0, 0), ((string?)removal["aeTitle"], (int)removal["droppedPending"]!, (int)removal["droppedFailed"]!));
        Assert.Equal("annotator", (string?)changes[6]["uploader"]);
    }

    [Fact]
    public async Task A_rule_names_exactly_one_of_an_AE_title_and_a_known_uploader()
    {
        await CreateAsync("acc-e");
        async Task BadAsync(object body, string field)
        {
            var r = await Steward.PostAsJsonAsync("/api/projects/acc-e/rules", body);
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(HttpStatusCode.BadRequest == r.StatusCode, text);
            Assert.Contains(field, text);
        }
        await BadAsync(new { aeTitle = "MODALITY1", uploader = "annotator" }, "exactly one");
        await BadAsync(new { }, "'aeTitle' and 'uploader'");
        await BadAsync(new { uploader = "nobody" }, "field 'uploader': no account 'nobody'");
        await BadAsync(new { uploader = "" }, "field 'uploader'");
        await BadAsync(new { aeTitle = "FAR-TOO-LONG-AE-TITLE" }, "field 'aeTitle'");
        Assert.Empty((await JsonAsync(await Steward.GetAsync("/api/projects/acc-e/rules"))).AsArray());
    }
}

public sealed class ProjectAccessTests(ProjectZoneArchive server) : ProjectAccessSuite(server), IClassFixture<ProjectZoneArchive>;

public sealed class PostgreSqlProjectAccessTests(PostgreSqlProjectZoneArchive server) : ProjectAccessSuite(server), IClassFixture<PostgreSqlProjectZoneArchive>;
