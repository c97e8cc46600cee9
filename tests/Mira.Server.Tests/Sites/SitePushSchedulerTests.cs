using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Storage;
using Mira.Storage.Sites;

namespace Mira.Server.Tests.Sites;

/// <summary><c>mira serve --site-push-minutes N</c> on a linked site queues the push as a job, which the worker runs.</summary>
public sealed class SitePushSchedulerTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "mira-site-sched-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_linked_site_server_pushes_its_intake_by_itself()
    {
        var hubData = Path.Combine(root, "hub");
        await using var hub = await ServeProcess.StartAsync(hubData);
        var add = await SiteData.MiraAsync("site", "add", "east", "--data", hubData);
        Assert.True(add.Exit == 0, add.Errors);
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects", new { id = "sched", name = "Scheduled", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await hub.Http.PostAsJsonAsync("/api/projects/sched/sources", new { site = "east" })).StatusCode);

        // A project whose recipe keeps direct identifiers cannot have source sites.
        var identified = await hub.Http.PostAsJsonAsync("/api/projects", new
        {
            id = "named", name = "Identified", recipe = JsonNode.Parse("""{"name": "keeps-names", "version": "1", "profile": "basic", "overrides": [{"tag": "(0010,0010)", "action": "K"}]}"""),
            keepDirectIdentifiers = new { reason = "a registry that needs the names" },
        });
        Assert.Equal(HttpStatusCode.Created, identified.StatusCode);
        var refusedSource = await hub.Http.PostAsJsonAsync("/api/projects/named/sources", new { site = "east" });
        Assert.Equal(HttpStatusCode.BadRequest, refusedSource.StatusCode);
        Assert.Contains("keeps direct identifiers", await refusedSource.Content.ReadAsStringAsync());

        var siteData = Path.Combine(root, "site");
        var originals = Directory.CreateDirectory(Path.Combine(root, "originals")).FullName;
        var study = new SiteStudy(new SitePatient("MRN-77", "Tanaka^Yui", "19900101"), Dicomweb.Uid(), "ACC-77-0001", "20240301", [(Dicomweb.Uid(), 3)]);
        foreach (var (sop, bytes) in SiteData.Instances(study, "Kyoto Clinic", "Sato^Ken"))
            await File.WriteAllBytesAsync(Path.Combine(originals, sop + ".dcm"), bytes);
        var import = await SiteData.MiraAsync("import", originals, "--data", siteData);
        Assert.True(import.Exit == 0, import.Errors);
        var link = await SiteData.MiraAsync("site", "link", "--data", siteData, "--hub", hub.Http.BaseAddress!.ToString(), "--token", add.Output.Trim());
        Assert.True(link.Exit == 0, link.Errors);

        await using var site = await ServeProcess.StartAsync(siteData, "--site-push-minutes", "60");
        var received = new SiteStore(StorageDatabase.Sqlite(DataFolder.IndexPath(hubData)));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await received.ListReceivedAsync("sched")).Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(500);
        Assert.Equal(["east"], (await received.ListReceivedAsync("sched")).Select(r => r.Site).Distinct());
        Assert.Equal(3, (await received.ListReceivedAsync("sched")).Count);
        var sent = new HubLinkStore(StorageDatabase.Sqlite(DataFolder.IndexPath(siteData)));
        Assert.Equal(3, (await sent.SentAsync("sched")).Count);
    }
}
