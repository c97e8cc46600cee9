using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Server.Tests.Workitems;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// What one node tells the others over PostgreSQL's LISTEN/NOTIFY: a UPS event report reaches a subscriber whose
/// WebSocket is open on another node than the one where the work item changed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterEventTests(MiraCluster cluster) : IClassFixture<MiraCluster>
{
    const string Password = "cluster-user-pw-1";

    [Fact]
    public async Task A_UPS_event_raised_on_one_node_reaches_the_subscriber_connected_to_the_other()
    {
        foreach (var (user, role) in new[] { ("ups-steward", "steward"), ("ups-performer", "performer") })
        {
            var added = await cluster.MiraAsync(new Dictionary<string, string?> { ["MIRA_PASSWORD"] = Password },
                ["user", "add", user, "--role", role, .. cluster.StorageArguments(0)]);
            Assert.True(added.ExitCode == 0, added.Output);
        }
        var (nodeA, nodeB) = (cluster.Nodes[0].Http.BaseAddress!, cluster.Nodes[1].Http.BaseAddress!);
        using var steward = Basic(nodeB, "ups-steward");
        using var performer = Basic(nodeB, "ups-performer");
        var (study, series) = (Uid(), Uid());
        Assert.Equal(HttpStatusCode.OK, (await Stow(steward, "/dicomweb/studies", Make(study, series, Uid()))).StatusCode);
        var uid = Uid();
        var root = new Uri(nodeB, "/dicomweb").ToString();
        var created = await steward.PostAsync($"/dicomweb/workitems?{uid}", WorkitemServer.DicomJson($$$"""
            {"00741200":{"vr":"CS","Value":["HIGH"]},"00741204":{"vr":"LO","Value":["second read"]},"00741202":{"vr":"LO","Value":["cluster"]},
             "00404005":{"vr":"DT","Value":["20260301120000"]},"00404041":{"vr":"CS","Value":["READY"]},
             "00404021":{"vr":"SQ","Value":[{"0020000D":{"vr":"UI","Value":["{{{study}}}"]},"00081190":{"vr":"UR","Value":["{{{root}}}/studies/{{{study}}}"]}}]}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // The performer's event channel is open on node A; everything else happens on node B.
        var ae = "AI" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("ups-performer:" + Password)));
        await ws.ConnectAsync(new Uri($"ws://{nodeA.Authority}/dicomweb/subscribers/{ae}"), CancellationToken.None);
        Assert.Equal(HttpStatusCode.Created, (await performer.PostAsync($"/dicomweb/workitems/{uid}/subscribers/{ae}", WorkitemServer.DicomJson(""))).StatusCode);
        var initial = await ReceiveAsync(ws);
        Assert.Equal((uid, "SCHEDULED"), (Value(initial, "00001000"), Value(initial, "00741000")));
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state",
            WorkitemServer.DicomJson(WorkitemServer.StateBody("IN PROGRESS", Uid())))).StatusCode);
        var change = await ReceiveAsync(ws);
        Assert.Equal((uid, "IN PROGRESS"), (Value(change, "00001000"), Value(change, "00741000")));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    static HttpClient Basic(Uri node, string user)
    {
        var http = new HttpClient { BaseAddress = node };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes(user + ":" + Password)));
        return http;
    }

    static async Task<JsonNode> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[65536];
        var r = await ws.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        return JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, r.Count))!;
    }
}
