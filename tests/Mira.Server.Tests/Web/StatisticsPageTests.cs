using System.Net.Http.Json;
using Mira.Platform.Audit;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 15 item 5 in a real browser against a real <c>mira serve --demo</c>: the steward's statistics page with its
/// server-drawn plots, the auditor's aggregate query form over a de-identified copy of the demo, refused for others.
/// </summary>
public sealed class StatisticsPageTests(BrowserFixture browser, WorkspaceServer mira) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    [Fact]
    public async Task A_steward_sees_the_intakes_counts_and_every_plot_drawn()
    {
        await using var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, "steward", WorkspaceServer.Password, "/statistics");
        Assert.Equal("3", await page.InnerTextAsync("#total-studies"));
        Assert.Equal(3, await page.Locator("#by-modality tbody tr").CountAsync());
        Assert.Equal("No patient data", await page.InnerTextAsync("#zone"));
        var images = page.Locator(".plots img");
        Assert.Equal(6, await images.CountAsync());
        for (var i = 0; i < 6; i++)
        {
            await images.Nth(i).ScrollIntoViewIfNeededAsync();
            await page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await images.Nth(i).ElementHandleAsync());
        }
        Assert.Equal(0, await page.Locator("#aggregate-form").CountAsync());
    }

    [Fact]
    public async Task An_auditor_counts_a_de_identified_copy_by_modality_and_sex_and_sees_only_suppressed_small_cells()
    {
        using (var r = await mira.Server.Http.PostAsJsonAsync("/api/projects", new { id = "page-deid", name = "Page", recipe = "research" })) r.EnsureSuccessStatusCode();
        var studies = new[] { DemoStudies.StudyUid("ct"), DemoStudies.StudyUid("mr"), DemoStudies.StudyUid("pt") };
        using (var r = await mira.Server.Http.PostAsJsonAsync("/api/projects/page-deid/copy", new { studies })) r.EnsureSuccessStatusCode();

        await using var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, "auditor", WorkspaceServer.Password, "/statistics");
        Assert.Equal(0, await page.Locator("#intake-statistics").CountAsync());
        await page.CheckAsync("#aggregate-form input[value=modality]");
        await page.CheckAsync("#aggregate-form input[value=sex]");
        await Task.WhenAll(page.WaitForURLAsync("**/statistics?*"), page.ClickAsync("#aggregate-form button[type=submit]"));
        var rows = await page.Locator("#aggregate-result tbody tr").AllInnerTextsAsync();
        Assert.Equal(["CT\tF\t<5", "CT+PT\tF\t<5", "MR\tM\t<5"], rows.Select(r => r.Trim())); // the demo PET-CT is one CT+PT study
        Assert.Equal("<5", await page.InnerTextAsync("#aggregate-total"));
        Assert.DoesNotContain("DEMO", await page.InnerTextAsync("main"));

        await page.GotoAsync("/statistics?run=1&by=weight");
        Assert.Contains("unknown dimension 'weight'", await page.InnerTextAsync("#aggregate-error"));
    }

    [Fact]
    public async Task Statistics_are_refused_to_an_annotator()
    {
        await using var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, "annotator", WorkspaceServer.Password, "/statistics");
        var answer = await page.ReloadAsync();
        Assert.Equal(403, answer!.Status);
        Assert.Contains("Statistics are for stewards", await page.InnerTextAsync("#statistics-refused"));
        Assert.Equal(0, await page.Locator("#intake-statistics, #aggregate-form").CountAsync());
    }
}
