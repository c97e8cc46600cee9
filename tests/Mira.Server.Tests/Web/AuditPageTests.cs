using System.Net.Http.Headers;
using System.Text;
using Microsoft.Playwright;
using Mira.Platform.Audit;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 15, the audit log page in a real browser against a real <c>mira serve --demo</c>: an auditor filters the log
/// (actor, action prefix, outcome, days) and has the hash chain verified, both audited; a steward gets the refusal page.
/// </summary>
public sealed class AuditPageTests(BrowserFixture browser, WorkspaceServer mira) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    async Task<IPage> SignedInAsync(string user)
    {
        var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, user, WorkspaceServer.Password);
        return page;
    }

    async Task StewardSearchesAsync()
    {
        using var steward = new HttpClient { BaseAddress = mira.BaseUrl };
        steward.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes("steward:" + WorkspaceServer.Password)));
        (await steward.GetAsync("/dicomweb/studies?PatientName=DEMO*")).EnsureSuccessStatusCode();
        (await steward.GetAsync("/dicomweb/series?Modality=CT")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task An_auditor_filters_the_log_newest_first_and_the_viewing_is_audited()
    {
        await StewardSearchesAsync();
        var annotator = await SignedInAsync("annotator");
        await annotator.GotoAsync("/archive"); // a denied record

        var page = await SignedInAsync("auditor");
        await page.GotoAsync("/audit");
        Assert.Equal("No patient data", await page.InnerTextAsync("#zone"));
        await page.FillAsync("#audit-filter input[name=actor]", "steward");
        await page.FillAsync("#audit-filter input[name=action]", "qido.");
        await Task.WhenAll(page.WaitForURLAsync("**/audit?actor=steward*"), page.ClickAsync("#audit-filter button[type=submit]"));
        var actors = await page.Locator("#audit-records td.actor").AllInnerTextsAsync();
        Assert.Equal(2, actors.Count);
        Assert.All(actors, a => Assert.Equal("steward", a));
        Assert.All(await page.Locator("#audit-records td.action").AllInnerTextsAsync(), a => Assert.Equal(AuditActions.QidoSearch, a));
        // Newest first: the series search came second.
        Assert.Equal(["/dicomweb/series?Modality=CT", "/dicomweb/studies?PatientName=DEMO*"], await page.Locator("#audit-records td.resource").AllInnerTextsAsync());

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await page.GotoAsync($"/audit?outcome=denied&from={today}&to={today}");
        var denied = page.Locator("#audit-records tbody tr");
        Assert.True(await denied.CountAsync() >= 1);
        Assert.All(await page.Locator("#audit-records td.outcome").AllInnerTextsAsync(), o => Assert.Equal("denied", o));
        Assert.Contains("annotator", await page.Locator("#audit-records td.actor").AllInnerTextsAsync());
        await page.GotoAsync("/audit?to=2000-01-01");
        Assert.True(await page.Locator("#no-records").IsVisibleAsync());
        var bad = await page.GotoAsync("/audit?outcome=maybe");
        Assert.Equal(400, bad!.Status);
        Assert.Contains("Outcome: 'maybe'", await page.InnerTextAsync("#filter-error"));

        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Actor == "auditor" && r.Action == AuditActions.AuditView
            && r.Resource == "/audit?actor=steward&action=qido.&outcome=&from=&to=" && r.Outcome == "success" && r.DetailsJson!.Contains("\"records\":2"));
    }

    [Fact]
    public async Task The_verify_button_reports_an_intact_chain_and_is_audited()
    {
        var page = await SignedInAsync("auditor");
        await page.GotoAsync("/audit");
        await page.EvaluateAsync("() => { window.beforeSubmit = true; }");
        await page.ClickAsync("#verify-chain button[type=submit]");
        await page.WaitForFunctionAsync("() => window.beforeSubmit === undefined && document.readyState === 'complete'");
        Assert.Equal("true", await page.GetAttributeAsync("#verify-result", "data-intact"));
        Assert.Contains("The chain is intact", await page.InnerTextAsync("#verify-result"));
        var records = await WorkspaceAudit.ReadAsync(mira);
        Assert.Contains(records, r => r.Actor == "auditor" && r.Action == AuditActions.AuditVerify && r.Outcome == "success");
    }

    [Fact]
    public async Task A_steward_gets_the_refusal_page_for_the_audit_log_audited_as_denied()
    {
        var page = await SignedInAsync("steward");
        var answer = await page.GotoAsync("/audit?actor=admin");
        Assert.Equal(403, answer!.Status);
        Assert.Equal("You may not see this", await page.InnerTextAsync("#refusal-title"));
        Assert.Contains("needs the auditor role", await page.InnerTextAsync("#refusal-reason"));
        Assert.Equal(0, await page.Locator("#audit-records").CountAsync());
        Assert.Equal(0, await page.Locator("header nav a[href='/audit']").CountAsync());
        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Actor == "steward" && r.Action == AuditActions.AuditView
            && r.Resource == "/audit?actor=admin" && r.Outcome == "denied");
    }
}
