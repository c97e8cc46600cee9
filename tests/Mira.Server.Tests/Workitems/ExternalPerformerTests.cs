using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Mira.Testing;

namespace Mira.Server.Tests.Workitems;

/// <summary>
/// The must-show (IHE AIW-I): an external performer — <c>external_performer.py</c>, another process speaking
/// only HTTP (urllib) — takes a work item from Mira's worklist, reads its input over WADO-RS, stores a result over
/// STOW-RS and completes it.
/// </summary>
public sealed class ExternalPerformerTests(WorkitemServer server) : IClassFixture<WorkitemServer>
{
    static string Script => Path.Combine(Corpus.RepositoryRoot, "tests", "Mira.Server.Tests", "Workitems", "external_performer.py");

    static async Task<JsonNode> RunPerformerAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"the performer failed ({p.ExitCode}): {await error}");
        return JsonNode.Parse(await output)!;
    }

    [Fact]
    public async Task An_external_performer_claims_a_work_item_stores_its_result_over_stow_and_completes_it()
    {
        var worklist = "aiw-" + Guid.NewGuid().ToString("N")[..8];
        var uid = await server.ScheduleAsync(worklist);

        var done = await RunPerformerAsync(server.DicomwebRoot, server.PerformerToken, worklist);

        Assert.Equal(uid, (string?)done["workitem"]);
        Assert.Equal(1, (int)done["inputs"]!);
        var (study, series, instance) = ((string)done["study"]!, (string)done["series"]!, (string)done["instance"]!);
        Assert.Equal(server.Study, study);
        using var steward = server.Steward;
        var item = await WorkitemServer.OneAsync(await steward.GetAsync($"/dicomweb/workitems/{uid}"));
        Assert.Equal("COMPLETED", Dicomweb.Value(item, "00741000"));
        Assert.DoesNotContain((string)done["transaction"]!, item.ToJsonString());
        var performed = item["00741216"]!["Value"]![0]!;
        var output = performed["00404033"]!["Value"]![0]!;
        Assert.Equal((study, series), (Dicomweb.Value(output, "0020000D"), Dicomweb.Value(output, "0020000E")));
        Assert.Equal(instance, Dicomweb.Value(output["00081199"]!["Value"]![0], "00081155"));
        Assert.Equal("AI-INFERENCE", Dicomweb.Value(performed["00404019"]!["Value"]![0], "00080100"));
        Assert.Equal("50", Dicomweb.Value(item["00741002"]!["Value"]![0], "00741004"));

        // The result is in the archive, in the input study, stored by the performer.
        var stored = await server.Archive.Index.FindInstanceAsync(instance);
        Assert.NotNull(stored);
        Assert.Equal((study, series), (stored.StudyInstanceUid, stored.SeriesInstanceUid));
        Assert.Equal(HttpStatusCode.OK, (await steward.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{instance}/metadata")).StatusCode);
        var audit = (await server.Archive.Audit.ReadAsync(1, 100000)).Where(a => a.Actor == "ai-service").ToList();
        Assert.Contains(audit, a => a.Action == "workitem.claim" && a.Resource == uid && a.DetailsJson!.Contains("\"to\":\"IN PROGRESS\""));
        Assert.Contains(audit, a => a.Action == "wado.retrieve" && a.Resource == study && a.Outcome == "success");
        Assert.Contains(audit, a => a.Action == "stow.store" && a.Outcome == "success");
        Assert.Contains(audit, a => a.Action == "workitem.complete" && a.Resource == uid && a.DetailsJson!.Contains("\"to\":\"COMPLETED\""));

        // Taken: nothing is left for a second performer on that worklist.
        var second = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => RunPerformerAsync(server.DicomwebRoot, server.OtherPerformerToken, worklist));
        Assert.Contains($"no SCHEDULED work item on worklist {worklist}", second.Message);
    }
}
