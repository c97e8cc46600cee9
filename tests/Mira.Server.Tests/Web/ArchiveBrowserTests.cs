using Microsoft.Playwright;
using Mira.Platform.Audit;
using Mira.Platform.Demo;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 15, the archive browser in a real browser against a real <c>mira serve --demo</c>: a steward searches the
/// intake archive (patient name with wildcards, modality, date range), opens a study and sees its series' thumbnails
/// load; others get the refusal page (403), every search and refusal audited.
/// </summary>
public sealed class ArchiveBrowserTests(BrowserFixture browser, WorkspaceServer mira) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    async Task<IPage> SignedInAsync(string user)
    {
        var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, user, WorkspaceServer.Password);
        return page;
    }

    static Task<IReadOnlyList<string>> PatientsAsync(IPage page) => page.Locator("#archive-results td.patient").AllInnerTextsAsync();

    [Fact]
    public async Task A_steward_searches_by_patient_name_modality_and_date_and_sees_the_matching_demo_studies()
    {
        var page = await SignedInAsync("steward");
        await page.GotoAsync("/archive");
        Assert.Equal("Identified intake zone", await page.InnerTextAsync("#zone"));
        Assert.Contains("Signed in as steward", await page.InnerTextAsync("#signed-in-user"));

        await page.FillAsync("#archive-search input[name=name]", "demo^*"); // components match case-insensitively
        await Task.WhenAll(page.WaitForURLAsync("**/archive?name=*"), page.ClickAsync("#archive-search button[type=submit]"));
        Assert.Equal(["DEMO^ALICE", "DEMO^BOB", "DEMO^CAROL"], (await PatientsAsync(page)).Order());

        await page.SelectOptionAsync("#archive-search select[name=modality]", "MR");
        await Task.WhenAll(page.WaitForURLAsync("**modality=MR*"), page.ClickAsync("#archive-search button[type=submit]"));
        Assert.Equal(["DEMO^BOB"], await PatientsAsync(page));
        Assert.Equal("MR", await page.InnerTextAsync("#archive-results td.modalities"));

        await page.GotoAsync("/archive?from=2024-03-10&to=2024-03-31");
        Assert.Equal(["DEMO^BOB", "DEMO^CAROL"], (await PatientsAsync(page)).Order());
        await page.GotoAsync("/archive?accession=DEMOACC0003");
        Assert.Equal(["DEMO^CAROL"], await PatientsAsync(page));
        await page.GotoAsync("/archive?name=NOBODY*");
        Assert.True(await page.Locator("#no-results").IsVisibleAsync());

        var searches = (await WorkspaceAudit.ReadAsync(mira)).Where(r => r.Actor == "steward" && r.Action == AuditActions.QidoSearch).ToList();
        Assert.Contains(searches, r => r.Resource!.StartsWith("/archive?name=demo%5E*&", StringComparison.Ordinal) && r.Outcome == "success" && r.DetailsJson!.Contains("\"studies\":3"));
        Assert.Contains(searches, r => r.Resource == "/archive?accession=DEMOACC0003" && r.DetailsJson!.Contains("\"via\":\"web\""));
    }

    [Fact]
    public async Task A_study_page_lists_its_series_with_thumbnails_that_load_and_links_to_the_viewer()
    {
        var page = await SignedInAsync("steward");
        await page.GotoAsync("/archive?name=DEMO%5EALICE");
        await Task.WhenAll(page.WaitForURLAsync("**/archive/studies/*"), page.ClickAsync("#archive-results a.study-link"));
        var study = DemoStudies.StudyUid("ct");
        Assert.Equal($"/archive/studies/{study}", new Uri(page.Url).AbsolutePath);
        Assert.Equal("DEMO^ALICE", await page.InnerTextAsync("#study-patient"));
        Assert.Contains("DEMOACC0001", await page.InnerTextAsync("#study-header"));
        Assert.Equal("Identified intake zone", await page.InnerTextAsync("#zone"));

        var series = page.Locator("#series-list figure.series");
        Assert.Equal(1, await series.CountAsync());
        Assert.Equal("CT", await series.Locator(".modality").InnerTextAsync());
        Assert.Equal(DemoStudies.CtSlices.ToString(System.Globalization.CultureInfo.InvariantCulture), await series.Locator(".instances").InnerTextAsync());
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('img.thumbnail')].every(i => i.complete)");
        var widths = await page.EvalOnSelectorAllAsync<int[]>("img.thumbnail", "imgs => imgs.map(i => i.naturalWidth)");
        Assert.All(widths, w => Assert.Equal(128, w));
        Assert.Equal($"/studies/{study}/view", await page.GetAttributeAsync("#view-study", "href"));

        var records = await WorkspaceAudit.ReadAsync(mira);
        Assert.Contains(records, r => r.Actor == "steward" && r.Action == AuditActions.WadoMetadata && r.Resource == study && r.Outcome == "success");
        Assert.Contains(records, r => r.Actor == "steward" && r.Action == AuditActions.WadoThumbnail && r.Resource == study);
    }

    [Fact]
    public async Task An_annotator_gets_the_refusal_page_for_the_archive_and_for_an_intake_study_and_both_are_audited_as_denied()
    {
        var page = await SignedInAsync("annotator");
        var study = DemoStudies.StudyUid("ct");
        foreach (var path in new[] { "/archive?name=DEMO*", $"/archive/studies/{study}" })
        {
            var answer = await page.GotoAsync(path);
            Assert.Equal(403, answer!.Status);
            Assert.Equal("You may not see this", await page.InnerTextAsync("#refusal-title"));
            Assert.Contains("needs the steward role", await page.InnerTextAsync("#refusal-reason"));
            Assert.Contains("Signed in as annotator", await page.InnerTextAsync("#signed-in-user"));
            Assert.DoesNotContain("DEMO^", await page.ContentAsync());
        }
        Assert.Equal(0, await page.Locator("header nav a[href='/archive']").CountAsync());
        var denied = (await WorkspaceAudit.ReadAsync(mira)).Where(r => r.Actor == "annotator" && r.Outcome == "denied").ToList();
        Assert.Contains(denied, r => r.Action == AuditActions.QidoSearch && r.Resource == "/archive?name=DEMO*");
        Assert.Contains(denied, r => r.Action == AuditActions.WadoMetadata && r.Resource == study);
    }

    [Fact]
    public async Task A_bad_search_names_the_field_with_400_and_an_unknown_study_is_a_404_page()
    {
        var page = await SignedInAsync("steward");
        var answer = await page.GotoAsync("/archive?from=yesterday");
        Assert.Equal(400, answer!.Status);
        Assert.Contains("From: 'yesterday' is not a date", await page.InnerTextAsync("#search-error"));
        answer = await page.GotoAsync("/archive?from=2024-03-20&to=2024-03-01");
        Assert.Equal(400, answer!.Status);
        Assert.Contains("'From' is after 'To'", await page.InnerTextAsync("#search-error"));
        answer = await page.GotoAsync("/archive?modality=C%25T");
        Assert.Equal(400, answer!.Status);
        Assert.Contains("Modality:", await page.InnerTextAsync("#search-error"));

        answer = await page.GotoAsync("/archive/studies/1.2.3.4.5");
        Assert.Equal(404, answer!.Status);
        Assert.Equal("Not found", await page.InnerTextAsync("#refusal-title"));
        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Actor == "steward" && r.Action == AuditActions.WadoMetadata
            && r.Resource == "1.2.3.4.5" && r.Outcome == "failure");
    }
}
