using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Mira.Server.Tests.Web;

/// <summary>
/// The signed report in a real Chromium: the submitter opens a finished evaluation's page, follows the report link, and
/// report.html opens as its own document under its sandboxing content security policy — its SVG plots laid out, no
/// console error, no CSP violation. A full-page screenshot is kept in the test output folder.
/// </summary>
[Collection(EvaluationWorld.Name)]
public sealed class EvaluationReportBrowserTests(BrowserFixture browser, EvaluationPagesServer server, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_submitter_opens_the_signed_report_and_its_plots_render_without_errors_or_policy_violations()
    {
        await using var context = await browser.NewContextAsync(server.BaseUrl);
        var problems = new List<string>();
        // The report's document only (Mira's own pages have no favicon: their 404 is not the report's).
        context.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning" && m.Page?.Url.Contains("/report/", StringComparison.Ordinal) == true)
                problems.Add($"console {m.Type} at {m.Location}: {m.Text}");
        };
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, "dev", TestArchive.UserPassword);
        await page.GotoAsync($"/evaluations/{server.Finished.Id}");
        Assert.Equal("succeeded", await page.InnerTextAsync("#evaluation-state"));

        var reportTask = context.WaitForPageAsync();
        await page.ClickAsync("#report-html");
        var report = await reportTask;
        report.PageError += (_, e) => problems.Add("report page error: " + e);
        await report.WaitForLoadStateAsync(LoadState.Load);
        Assert.Equal($"/api/evaluations/{server.Finished.Id}/report/report.html", new Uri(report.Url).AbsolutePath);

        var plots = report.Locator("div.plots svg");
        var count = await plots.CountAsync();
        Assert.True(count >= 2, $"the report has {count} plots");
        for (var i = 0; i < count; i++)
        {
            var box = await plots.Nth(i).BoundingBoxAsync();
            Assert.True(box is { Width: > 0, Height: > 0 }, $"plot {i} is not laid out: {box?.Width}x{box?.Height}");
            Assert.True(await plots.Nth(i).IsVisibleAsync(), $"plot {i} is not visible");
        }
        Assert.Contains(EvaluationPagesServer.Model, await report.InnerTextAsync("body"));

        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "evaluation-report.png");
        await report.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine("screenshot: " + path);
        Console.WriteLine("evaluation report screenshot: " + path);
        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot is (nearly) empty");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
