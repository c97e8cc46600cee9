using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Playwright;
using Mira.Server.Tests.Web;

namespace Mira.Server.Tests.Deployment;

/// <summary>
/// Clinician review in a real Chromium (issue 19's must-show): under a blind-first-read deployment the clinician records
/// their own read before each AI result is shown with its AI-generated banner and the model's identity, then accepts one,
/// rejects one with a reason and corrects one by uploading the corrected label map; the correction becomes annotation
/// versions in the feedback project, on its de-identified copy of the study. Every display is audited.
/// </summary>
public sealed class ResultReviewBrowserTests(BrowserFixture browser, ReviewServer server) : IClassFixture<BrowserFixture>, IClassFixture<ReviewServer>
{
    [Fact]
    public async Task A_clinician_reads_first_then_accepts_rejects_and_corrects_ai_results_and_the_correction_reaches_the_feedback_project_de_identified()
    {
        await using var context = await browser.NewContextAsync(server.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, ReviewServer.Clinician, TestArchive.UserPassword);
        await page.GotoAsync("/results");
        Assert.Equal(3, await page.Locator("#results tbody tr").CountAsync());
        Assert.Equal("Identified intake zone", await page.InnerTextAsync("#zone"));

        var ids = server.Results.Select(r => (string)r["id"]!).ToArray();
        await OpenAndReadFirstAsync(page, ids[0], "No focal uptake suspicious of malignancy.");
        await page.ClickAsync("#accept");
        Assert.Contains("You accepted", await page.InnerTextAsync("#review-stored"));

        await OpenAndReadFirstAsync(page, ids[1], "One avid lesion, right lung.");
        await page.FillAsync("#reject-reason", "The whole lesion is missed; the mask covers noise");
        await page.ClickAsync("#reject");
        Assert.Contains("You rejected", await page.InnerTextAsync("#review-stored"));

        await OpenAndReadFirstAsync(page, ids[2], "Two lesions.");
        var series = (string)server.Results[2]["seriesInstanceUid"]!;
        await page.SetInputFilesAsync("#correction-file", server.Corrections[series]);
        await page.FillAsync("#correct-reason", "Lesion boundary redrawn");
        await page.ClickAsync("#correct");
        if (await page.Locator("#review-stored").CountAsync() == 0) Assert.Fail("the correction was not stored: " + await page.InnerTextAsync("body"));
        Assert.Contains("annotation task", await page.InnerTextAsync("#review-stored"));

        // The decisions, as the API gives them.
        var clinician = server.Basic(ReviewServer.Clinician, TestArchive.UserPassword);
        JsonObject Review(string id) => JsonNode.Parse(clinician.GetStringAsync($"/api/results/{id}").Result)!["result"]!["review"]!.AsObject();
        Assert.Equal("accepted", (string)Review(ids[0])["state"]!);
        var rejected = Review(ids[1]);
        Assert.Equal("rejected", (string)rejected["state"]!);
        Assert.Equal("The whole lesion is missed; the mask covers noise", (string)rejected["reason"]!);
        var corrected = Review(ids[2]);
        Assert.Equal("corrected", (string)corrected["state"]!);
        // The baseline finds the synthetic lesions exactly (uniform uptake, 41 % of SUVmax): only the added region changed.
        var editDistance = (double)corrected["editDistance"]!;
        Assert.Equal(ReviewServer.AddedVoxels / (double)(server.LesionVoxels[series] + ReviewServer.AddedVoxels), editDistance, 12);

        // The correction: a done feedback task in the project, on the project's de-identified copy of the study, whose versions
        // are the model's output (import) and the clinician's correction (consensus).
        var view = JsonNode.Parse(await clinician.GetStringAsync($"/api/results/{ids[2]}"))!["result"]!;
        var record = await server.Archive.Deployments.Store.GetResultAsync(ids[2]);
        var task = (await server.Archive.Annotations.Store.GetTaskAsync(record!.FeedbackTask!.Value))!;
        Assert.Equal(ReviewServer.FeedbackProject, task.Project);
        Assert.Equal("feedback", task.Batch);
        Assert.Equal("done", task.State);
        Assert.NotEqual((string)view["studyInstanceUid"]!, task.StudyUid);
        Assert.NotEqual((string)view["seriesInstanceUid"]!, task.SeriesUid);
        var versions = await server.Archive.Annotations.Store.VersionsAsync(task.Id);
        Assert.Equal(["import", "consensus"], versions.Select(v => v.Role));
        Assert.Equal("model:pet-suv41-baseline@1.0.0", versions[0].Author);
        Assert.Equal((ReviewServer.Clinician, "clinician-correction"), (versions[1].Author, versions[1].Tool));
        var archive = await server.Archive.Projects.Archives.GetAsync(ReviewServer.FeedbackProject);
        await using (var c = await archive.Index.Database.OpenAsync())
        {
            var patients = (await c.QueryAsync<string>("SELECT patient_id FROM patients")).ToList();
            Assert.NotEmpty(patients);
            Assert.DoesNotContain(patients, p => server.Cohort.Any(k => k.PatientId == p));
        }

        // Every display of a result is audited (the withheld ones too), as the clinician.
        await using var db = await server.Archive.Database.OpenAsync();
        var views = (await db.QueryAsync<string>("SELECT outcome FROM mira_audit WHERE action = 'deployment.result-view' AND actor = @actor",
            new { actor = ReviewServer.Clinician })).ToList();
        Assert.Contains("failure", views);
        Assert.True(views.Count(v => v == "success") >= 3, $"{views.Count(v => v == "success")} audited displays");
    }

    /// <summary>Opens a result: it is withheld until the clinician's own read is recorded, then shown with its AI banner.</summary>
    static async Task OpenAndReadFirstAsync(IPage page, string id, string read)
    {
        await page.GotoAsync($"/results/{id}");
        Assert.Contains("blind first read", await page.InnerTextAsync("#withheld"));
        Assert.Equal(0, await page.Locator("#ai-banner").CountAsync());
        await page.FillAsync("#read", read);
        await page.ClickAsync("#record-own-read");
        if (await page.Locator("#ai-banner").CountAsync() == 0) Assert.Fail("no banner after the own read: " + page.Url + "\n" + await page.InnerTextAsync("body"));
        var banner = await page.InnerTextAsync("#ai-banner");
        Assert.Contains("AI-generated result", banner);
        Assert.Contains("pet-suv41-baseline", banner);
        Assert.Contains("Not reviewed", banner);
        Assert.Contains(read, await page.InnerTextAsync("#own-read-recorded"));
    }
}
