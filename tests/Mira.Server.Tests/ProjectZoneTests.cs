using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Storage.Security;
using Xunit;

namespace Mira.Server.Tests;

/// <summary>The demo studies in the intake zone, for the project tests.</summary>
public class ProjectZoneArchive : TestArchive
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var loaded = await DemoStudies.EnsureLoadedAsync(Archive.Ingest);
        Assert.Equal(DemoStudies.InstanceCount, loaded.Stored);
    }
}

/// <summary>The same, with the intake index (and so every project's index) on PostgreSQL.</summary>
public sealed class PostgreSqlProjectZoneArchive : ProjectZoneArchive
{
    protected override bool OnPostgreSql => true;
}

/// <summary>Research zones on either index provider (<see cref="ProjectZoneTests"/>, <see cref="PostgreSqlProjectZoneTests"/>).</summary>
public abstract class ProjectZoneSuite(ProjectZoneArchive server)
{
    // The MR demo study: patient DEMO^BOB, DEMO-0002, born 19820615.
    protected static readonly string Study = DemoStudies.StudyUid("mr");
    static readonly string[] Phi = ["DEMO^BOB", "DEMO-0002", "19820615", "BOB"];

    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    protected HttpClient Annotator => server.Basic("annotator", TestArchive.UserPassword);

    protected ProjectZoneArchive Server => server;

    protected async Task<JsonObject> CreateProjectAsync(string id, object? recipe = null, string member = "annotator")
    {
        var r = await Steward.PostAsJsonAsync("/api/projects", new { id, name = "Project " + id, recipe = recipe ?? "research" });
        Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var created = (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.Null(created["key"]);
        Assert.DoesNotContain("key", created.Select(p => p.Key));
        var m = await Steward.PostAsJsonAsync($"/api/projects/{id}/members", new { user = member, role = "member" });
        Assert.Equal(HttpStatusCode.OK, m.StatusCode);
        return created;
    }

    protected async Task<JsonObject> CopyAsync(string id, params string[] studies)
    {
        var r = await Steward.PostAsJsonAsync($"/api/projects/{id}/copy", new { studies });
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    protected async Task<JsonArray> ProjectQidoAsync(HttpClient client, string id, string query)
    {
        var r = await client.GetAsync($"/api/projects/{id}/dicomweb/{query}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (JsonArray)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    /// <summary>Every string anywhere in a JSON document.</summary>
    static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    async Task<HashSet<string>> OriginalUidsAsync()
    {
        var found = await server.Archive.Index.FindInstancesAsync(Study);
        Assert.Equal(DemoStudies.MrSlices, found.Count);
        return [Study, .. found.Select(i => i.SeriesInstanceUid), .. found.Select(i => i.SopInstanceUid)];
    }

    [Fact]
    public async Task Copied_study_is_pseudonymised_and_no_identified_value_comes_back()
    {
        await CreateProjectAsync("zone-a");
        var summary = await CopyAsync("zone-a", Study);
        Assert.Equal(DemoStudies.MrSlices, (int)summary["copied"]!);
        Assert.Equal(0, (int)summary["failed"]! + (int)summary["quarantined"]!);

        var originals = await OriginalUidsAsync();
        var forbidden = Phi.Concat(originals).ToList();
        foreach (var level in new[] { "studies", "series", "instances", "studies?includefield=all", "instances?includefield=all" })
        {
            var json = await ProjectQidoAsync(Annotator, "zone-a", level);
            Assert.NotEmpty(json);
            foreach (var s in Strings(json))
                foreach (var phi in forbidden)
                    Assert.DoesNotContain(phi, s, StringComparison.OrdinalIgnoreCase);
        }
        var studies = await ProjectQidoAsync(Annotator, "zone-a", "studies");
        var study = Assert.Single(studies);
        var newStudy = Dicomweb.Value(study, "0020000D");
        Assert.NotNull(newStudy);
        Assert.NotEqual(Study, newStudy);
        var pid = Dicomweb.Value(study, "00100020");
        Assert.False(string.IsNullOrEmpty(pid));
        Assert.NotEqual("DEMO-0002", pid);

        // Every de-identified instance, retrieved whole, is free of the original's identifiers.
        var instances = await ProjectQidoAsync(Annotator, "zone-a", "instances");
        Assert.Equal(DemoStudies.MrSlices, instances.Count);
        var first = instances[0];
        var url = $"/api/projects/zone-a/dicomweb/studies/{Dicomweb.Value(first, "0020000D")}/series/{Dicomweb.Value(first, "0020000E")}/instances/{Dicomweb.Value(first, "00080018")}";
        var wado = await Annotator.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, wado.StatusCode);
        var part = Assert.Single(await Dicomweb.ReadParts(wado));
        var text = System.Text.Encoding.Latin1.GetString(part);
        foreach (var phi in forbidden) Assert.DoesNotContain(phi, text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(pid!, text);
    }

    [Fact]
    public async Task Original_uids_and_intake_only_studies_are_not_found_in_the_project()
    {
        await CreateProjectAsync("zone-b");
        await CopyAsync("zone-b", Study);
        var original = (await server.Archive.Index.FindInstancesAsync(Study))[0];
        var r = await Annotator.GetAsync($"/api/projects/zone-b/dicomweb/studies/{Study}/series/{original.SeriesInstanceUid}/instances/{original.SopInstanceUid}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        // A study that exists only in the intake zone (the CT demo study was never copied).
        var ct = (await server.Archive.Index.FindInstancesAsync(DemoStudies.StudyUid("ct")))[0];
        r = await Annotator.GetAsync($"/api/projects/zone-b/dicomweb/studies/{ct.StudyInstanceUid}/series/{ct.SeriesInstanceUid}/instances/{ct.SopInstanceUid}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        r = await Annotator.GetAsync($"/api/projects/zone-b/dicomweb/instances?StudyInstanceUID={ct.StudyInstanceUid}");
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
        r = await Annotator.GetAsync($"/api/projects/zone-b/dicomweb/studies?PatientID=DEMO-0002");
        Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
    }

    [Fact]
    public async Task Members_cannot_reach_intake_data_or_the_vault_and_outsiders_get_404()
    {
        await CreateProjectAsync("zone-c");
        await CopyAsync("zone-c", Study);
        var before = (await server.Archive.Audit.ReadAsync(1, 100_000)).Count;

        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.GetAsync($"/dicomweb/studies?PatientID=DEMO-0002")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.GetAsync($"/dicomweb/studies/{Study}/metadata")).StatusCode);
        var studies = await ProjectQidoAsync(Annotator, "zone-c", "studies");
        var pid = Dicomweb.Value(studies[0], "00100020")!;
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.GetAsync($"/api/projects/zone-c/vault?pseudonym={pid}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.PostAsJsonAsync("/api/projects/zone-c/copy", new { studies = new[] { Study } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Annotator.PostAsJsonAsync("/api/projects", new { id = "mine", name = "x", recipe = "basic" })).StatusCode);

        await server.Archive.Accounts.CreateUserAsync("outsider", TestArchive.UserPassword, [Roles.Annotator]);
        var outsider = server.Basic("outsider", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync("/api/projects/zone-c/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync("/api/projects/zone-c/dicomweb/instances")).StatusCode);
        var list = JsonNode.Parse(await outsider.GetStringAsync("/api/projects"))!.AsArray();
        Assert.DoesNotContain(list, p => (string?)p!["id"] == "zone-c");
        var mine = JsonNode.Parse(await Annotator.GetStringAsync("/api/projects"))!.AsArray();
        Assert.Contains(mine, p => (string?)p!["id"] == "zone-c");

        var audit = (await server.Archive.Audit.ReadAsync(1, 100_000)).Skip(before).ToList();
        Assert.Contains(audit, a => a.Action == "vault.lookup" && a.Actor == "annotator" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
        Assert.Contains(audit, a => a.Action == "project.qido" && a.Actor == "outsider" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
        Assert.Contains(audit, a => a.Action == "project.qido" && a.Actor == "annotator" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Success)
                                    && a.Resource!.StartsWith("zone-c:"));
    }

    [Fact]
    public async Task Steward_vault_lookup_returns_the_original_and_is_audited()
    {
        await CreateProjectAsync("zone-d");
        await CopyAsync("zone-d", Study);
        var pid = Dicomweb.Value((await ProjectQidoAsync(Annotator, "zone-d", "studies"))[0], "00100020")!;
        var before = (await server.Archive.Audit.ReadAsync(1, 100_000)).Count;
        var r = await Steward.GetAsync($"/api/projects/zone-d/vault?pseudonym={Uri.EscapeDataString(pid)}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var records = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray();
        Assert.Contains(records, x => (string?)x!["original"] == "DEMO-0002");
        var audit = (await server.Archive.Audit.ReadAsync(1, 100_000)).Skip(before).ToList();
        var entry = Assert.Single(audit, a => a.Action == "vault.lookup");
        Assert.Equal("steward", entry.Actor);
        Assert.Equal(AuditLog.OutcomeText(AuditOutcome.Success), entry.Outcome);
        Assert.Contains(pid, entry.Resource);

        var missing = await Steward.GetAsync("/api/projects/zone-d/vault?pseudonym=NO-SUCH-PSEUDONYM");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains(await server.Archive.Audit.ReadAsync(1, 100_000),
            a => a.Action == "vault.lookup" && a.Resource == "zone-d:NO-SUCH-PSEUDONYM" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Failure));
    }

    [Fact]
    public async Task Copying_again_gives_the_same_pseudonyms_and_another_project_different_ones()
    {
        await CreateProjectAsync("zone-e");
        await CopyAsync("zone-e", Study);
        var first = await ProjectQidoAsync(Annotator, "zone-e", "instances");
        var again = await CopyAsync("zone-e", Study);
        Assert.Equal(0, (int)again["copied"]!);
        Assert.Equal(DemoStudies.MrSlices, (int)again["alreadyStored"]!);
        var second = await ProjectQidoAsync(Annotator, "zone-e", "instances");
        Assert.Equal(first.Select(i => Dicomweb.Value(i, "00080018")).Order(), second.Select(i => Dicomweb.Value(i, "00080018")).Order());

        await CreateProjectAsync("zone-f");
        await CopyAsync("zone-f", Study);
        var e = (await ProjectQidoAsync(Annotator, "zone-e", "studies"))[0];
        var f = (await ProjectQidoAsync(Annotator, "zone-f", "studies"))[0];
        Assert.NotEqual(Dicomweb.Value(e, "00100020"), Dicomweb.Value(f, "00100020"));
        Assert.NotEqual(Dicomweb.Value(e, "0020000D"), Dicomweb.Value(f, "0020000D"));
    }

    [Fact]
    public async Task Bad_requests_name_the_field()
    {
        var r = await Steward.PostAsJsonAsync("/api/projects", new { id = "Bad Id", name = "x", recipe = "research" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("'id'", await r.Content.ReadAsStringAsync());
        r = await Steward.PostAsJsonAsync("/api/projects", new { id = "zone-g", name = "x", recipe = "nonsense" });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("'recipe'", await r.Content.ReadAsStringAsync());
        await CreateProjectAsync("zone-g");
        r = await Steward.PostAsJsonAsync("/api/projects", new { id = "zone-g", name = "x", recipe = "basic" });
        Assert.Equal(HttpStatusCode.Conflict, r.StatusCode);
        r = await Steward.PostAsJsonAsync("/api/projects/zone-g/copy", new { studies = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains("'studies'", await r.Content.ReadAsStringAsync());
        r = await Steward.PostAsJsonAsync("/api/projects/zone-g/members", new { user = "annotator", role = "owner" });
        Assert.Contains("'role'", await r.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Annotator.GetAsync("/api/projects/no-such/dicomweb/studies")).StatusCode);
    }
}

public sealed class ProjectZoneTests(ProjectZoneArchive server) : ProjectZoneSuite(server), IClassFixture<ProjectZoneArchive>;

/// <summary>"Everything arriving from AE X": a project rule copies C-STORE arrivals from that AE only.</summary>
public sealed class ProjectZoneRuleTests
{
    [Fact]
    public async Task Instances_from_an_AE_with_a_rule_are_copied_and_others_are_not()
    {
        await using var a = new Dimse.DimseArchive();
        await a.InitializeAsync();
        await a.AllowAsync("MODALITY1");
        await a.AllowAsync("OTHERAE");
        var steward = a.Basic("steward", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Created,
            (await steward.PostAsJsonAsync("/api/projects", new { id = "zone-rule", name = "Rule", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await steward.PostAsJsonAsync("/api/projects/zone-rule/members", new { user = "annotator", role = "lead" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await steward.PostAsJsonAsync("/api/projects/zone-rule/rules", new { aeTitle = "MODALITY1" })).StatusCode);

        var folder = Directory.CreateTempSubdirectory("mira-zone-rule-").FullName;
        try
        {
            var demo = DemoStudies.Generate();
            string[] Write(string prefix) => [.. demo.Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(d =>
            {
                var path = Path.Combine(folder, d.Name.Replace('/', '-') + ".dcm");
                File.WriteAllBytes(path, d.Bytes);
                return path;
            })];
            var fromRule = await Send(a.DimsePort, "MODALITY1", Write("mr/"));
            var fromOther = await Send(a.DimsePort, "OTHERAE", Write("ct/"));
            Assert.Equal(DemoStudies.MrSlices, fromRule.Succeeded);
            Assert.Equal(DemoStudies.CtSlices, fromOther.Succeeded);

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await a.Archive.Projects.PendingRuleCopiesAsync() > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal(0, await a.Archive.Projects.PendingRuleCopiesAsync());
            Assert.Empty(await a.Archive.Projects.OutstandingRuleCopiesAsync());

            var annotator = a.Basic("annotator", TestArchive.UserPassword);
            var r = await annotator.GetAsync("/api/projects/zone-rule/dicomweb/instances");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var instances = JsonNode.Parse(await r.Content.ReadAsStringAsync())!.AsArray();
            Assert.Equal(DemoStudies.MrSlices, instances.Count);
            var intakeSops = demo.Select(d => d.SopInstanceUid).ToHashSet();
            Assert.All(instances, i => Assert.DoesNotContain(Dicomweb.Value(i, "00080018")!, intakeSops));
            Assert.Single(instances.Select(i => Dicomweb.Value(i, "0020000D")).Distinct());
            Assert.Contains(await a.Archive.Audit.ReadAsync(1, 100_000), e => e.Action == "project.copy" && e.Actor == "system");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    internal static Task<Mira.Dicom.Network.StoreScuSummary> Send(int port, string callingAe, string[] files) =>
        new Mira.Dicom.Network.StoreScu(new Mira.Dicom.Network.StoreScuOptions
        {
            Host = "127.0.0.1", Port = port, CalledAE = "MIRA", CallingAE = callingAe, Associations = 1,
            Converter = new Mira.Dicom.Codecs.CodecTransferSyntaxConverter(),
        }).SendAsync(files);
}
