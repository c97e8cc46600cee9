using System.Net;
using System.Text.RegularExpressions;
using Mira.Storage.Evaluations;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 18's pages over plain HTTP, per role: the model list and card, the phases, a phase with its leaderboard and the
/// submit form (a submission appearing, a refusal shown with its reason), and an evaluation with its signed report.
/// </summary>
[Collection(EvaluationWorld.Name)]
public sealed partial class EvaluationPagesTests(EvaluationPagesServer server)
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    async Task<(HttpStatusCode Status, string Html)> PageAsync(string user, string path)
    {
        using var http = server.As(user);
        using var r = await http.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>The rows' values of one data attribute, in order.</summary>
    static List<string> Attr(string html, string table, string attribute)
    {
        var start = html.IndexOf($"id=\"{table}\"", StringComparison.Ordinal);
        if (start < 0) return [];
        var end = html.IndexOf("</table>", start, StringComparison.Ordinal);
        return [.. Regex.Matches(html[start..end], $"<tr {attribute}=\"([^\"]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];
    }

    [Fact]
    public async Task A_developer_sees_only_their_own_model_versions_and_stewards_see_all()
    {
        var (status, dev) = await PageAsync("dev", "/models");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([EvaluationPagesServer.Model], Attr(dev, "models", "data-model"));
        Assert.Contains("id=\"nav-models\"", dev);
        Assert.Contains("id=\"nav-evaluation\"", dev);
        Assert.Equal([EvaluationPagesServer.OtherModel], Attr((await PageAsync("dev2", "/models")).Html, "models", "data-model"));
        Assert.Equal([EvaluationPagesServer.OtherModel, EvaluationPagesServer.Model], Attr((await PageAsync("steward", "/models")).Html, "models", "data-model"));
        var (_, annotator) = await PageAsync("annotator", "/");
        Assert.DoesNotContain("nav-models", annotator);
        Assert.DoesNotContain("nav-evaluation", annotator);
    }

    [Fact]
    public async Task The_model_card_shows_the_manifest_and_the_baseline_flag_and_another_developer_gets_not_found()
    {
        var (status, html) = await PageAsync("dev", $"/models/{EvaluationPagesServer.Model}/1.0.0");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("id=\"model-baseline\"", html);
        Assert.Contains("Apache-2.0", html);
        Assert.Contains("petct-tumour-metabolism", html);
        Assert.Contains("whole-body volumes with several lesions", html);     // out of scope
        Assert.Contains("Heterogeneous and necrotic lesions", html);          // failure modes
        Assert.Contains("researchers evaluating PET segmentation models", html); // intended users
        Assert.Contains("Not probabilistic", html);                           // calibration
        Assert.Contains("id=\"card-no-training-releases\"", html);
        Assert.Equal([server.Finished.Id, server.FailedRun.Id], Attr(html, "model-evaluation-table", "data-evaluation").Select(long.Parse).Order());

        var (otherStatus, other) = await PageAsync("dev2", $"/models/{EvaluationPagesServer.Model}/1.0.0");
        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        Assert.Contains("id=\"refusal\"", other);
        Assert.DoesNotContain("Apache-2.0", other);
        var (stewardStatus, steward) = await PageAsync("steward", $"/models/{EvaluationPagesServer.OtherModel}/1.0.0");
        Assert.Equal(HttpStatusCode.OK, stewardStatus);
        Assert.Contains("glioma-brats", steward);
    }

    [Fact]
    public async Task Members_see_the_project_s_phases_and_a_non_member_sees_none_and_gets_not_found()
    {
        Assert.Equal([EvaluationPagesServer.Unlabelled, EvaluationPagesServer.Phase, EvaluationPagesServer.OnceOnly], Attr((await PageAsync("dev", "/phases")).Html, "phases", "data-phase").Order());
        Assert.Empty(Attr((await PageAsync("dev2", "/phases")).Html, "phases", "data-phase"));
        Assert.Contains("id=\"no-phases\"", (await PageAsync("dev2", "/phases")).Html);
        var (status, html) = await PageAsync("dev2", $"/phases/{EvaluationPagesServer.Phase}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("PET lesion segmentation", html);
    }

    [Fact]
    public async Task A_phase_shows_what_it_scores_its_limits_and_the_leaderboard_and_only_developers_get_the_form()
    {
        var (status, html) = await PageAsync("dev", $"/phases/{EvaluationPagesServer.Phase}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(server.LabelledReleaseId, html);
        Assert.Contains("dice, the mean over the test cases (higher is better)", html);
        Assert.Contains("5 submissions per submitter in all, 3 in any 24 hours", html);
        Assert.Contains("(open)", html);
        Assert.Equal(["dev"], Attr(html, "leaderboard", "data-rank=\"1\" data-submitter"));
        Assert.Contains(Mira.Server.Web.Components.EvaluationTable.Score(server.Finished.Score), html);
        Assert.Contains("id=\"submit-model\"", html);
        Assert.Contains($"value=\"{EvaluationPagesServer.Model}/1.0.0\"", html);
        Assert.Contains("You have used 1 of 5 submissions", html);

        var (_, steward) = await PageAsync("steward", $"/phases/{EvaluationPagesServer.Phase}");
        Assert.Equal(["dev"], Attr(steward, "leaderboard", "data-rank=\"1\" data-submitter"));
        Assert.DoesNotContain("id=\"submit-model\"", steward);
        var (_, annotator) = await PageAsync("annotator", $"/phases/{EvaluationPagesServer.Phase}");
        Assert.DoesNotContain("id=\"submit-model\"", annotator);
        Assert.DoesNotContain($"/evaluations/{server.Finished.Id}\"", annotator); // another's report is not linked
    }

    [Fact]
    public async Task A_developer_s_submission_appears_and_the_next_one_past_the_limit_is_refused_with_its_reason()
    {
        // Forms are posted by a signed-in browser session (cookie), never with Basic credentials.
        using var http = FormSignIn.Client(server.BaseUrl);
        using (var signIn = await FormSignIn.PostAsync(http, "dev", TestArchive.UserPassword)) Assert.True((int)signIn.StatusCode is 302 or 303, $"sign-in: {signIn.StatusCode}");
        async Task<(HttpStatusCode, string)> SubmitAsync()
        {
            using var get = await http.GetAsync($"/phases/{EvaluationPagesServer.OnceOnly}");
            var token = TokenPattern().Matches(await get.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).Last();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/phases/{EvaluationPagesServer.OnceOnly}")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["_handler"] = "submit-model", ["__RequestVerificationToken"] = token, ["model"] = $"{EvaluationPagesServer.Model}/1.0.0",
                }),
            };
            using var r = await http.SendAsync(request);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var (status, html) = await SubmitAsync();
        Assert.True(status == HttpStatusCode.OK, html);
        Assert.Contains("id=\"submitted\"", html);
        var id = Assert.Single(Attr(html, "submissions", "data-evaluation"));
        Assert.Contains($"href=\"/evaluations/{id}\"", html);
        Assert.Contains("You have used 1 of 1 submissions", html);
        Assert.Contains(id, Attr((await PageAsync("dev", "/phases")).Html, "my-evaluations", "data-evaluation"));

        var (refusedStatus, refused) = await SubmitAsync();
        Assert.Equal(HttpStatusCode.Conflict, refusedStatus);
        Assert.Contains("id=\"submit-error\"", refused);
        Assert.Contains($"dev has used all 1 submissions of phase {EvaluationPagesServer.OnceOnly}", refused);
        Assert.Equal([id], Attr(refused, "submissions", "data-evaluation"));
        var audit = (await server.Archive.Audit.ReadAsync(1, 100_000))
            .Where(r => r.Actor == "dev" && r.Action == Mira.Platform.Audit.AuditActions.EvaluationSubmit && r.Resource == $"phase:{EvaluationPagesServer.OnceOnly}").ToList();
        Assert.Equal(["success", "denied"], audit.Select(r => r.Outcome)); // the service audits what the page asked for
        var (_, queued) = await PageAsync("dev", $"/evaluations/{id}");
        Assert.Contains("data-state=\"queued\"", queued);
        Assert.DoesNotContain("id=\"report-html\"", queued);
    }

    [Fact]
    public async Task A_finished_evaluation_shows_its_score_and_links_its_signed_report_to_its_submitter_and_stewards_only()
    {
        var path = $"/evaluations/{server.Finished.Id}";
        var (status, html) = await PageAsync("dev", path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-state=\"succeeded\"", html);
        Assert.Contains("dice " + Mira.Server.Web.Components.EvaluationTable.Score(server.Finished.Score), html);
        Assert.Contains($"href=\"/api/evaluations/{server.Finished.Id}/report/report.html\"", html);
        Assert.Contains($"href=\"/api/evaluations/{server.Finished.Id}/report/report.json\"", html);
        Assert.Contains($"href=\"/api/evaluations/{server.Finished.Id}/report/signature.json\"", html);
        Assert.Contains(server.Finished.KeyId!, html);
        Assert.Contains("mira report verify DIR", html);
        Assert.Contains("data-structure=\"LESION\" data-metric=\"dice\"", html);
        Assert.Contains("4 cases of 4 patients", html); // the labelled release's four annotated PET studies
        Assert.DoesNotContain("<svg", html); // the report is linked, never inlined
        Assert.Equal(HttpStatusCode.OK, (await PageAsync("steward", path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync("dev2", path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await PageAsync("annotator", path)).Status);

        using var http = server.As("dev");
        using var report = await http.GetAsync($"/api/evaluations/{server.Finished.Id}/report/report.html");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(Mira.Server.Models.EvaluationEndpoints.ReportPolicy, Assert.Single(report.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task A_failed_evaluation_shows_the_reason_its_submitter_may_read_and_no_report()
    {
        Assert.Equal(EvaluationStates.Failed, server.FailedRun.State);
        var (status, html) = await PageAsync("dev", $"/evaluations/{server.FailedRun.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-state=\"failed\"", html);
        Assert.Contains("id=\"evaluation-error\"", html);
        Assert.Contains(server.FailedRun.Error!, WebUtility.HtmlDecode(html));
        Assert.DoesNotContain("id=\"evaluation-report\"", html);
        Assert.DoesNotContain(server.DataFolder, html); // the runner's private paths never reach the submitter
        var (_, phase) = await PageAsync("dev", $"/phases/{EvaluationPagesServer.Phase}");
        Assert.Equal([server.Finished.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Attr(phase, "leaderboard", "data-rank=\"1\" data-submitter=\"dev\" data-evaluation"));
    }
}
