using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Mira.Deid;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Storage;
using Mira.Storage.Sites;

namespace Mira.Server.Tests.Sites;

/// <summary>
/// Issue 20 part 3, end to end with three real <c>mira serve</c> processes: identified studies at two sites, a hub project
/// with both as sources, each site pushing through a recording proxy in front of the hub. Everything the hub received
/// is scanned for the originals' identifying values; pseudonyms agree across sites; the hub refuses identified data and
/// a site token reads nothing; the identified look-ups stay in each site's vault.
/// </summary>
public sealed class SiteHubEndToEndTests : IAsyncLifetime
{
    readonly string root = Path.Combine(Path.GetTempPath(), "mira-sites-" + Guid.NewGuid().ToString("N"));
    string Dir(string name) => Directory.CreateDirectory(Path.Combine(root, name)).FullName;

    static readonly SitePatient Shared = new("MRN-0042", "Müller^Hans", "19610412");
    static readonly SitePatient OnlyA = new("MRN-1001", "Okafor^Chidi", "19790302");
    static readonly SitePatient OnlyB = new("MRN-2002", "Lindqvist^Astrid", "19880917");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Two_sites_push_only_deidentified_copies_with_consistent_pseudonyms_and_the_hub_holds_no_identified_value()
    {
        var sharedStudy = Dicomweb.Uid();
        var studiesA = new[]
        {
            new SiteStudy(Shared, sharedStudy, "ACC-S1-7781", "20240115", [(Dicomweb.Uid(), 2)]),
            new SiteStudy(OnlyA, Dicomweb.Uid(), "ACC-A2-9902", "20240220", [(Dicomweb.Uid(), 2)]),
        };
        var studiesB = new[]
        {
            new SiteStudy(Shared with { Name = "Mueller^Hans" }, sharedStudy, "ACC-S1-7781", "20240115", [(Dicomweb.Uid(), 1)]),
            new SiteStudy(Shared with { Name = "Mueller^Hans" }, Dicomweb.Uid(), "ACC-B3-1203", "20240610", [(Dicomweb.Uid(), 1)]),
            new SiteStudy(OnlyB, Dicomweb.Uid(), "ACC-B4-5561", "20230901", [(Dicomweb.Uid(), 2)]),
        };
        var (hubData, aData, bData) = (Dir("hub"), Dir("site-a"), Dir("site-b"));
        await using var hub = await ServeProcess.StartAsync(hubData);
        await using var siteA = await ServeProcess.StartAsync(aData);
        await using var siteB = await ServeProcess.StartAsync(bData);

        // The identified intake of each site (kept as the originals for phi-scan).
        var originals = new Dictionary<string, byte[]>();
        async Task IntakeAsync(ServeProcess site, string folder, SiteStudy[] studies, string institution, string physician)
        {
            var dir = Dir(folder);
            foreach (var study in studies)
            {
                var files = SiteData.Instances(study, institution, physician);
                foreach (var (sop, bytes) in files)
                {
                    await File.WriteAllBytesAsync(Path.Combine(dir, sop + ".dcm"), bytes);
                    originals[sop] = bytes;
                }
                var r = await Dicomweb.Stow(site.Http, "/dicomweb/studies", [.. files.Select(f => f.Bytes)]);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
        }
        await IntakeAsync(siteA, "originals-a", studiesA, "Klinikum Nord Hamburg", "Schmidt^Eva");
        await IntakeAsync(siteB, "originals-b", studiesB, "Sahlgrenska Universitetssjukhuset", "Berg^Nils");

        // The hub: two registered sites, a project naming both.
        var tokenA = await AddSiteAsync(hubData, "site-a");
        var tokenB = await AddSiteAsync(hubData, "site-b");
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects", new { id = "multi", name = "Multi-site", recipe = "research" })).StatusCode);
        foreach (var s in new[] { "site-a", "site-b" })
            Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects/multi/sources", new { site = s })).StatusCode);
        Assert.Equal(2, JsonNode.Parse(await hub.Http.GetStringAsync("/api/projects/multi/sources"))!.AsArray().Count);

        // Each site links to the hub through the recording proxy and pushes.
        await using var proxy = new RecordingProxy(hub.Http.BaseAddress!.Port);
        var hubViaProxy = $"http://127.0.0.1:{proxy.Port}";
        foreach (var (data, token) in new[] { (aData, tokenA), (bData, tokenB) })
        {
            var link = await SiteData.MiraAsync("site", "link", "--data", data, "--hub", hubViaProxy, "--token", token);
            Assert.True(link.Exit == 0, link.Errors);
            var push = await SiteData.MiraAsync("site", "push", "--data", data);
            Assert.True(push.Exit == 0, push.Output + push.Errors);
        }
        var expectedCount = studiesA.Concat(studiesB).Sum(s => s.Series.Sum(x => x.Instances));
        Assert.Equal(expectedCount, originals.Count);

        // 1. Every byte the hub received: the STOW bodies split into their DICOM parts, and the hub's stored project files.
        var requests = proxy.Received().SelectMany(CapturedRequest.Parse).ToList();
        var stows = requests.Where(r => r.RequestLine.StartsWith("POST /api/site/projects/multi/dicomweb/studies ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(stows);
        var received = Dir("received");
        var parts = stows.SelectMany(r => r.Parts()).ToList();
        Assert.Equal(expectedCount, parts.Count);
        for (var i = 0; i < parts.Count; i++) await File.WriteAllBytesAsync(Path.Combine(received, $"part{i:D3}.dcm"), parts[i].Content);
        var stored = Dir("hub-stored");
        var storedFiles = Directory.EnumerateFiles(Path.Combine(hubData, "projects", "multi"), "*", SearchOption.AllDirectories)
            .Where(IsPart10).ToList();
        Assert.Equal(expectedCount, storedFiles.Count);
        foreach (var f in storedFiles) File.Copy(f, Path.Combine(stored, Path.GetFileName(f) + ".dcm"));

        var scan = await SiteData.MiraAsync("phi-scan", received, stored, "--originals", Path.Combine(root, "originals-a"), Path.Combine(root, "originals-b"));
        Assert.True(scan.Exit == 0, scan.Output + scan.Errors);
        Assert.Contains($"{2 * expectedCount} files, 0 finding(s)", scan.Errors);
        // The same scan finds the identified values in the originals themselves (so the 0 above is not a blind scan).
        var control = await SiteData.MiraAsync("phi-scan", Path.Combine(root, "originals-a"), "--originals", Path.Combine(root, "originals-b"));
        Assert.Equal(1, control.Exit);
        Assert.Contains("MRN-0042", control.Output);

        var wire = proxy.Received().SelectMany(b => b).ToArray();
        var identified = studiesA.Concat(studiesB).SelectMany(s => new[] { s.Patient.Name, s.Patient.Id, s.Accession, s.Uid }
            .Concat(s.Series.Select(x => x.Series))).Concat(originals.Keys).Concat(["Müller", "Mueller", "Okafor", "Lindqvist", "Klinikum Nord", "Sahlgrenska"]).Distinct();
        foreach (var value in identified)
            foreach (var encoded in new[] { Encoding.UTF8.GetBytes(value), Encoding.Latin1.GetBytes(value) })
                Assert.True(CapturedRequest.IndexOf(wire, encoded, 0) < 0, $"'{value}' is in the bytes the hub received");
        Assert.True(CapturedRequest.IndexOf(originals.Values.First(), Encoding.UTF8.GetBytes(originals.Keys.First()), 0) >= 0); // the search sees UIDs

        // 2. Pseudonyms: the shared patient has one pseudonym from both sites (the project key's), the shared study one UID.
        var key = await HandedOutKeyAsync(hub, tokenA);
        var pseudonyms = new Pseudonymizer(key);
        var hubDb = StorageDatabase.Sqlite(DataFolder.IndexPath(hubData));
        var provenance = (await new SiteStore(hubDb).ListReceivedAsync("multi")).ToDictionary(r => r.SopInstanceUid, r => r.Site);
        var byFile = storedFiles.Select(f => DicomFile.Read(File.ReadAllBytes(f)).Dataset).ToList();
        Assert.Equal(expectedCount, provenance.Count);
        string Site(DicomDataset ds) => provenance[ds.GetString(DicomTags.SOPInstanceUID)!];
        var sharedPseudonym = pseudonyms.PatientId(Shared.Id);
        var sharedFiles = byFile.Where(ds => ds.GetString(DicomTags.PatientID) == sharedPseudonym).ToList();
        Assert.Equal(["site-a", "site-b"], sharedFiles.Select(Site).Distinct().Order());
        Assert.Equal(4, sharedFiles.Count);
        var sharedStudyFiles = byFile.Where(ds => ds.GetString(DicomTags.StudyInstanceUID) == pseudonyms.Uid(sharedStudy)).ToList();
        Assert.Equal(["site-a", "site-b"], sharedStudyFiles.Select(Site).Distinct().Order());
        Assert.Equal(3, byFile.Select(ds => ds.GetString(DicomTags.PatientID)).Distinct().Count());
        Assert.Contains(pseudonyms.PatientId(OnlyA.Id), byFile.Where(ds => Site(ds) == "site-a").Select(ds => ds.GetString(DicomTags.PatientID)));
        Assert.Contains(pseudonyms.PatientId(OnlyB.Id), byFile.Where(ds => Site(ds) == "site-b").Select(ds => ds.GetString(DicomTags.PatientID)));

        // 3. The hub refuses an identified instance, even from a source site; a site token reads nothing.
        using var asA = Bearer(hub, tokenA);
        using var asB = Bearer(hub, tokenB);
        var raw = originals.First();
        var refused = await Dicomweb.Stow(asA, "/api/site/projects/multi/dicomweb/studies", raw.Value);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Patient Identity Removed (0012,0062)", string.Join(" ", refused.Headers.GetValues("Warning")));
        Assert.Equal(expectedCount, (await new SiteStore(hubDb).ListReceivedAsync("multi")).Count);
        Assert.Equal(expectedCount, Directory.EnumerateFiles(Path.Combine(hubData, "projects", "multi"), "*", SearchOption.AllDirectories).Count(IsPart10));
        Assert.Equal(HttpStatusCode.Forbidden, (await asA.GetAsync("/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asA.GetAsync($"/dicomweb/studies/{pseudonyms.Uid(sharedStudy)}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await asA.GetAsync("/api/projects/multi/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asA.GetAsync("/api/projects/multi/sources")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects", new { id = "only-a", name = "Site A only", recipe = "research" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects/only-a/sources", new { site = "site-a" })).StatusCode);
        var intoOther = await Dicomweb.Stow(asB, "/api/site/projects/only-a/dicomweb/studies", parts[0].Content);
        Assert.Equal(HttpStatusCode.Forbidden, intoOther.StatusCode);
        Assert.DoesNotContain("only-a", (await asB.GetStringAsync("/api/site/projects")));

        // 4. The vault: the pseudonym resolves on the site that holds the patient; the hub has no vault rows.
        var lookup = await SiteData.MiraAsync("site", "lookup", "multi", sharedPseudonym, "--data", aData);
        Assert.True(lookup.Exit == 0, lookup.Errors);
        Assert.Contains($"PatientId\t{Shared.Id}\t{sharedPseudonym}", lookup.Output);
        await using (var c = await hubDb.OpenAsync())
        {
            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mira_pseudonym_vault"));
            Assert.Equal(0, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mira_lineage"));
        }
        // The site keeps the run record and one lineage edge per instance it sent (intake original → hub copy).
        await using (var c = await StorageDatabase.Sqlite(DataFolder.IndexPath(aData)).OpenAsync())
            Assert.Equal(4, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM mira_lineage WHERE artefact LIKE 'hub:multi/sop:%'"));

        // 5. Pushing again sends nothing.
        var stowsBefore = stows.Count;
        foreach (var data in new[] { aData, bData })
        {
            var again = await SiteData.MiraAsync("site", "push", "--data", data);
            Assert.True(again.Exit == 0, again.Errors);
            Assert.Matches(@"multi\t0\t[1-9]\d*\t0\t0", again.Output);
        }
        Assert.Equal(stowsBefore, proxy.Received().SelectMany(CapturedRequest.Parse)
            .Count(r => r.RequestLine.StartsWith("POST /api/site/projects/multi/dicomweb/studies ", StringComparison.Ordinal)));
    }

    static async Task<string> AddSiteAsync(string hubData, string name)
    {
        var (exit, output, errors) = await SiteData.MiraAsync("site", "add", name, "--data", hubData);
        Assert.True(exit == 0, errors);
        return output.Trim();
    }

    static HttpClient Bearer(ServeProcess server, string token)
    {
        var http = new HttpClient { BaseAddress = server.Http.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    static async Task<ProjectKey> HandedOutKeyAsync(ServeProcess hub, string token)
    {
        using var http = Bearer(hub, token);
        var list = JsonNode.Parse(await http.GetStringAsync("/api/site/projects"))!.AsArray();
        return new ProjectKey(Convert.FromHexString(list.Single(p => p!["id"]!.GetValue<string>() == "multi")!["key"]!.GetValue<string>()));
    }

    static bool IsPart10(string path)
    {
        using var f = File.OpenRead(path);
        var head = new byte[132];
        return f.Read(head) == 132 && head.AsSpan(128).SequenceEqual("DICM"u8);
    }
}
