using Microsoft.Playwright;
using Mira.Platform.Audit;
using Mira.Testing;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 16, the web workspace's upload page (<c>/archive/upload</c>) in a real browser against a real
/// <c>mira serve</c>: a steward follows the archive's link, chooses the fundus photograph, gives the patient as a JSON
/// object and sees it stored as Ophthalmic Photography (the page's script posts the form with the antiforgery token);
/// an annotator gets the refusal page, audited.
/// </summary>
public sealed class ArchiveUploadPageTests(BrowserFixture browser, WorkspaceServer mira) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    const string Fundus = "photos/fundus/Fundus_photograph_of_normal_right_eye_600px.jpg";

    async Task<IPage> SignedInAsync(string user)
    {
        var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, user, WorkspaceServer.Password);
        return page;
    }

    [Fact]
    public async Task A_steward_uploads_the_fundus_photograph_with_its_patient_and_sees_it_stored()
    {
        var page = await SignedInAsync("steward");
        await page.GotoAsync("/archive");
        await Task.WhenAll(page.WaitForURLAsync("**/archive/upload"), page.ClickAsync("text=Add NIfTI, photographs or slides"));
        Assert.Equal("Identified intake zone", await page.InnerTextAsync("#zone"));

        var patient = "UP-" + Guid.NewGuid().ToString("N")[..10];
        await page.SetInputFilesAsync("#upload-file", Corpus.Get(Fundus).FullPath);
        await page.FillAsync("#upload-meta", $$"""{"PatientID": "{{patient}}", "PatientName": "Upload^Page", "Laterality": "R", "AcquisitionDateTime": "20261201093000"}""");
        var posted = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/intake/files", StringComparison.Ordinal));
        await page.ClickAsync("#upload-form button[type=submit]");
        var response = await posted;
        Assert.True(response.Status == 200, $"{response.Status}: {await response.TextAsync()}");

        var summary = await page.WaitForSelectorAsync("#upload-summary");
        var text = await summary!.InnerTextAsync();
        Assert.Equal($"{Path.GetFileName(Fundus)}: photograph, 1 stored, 0 already present, 0 refused; patient {patient}", text);
        Assert.Equal(0, await page.Locator("#upload-result .warning").CountAsync()); // no placeholder identifiers
        var row = page.Locator("#upload-result table tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal("Stored", await row.Locator("td").Nth(1).InnerTextAsync());
        var view = await row.Locator("a").GetAttributeAsync("href");
        Assert.Matches("^/studies/[0-9.]+/view$", view);

        var audit = await WorkspaceAudit.ReadAsync(mira);
        Assert.Contains(audit, r => r.Actor == "steward" && r.Action == AuditActions.ConvertStore && r.Outcome == "success"
            && r.Resource == view!.Split('/')[2]);
    }

    [Fact]
    public async Task An_annotator_gets_the_refusal_page_and_the_refusal_is_audited()
    {
        var page = await SignedInAsync("annotator");
        var answer = await page.GotoAsync("/archive/upload");
        Assert.Equal(403, answer!.Status);
        Assert.Equal("You may not see this", await page.InnerTextAsync("#refusal-title"));
        Assert.Contains("needs the steward role", await page.InnerTextAsync("#refusal-reason"));
        Assert.Equal(0, await page.Locator("#upload-form").CountAsync());
        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Actor == "annotator" && r.Action == AuditActions.ConvertStore
            && r.Resource == "/archive/upload" && r.Outcome == "denied");
    }
}
