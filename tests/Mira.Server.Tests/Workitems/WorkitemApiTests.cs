using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using static Mira.Server.Tests.Workitems.WorkitemServer;

namespace Mira.Server.Tests.Workitems;

/// <summary>UPS-RS over HTTP (PS3.18 §11): create, search, retrieve, change state, cancel, the event WebSocket, and what a performer may read.</summary>
public sealed class WorkitemApiTests(WorkitemServer server) : IClassFixture<WorkitemServer>
{
    static string NewLabel() => "wl-" + Guid.NewGuid().ToString("N")[..8];

    string NewWorkitemJson(string label) => $$$"""
        {"00741200":{"vr":"CS","Value":["HIGH"]},"00741204":{"vr":"LO","Value":["second read"]},"00741202":{"vr":"LO","Value":["{{{label}}}"]},
         "00404005":{"vr":"DT","Value":["20260301120000"]},"00404041":{"vr":"CS","Value":["READY"]},
         "00404021":{"vr":"SQ","Value":[{"0020000D":{"vr":"UI","Value":["{{{server.Study}}}"]},"00081190":{"vr":"UR","Value":["{{{server.DicomwebRoot}}}/studies/{{{server.Study}}}"]}}]}}
        """;

    [Fact]
    public async Task A_created_work_item_is_answered_201_with_its_location_then_retrieved_and_found()
    {
        var uid = Dicomweb.Uid();
        var label = NewLabel();
        using var steward = server.Steward;
        var created = await steward.PostAsync($"/dicomweb/workitems?{uid}", DicomJson(NewWorkitemJson(label)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{server.DicomwebRoot}/workitems/{uid}", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Conflict, (await steward.PostAsync($"/dicomweb/workitems?{uid}", DicomJson(NewWorkitemJson(label)))).StatusCode);
        var item = await OneAsync(await steward.GetAsync($"/dicomweb/workitems/{uid}"));
        Assert.Equal("SCHEDULED", Dicomweb.Value(item, "00741000"));
        Assert.Equal("HIGH", Dicomweb.Value(item, "00741200"));
        using var performer = server.Performer;
        var found = await OneAsync(await performer.GetAsync($"/dicomweb/workitems?ProcedureStepState=SCHEDULED&WorklistLabel={label}"));
        Assert.Equal(uid, Dicomweb.Value(found, "00080018"));
        Assert.Equal($"{server.DicomwebRoot}/workitems/{uid}", Dicomweb.Value(found, "00081190"));
        Assert.Equal(HttpStatusCode.NoContent, (await performer.GetAsync($"/dicomweb/workitems?WorklistLabel={NewLabel()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await performer.PostAsync($"/dicomweb/workitems?{Dicomweb.Uid()}", DicomJson(NewWorkitemJson(label)))).StatusCode);
        using var xml = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/workitems/{uid}");
        xml.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+xml"));
        Assert.Equal(HttpStatusCode.NotAcceptable, (await steward.SendAsync(xml)).StatusCode);
        using var annotator = server.Basic("annotator", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await annotator.GetAsync($"/dicomweb/workitems/{uid}")).StatusCode);
        var bad = await steward.PostAsync($"/dicomweb/workitems?{Dicomweb.Uid()}", DicomJson("""{"00741200":{"vr":"CS","Value":["SOON"]}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("(0074,1200)", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_transaction_uid_is_never_answered_and_a_wrong_one_is_refused_naming_the_item()
    {
        var uid = await server.ScheduleAsync(NewLabel());
        var txn = Dicomweb.Uid();
        using var performer = server.Performer;
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("IN PROGRESS", txn)))).StatusCode);
        using var steward = server.Steward;
        foreach (var client in new[] { performer, steward })
        {
            var read = await client.GetAsync($"/dicomweb/workitems/{uid}");
            var text = await read.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Contains("IN PROGRESS", text);
            Assert.DoesNotContain(txn, text);
            Assert.DoesNotContain("\"00081195\"", text);
        }
        Assert.DoesNotContain(txn, await (await steward.GetAsync("/dicomweb/workitems?ProcedureStepState=IN%20PROGRESS")).Content.ReadAsStringAsync());
        var wrong = await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("CANCELED", Dicomweb.Uid())));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains($"work item {uid} is IN PROGRESS under another Transaction UID", await wrong.Content.ReadAsStringAsync());
        using var other = server.OtherPerformer;
        var second = await other.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("IN PROGRESS", Dicomweb.Uid())));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("is IN PROGRESS, not SCHEDULED", await second.Content.ReadAsStringAsync());
        var early = await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("COMPLETED", txn)));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("final-state requirements", await early.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("CANCELED", txn)))).StatusCode);
        var again = await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("CANCELED", txn)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("already in the requested state of CANCELED", again.Headers.GetValues("Warning").Single());
    }

    [Fact]
    public async Task A_cancellation_request_cancels_a_scheduled_work_item()
    {
        var uid = await server.ScheduleAsync(NewLabel());
        using var steward = server.Steward;
        Assert.Equal(HttpStatusCode.Accepted, (await steward.PostAsync($"/dicomweb/workitems/{uid}/cancelrequest",
            DicomJson("""{"00741238":{"vr":"LT","Value":["not needed"]}}"""))).StatusCode);
        Assert.Equal("CANCELED", Dicomweb.Value(await OneAsync(await steward.GetAsync($"/dicomweb/workitems/{uid}")), "00741000"));
        using var performer = server.Performer;
        Assert.Equal(HttpStatusCode.Forbidden, (await performer.PostAsync($"/dicomweb/workitems/{uid}/cancelrequest", DicomJson(""))).StatusCode);
    }

    ClientWebSocket Socket(string token)
    {
        var ws = new ClientWebSocket();
        ws.Options.SetRequestHeader("Authorization", "Bearer " + token);
        ws.Options.CollectHttpResponseDetails = true;
        return ws;
    }

    Uri Channel(string ae) => new($"ws://{server.BaseUrl.Authority}/dicomweb/subscribers/{ae}");

    static async Task<JsonNode> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[65536];
        var r = await ws.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        Assert.True(r.EndOfMessage);
        return JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, r.Count))!;
    }

    [Fact]
    public async Task A_subscriber_on_the_websocket_channel_receives_the_state_change_event()
    {
        var uid = await server.ScheduleAsync(NewLabel());
        var ae = "AI" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var ws = Socket(server.PerformerToken);
        await ws.ConnectAsync(Channel(ae), CancellationToken.None);
        using var performer = server.Performer;
        Assert.Equal(HttpStatusCode.Created, (await performer.PostAsync($"/dicomweb/workitems/{uid}/subscribers/{ae}", DicomJson(""))).StatusCode);
        var initial = await ReceiveAsync(ws);
        Assert.Equal((uid, "1", "SCHEDULED"), (Dicomweb.Value(initial, "00001000"), Dicomweb.Value(initial, "00001002"), Dicomweb.Value(initial, "00741000")));
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("IN PROGRESS", Dicomweb.Uid())))).StatusCode);
        var change = await ReceiveAsync(ws);
        Assert.Equal((uid, "1", "IN PROGRESS"), (Dicomweb.Value(change, "00001000"), Dicomweb.Value(change, "00001002"), Dicomweb.Value(change, "00741000")));
        Assert.Equal("1.2.840.10008.5.1.4.34.6.1", Dicomweb.Value(change, "00000002"));

        // The AE title is ai-service's now: another account can neither open its channel nor subscribe under it.
        using var stolen = Socket(server.OtherPerformerToken);
        await Assert.ThrowsAsync<WebSocketException>(() => stolen.ConnectAsync(Channel(ae), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, stolen.HttpStatusCode);
        using var other = server.OtherPerformer;
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync($"/dicomweb/workitems/{uid}/subscribers/{ae}", DicomJson(""))).StatusCode);
        using var anonymous = new ClientWebSocket();
        anonymous.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => anonymous.ConnectAsync(Channel(ae), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.HttpStatusCode);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        var audit = await server.Archive.Audit.ReadAsync(1, 100000);
        Assert.Contains(audit, a => a.Actor == "ai-service" && a.Action == "workitem.channel" && a.Resource == ae);
        Assert.Contains(audit, a => a.Actor == "other-ai" && a.Action == "workitem.channel" && a.Outcome == "denied");
    }

    [Fact]
    public async Task The_channel_closes_on_a_client_message_over_its_limit_and_a_body_over_its_limit_is_refused()
    {
        var ae = "BIG" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        using var ws = Socket(server.PerformerToken);
        await ws.ConnectAsync(Channel(ae), CancellationToken.None);
        await ws.SendAsync(new byte[Mira.Server.Workitems.WorkitemEventSocket.MaxClientMessageBytes + 1], WebSocketMessageType.Binary, true, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var r = await ws.ReceiveAsync(new byte[1024], timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, r.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
        using var steward = server.Steward;
        var big = await steward.PostAsync($"/dicomweb/workitems?{Dicomweb.Uid()}",
            DicomJson("{\"00741204\":{\"vr\":\"LO\",\"Value\":[\"" + new string('x', 1 << 20) + "\"]}}"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task A_performer_reads_and_stores_only_into_the_inputs_of_the_work_items_it_holds()
    {
        var (study, series) = await server.StoreStudyAsync();
        var uid = await server.ScheduleAsync(NewLabel(), study, series);
        var input = $"/dicomweb/studies/{study}/series/{series}";
        using var performer = server.Performer;
        async Task<HttpStatusCode> Retrieve(HttpClient c, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("multipart/related; type=\"application/dicom\""));
            return (await c.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await Retrieve(performer, input));
        var txn = Dicomweb.Uid();
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("IN PROGRESS", txn)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await Retrieve(performer, input));
        Assert.Equal(HttpStatusCode.OK, (await performer.GetAsync($"{input}/metadata")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await Retrieve(performer, $"/dicomweb/studies/{study}"));
        Assert.Equal(HttpStatusCode.Forbidden, await Retrieve(performer, $"/dicomweb/studies/{server.OtherStudy}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await performer.GetAsync("/dicomweb/studies")).StatusCode);
        var elsewhere = Dicomweb.Make(server.OtherStudy, Dicomweb.Uid(), Dicomweb.Uid());
        Assert.Equal(HttpStatusCode.Forbidden, (await Dicomweb.Stow(performer, $"/dicomweb/studies/{server.OtherStudy}", elsewhere)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Dicomweb.Stow(performer, "/dicomweb/studies", elsewhere)).StatusCode);
        using var other = server.OtherPerformer;
        Assert.Equal(HttpStatusCode.Forbidden, await Retrieve(other, input));
        Assert.Equal(HttpStatusCode.OK, (await performer.PutAsync($"/dicomweb/workitems/{uid}/state", DicomJson(StateBody("CANCELED", txn)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await Retrieve(performer, input));
        var audit = await server.Archive.Audit.ReadAsync(1, 100000);
        Assert.Contains(audit, a => a.Actor == "ai-service" && a.Action == "wado.retrieve" && a.Resource == study && a.Outcome == "success");
        Assert.Contains(audit, a => a.Actor == "ai-service" && a.Action == "wado.retrieve" && a.Resource == server.OtherStudy && a.Outcome == "denied");
    }
}
