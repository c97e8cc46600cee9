using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Dicom.Network;
using Mira.Server.Tests.Web;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// Two identical nodes over one PostgreSQL and one bucket behind haproxy (<see cref="MiraCluster"/>): whatever one node
/// accepted, the other serves; a web session and its antiforgery tokens are good on both; DIMSE stores on one node are
/// found on the other; every audit record from both nodes lands in one unbroken chain.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed partial class ClusterTests(MiraCluster cluster) : IClassFixture<MiraCluster>
{
    [Fact]
    public async Task Instances_stored_through_the_balancer_are_read_back_byte_identical_from_each_node()
    {
        var (study, series) = (Uid(), Uid());
        var sent = Enumerable.Range(0, 24).Select(_ => Uid()).ToDictionary(sop => sop, sop => Make(study, series, sop));
        // One instance per request: round robin spreads the requests over both nodes.
        foreach (var (sop, bytes) in sent)
            Assert.Equal(HttpStatusCode.OK, (await Stow(cluster.Http, "/dicomweb/studies", bytes)).StatusCode);

        foreach (var node in cluster.Nodes)
            foreach (var (sop, bytes) in sent)
            {
                var parts = await ReadParts(await node.Http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}"));
                Assert.Equal(bytes, Assert.Single(parts));
            }
    }

    [Fact]
    public async Task A_web_session_made_on_one_node_works_on_the_other_and_ends_on_both()
    {
        var cookies = new CookieContainer();
        using var onA = FormSignIn.Client(cluster.Nodes[0].Http.BaseAddress!, cookies);
        using var onB = FormSignIn.Client(cluster.Nodes[1].Http.BaseAddress!, cookies);
        var signIn = await FormSignIn.PostAsync(onA, "admin", ServeProcess.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The session row is shared: node B knows the cookie node A set.
        var home = await onB.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("admin", await home.Content.ReadAsStringAsync());

        // The data-protection key ring is shared: node B accepts a form token node A rendered (sign-out).
        var token = AntiforgeryToken().Match(await onA.GetStringAsync("/")).Groups[1].Value;
        Assert.NotEmpty(token);
        var signOut = await onB.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        // And the sign-out on B ended the session on A too.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Accept.ParseAdd("text/html");
        var after = await onA.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_C_STORE_to_one_node_is_found_by_C_FIND_on_the_other()
    {
        // The AE is added once, in the shared database; each node's AE table picks it up within its refresh interval.
        var added = await cluster.MiraAsync(["ae", "add", "MODALITY", "--host", "127.0.0.1", "--port", "104", "--allow", "store,find", .. cluster.StorageArguments(0)]);
        Assert.True(added.ExitCode == 0, added.Output);
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var file = Path.Combine(Path.GetTempPath(), "mira-cluster-" + Guid.NewGuid().ToString("N") + ".dcm");
        await File.WriteAllBytesAsync(file, Make(study, series, sop));
        try
        {
            var stored = await RetryAsync(async () =>
            {
                var summary = await new StoreScu(new StoreScuOptions
                {
                    Host = "127.0.0.1", Port = cluster.DimsePortOf(0), CalledAE = "MIRA", CallingAE = "MODALITY",
                }).SendAsync([file]);
                return summary.Succeeded == 1 ? summary : null;
            });
            Assert.NotNull(stored);

            var found = await RetryAsync(async () =>
            {
                var query = new DicomDataset();
                query.Set(DicomTags.QueryRetrieveLevel, "STUDY");
                query.Set(DicomTags.StudyInstanceUID, study);
                query.Set(DicomTags.PatientID, "");
                var matches = new List<DicomDataset>();
                await foreach (var m in QueryRetrieveScu.FindAsync(new DicomPeer("127.0.0.1", cluster.DimsePortOf(1), "MIRA", "MODALITY"), QueryRoot.Study, query))
                    matches.Add(m);
                return matches.Count == 1 ? matches : null;
            });
            Assert.Equal(study, Assert.Single(found!).GetString(DicomTags.StudyInstanceUID));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Rule_copies_queued_by_both_nodes_run_exactly_once_each()
    {
        var http = cluster.Http;
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/projects", new { id = "cluster-copies", name = "Copies", recipe = "basic" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/cluster-copies/members", new { user = "admin" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/projects/cluster-copies/rules", new { uploader = "admin" })).StatusCode);
        var (study, series) = (Uid(), Uid());
        for (var i = 0; i < 30; i++)
            Assert.Equal(HttpStatusCode.OK, (await Stow(http, "/dicomweb/studies", Make(study, series, Uid()))).StatusCode);

        // Both nodes queue copies into the one job table, and both nodes' workers claim from it.
        var jobs = new Mira.Storage.Jobs.JobStore(Mira.Storage.StorageDatabase.PostgreSql(cluster.ConnectionString));
        var done = await RuleCopyQueueSuite.EventuallyAsync(
            async () => await jobs.ListAsync(Mira.Platform.Research.ProjectService.RuleCopyJobKind, project: "cluster-copies"),
            list => list.Count > 0 && list.All(j => j.State == Mira.Storage.Jobs.JobStates.Succeeded), "every rule copy job to succeed");
        Assert.All(done, j => Assert.Equal(1, j.Attempts));
        var copies = System.Text.Json.Nodes.JsonNode.Parse(await cluster.Nodes[1].Http.GetStringAsync("/api/projects/cluster-copies/dicomweb/instances"))!.AsArray();
        Assert.Equal(30, copies.Count);
        Assert.Equal(30, copies.Select(c => Value(c, "00080018")).Distinct().Count());
    }

    [Fact]
    public async Task Wrong_passwords_spread_over_both_nodes_meet_one_back_off()
    {
        // Five free failures per account name; the balancer alternates the nodes, so each node sees about half.
        using var guesser = new HttpClient { BaseAddress = cluster.Balancer.Url };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/studies");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("guessed-account:wrong"u8.ToArray()));
            statuses.Add((await guesser.SendAsync(request)).StatusCode);
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 6), statuses.Take(6));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[6]);
    }

    /// <summary>Tries again for up to ten seconds while the answer is null or the peer refuses (the AE table refresh).</summary>
    static async Task<T?> RetryAsync<T>(Func<Task<T?>> attempt) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                if (await attempt() is { } result) return result;
            }
            catch (Exception e) when ((e is MiraException or DimseStatusException or IOException) && DateTime.UtcNow < deadline) { }
            if (DateTime.UtcNow >= deadline) return null;
            await Task.Delay(250);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}

/// <summary>The cluster tests start several servers each; they run one class at a time, beside the other collections.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
