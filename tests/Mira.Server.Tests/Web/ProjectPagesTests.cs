using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Mira.Platform.Audit;
using Mira.Platform.Demo;

namespace Mira.Server.Tests.Web;

/// <summary>
/// Issue 15, the project pages in a real browser against a real <c>mira serve --demo</c>: a steward creates a project,
/// adds a member and copies an intake study in through the pages; the member then sees only the project's
/// de-identified studies under the project's zone label and gets the refusal page for the intake study; a non-member
/// gets the same 404 page as for a missing project, and learns not even the project's name.
/// </summary>
public sealed class ProjectPagesTests(BrowserFixture browser, WorkspaceServer mira) : IClassFixture<BrowserFixture>, IClassFixture<WorkspaceServer>
{
    async Task<IPage> SignedInAsync(string user)
    {
        var context = await browser.NewContextAsync(mira.BaseUrl);
        var page = await context.NewPageAsync();
        await LoginForm.SignInAsync(page, user, WorkspaceServer.Password);
        return page;
    }

    /// <summary>Submits a form and waits for the page the server answers with (a new document, whatever its URL).</summary>
    static async Task SubmitAsync(IPage page, string form)
    {
        await page.EvaluateAsync("() => { window.beforeSubmit = true; }");
        await page.ClickAsync($"#{form} button[type=submit]");
        await page.WaitForFunctionAsync("() => window.beforeSubmit === undefined && document.readyState === 'complete'");
    }

    [Fact]
    public async Task A_member_sees_only_the_project_s_deidentified_studies_and_the_refusal_page_for_the_intake_study()
    {
        // The steward, through the pages: create the project, add the annotator, copy the CT study in.
        var steward = await SignedInAsync("steward");
        await steward.GotoAsync("/projects");
        await steward.FillAsync("#create-project input[name=id]", "lung");
        await steward.FillAsync("#create-project input[name=name]", "Lung nodules");
        await steward.SelectOptionAsync("#create-project select[name=recipe]", "research");
        await SubmitAsync(steward, "create-project");
        Assert.Equal("/projects/lung", new Uri(steward.Url).AbsolutePath);
        Assert.Equal("Lung nodules", await steward.InnerTextAsync("#project-name"));
        Assert.Equal("De-identified zone · project Lung nodules", await steward.InnerTextAsync("#zone"));

        await steward.FillAsync("#add-member input[name=user]", "Annotator"); // account names are matched as stored, lower case
        await SubmitAsync(steward, "add-member");
        Assert.Equal(1, await steward.Locator("#members tr[data-user=annotator]").CountAsync());

        var intake = DemoStudies.StudyUid("ct");
        await steward.FillAsync("#copy-studies textarea[name=studies]", intake);
        await SubmitAsync(steward, "copy-studies");
        Assert.Contains("copied=", steward.Url);
        Assert.Contains($"{DemoStudies.CtSlices} copied", await steward.InnerTextAsync("#copy-summary"));
        Assert.Equal(1, await steward.Locator("#runs tbody tr").CountAsync());
        Assert.Equal(DemoStudies.CtSlices.ToString(System.Globalization.CultureInfo.InvariantCulture), await steward.InnerTextAsync("#runs td.deidentified"));
        Assert.True(await steward.Locator("#data-members-only").IsVisibleAsync()); // stewards are not members by being stewards

        // The member.
        var member = await SignedInAsync("annotator");
        await member.GotoAsync("/projects");
        Assert.Equal(["lung"], await member.Locator("#projects tr[data-project]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.project)"));
        await member.GotoAsync("/projects/lung");
        Assert.Equal("De-identified zone · project Lung nodules", await member.InnerTextAsync("#zone"));
        Assert.Equal("member of this project", await member.InnerTextAsync("#your-role"));
        var rows = member.Locator("#project-studies tbody tr");
        Assert.Equal(1, await rows.CountAsync());
        var pseudonym = await rows.Locator("td.patient").InnerTextAsync();
        Assert.False(string.IsNullOrWhiteSpace(pseudonym));
        Assert.DoesNotContain("DEMO", pseudonym);
        var html = await member.ContentAsync();
        Assert.DoesNotContain("DEMO^ALICE", html);
        Assert.DoesNotContain(intake, html);
        var copy = await rows.GetAttributeAsync("data-study");
        Assert.NotEqual(intake, copy);
        Assert.Equal($"/projects/lung/studies/{copy}/view", await rows.Locator("a.button").GetAttributeAsync("href"));
        await member.WaitForFunctionAsync("() => [...document.querySelectorAll('img.study-thumbnail')].every(i => i.complete && i.naturalWidth > 0)");
        Assert.Equal(0, await member.Locator("#rules-section, #copy-studies, #add-member").CountAsync()); // steward-only forms

        var refused = await member.GotoAsync($"/archive/studies/{intake}");
        Assert.Equal(403, refused!.Status);
        Assert.Equal("You may not see this", await member.InnerTextAsync("#refusal-title"));
        Assert.DoesNotContain("DEMO^ALICE", await member.ContentAsync());

        var records = await WorkspaceAudit.ReadAsync(mira);
        Assert.Contains(records, r => r.Actor == "steward" && r.Action == AuditActions.ProjectCreate && r.Resource == "lung" && r.Outcome == "success");
        Assert.Contains(records, r => r.Actor == "steward" && r.Action == AuditActions.ProjectCopy && r.Resource == $"lung:{intake}");
        Assert.Contains(records, r => r.Actor == "annotator" && r.Action == AuditActions.ProjectQido && r.Resource!.StartsWith("lung:/projects/lung", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Actor == "annotator" && r.Action == AuditActions.ProjectWado && r.Resource!.Contains("/thumbnail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_non_member_gets_the_same_404_page_as_for_a_missing_project_and_never_its_name()
    {
        using (var r = await mira.Server.Http.PostAsJsonAsync("/api/projects", new { id = "secret-trial", name = "Secret Trial X", recipe = "research" }))
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var page = await SignedInAsync("auditor");

        var existing = await page.GotoAsync("/projects/secret-trial");
        Assert.Equal(404, existing!.Status);
        var existingReason = await page.InnerTextAsync("#refusal-reason");
        var existingZone = await page.InnerTextAsync("#zone");
        Assert.DoesNotContain("Secret Trial X", await page.ContentAsync());

        var missing = await page.GotoAsync("/projects/no-such-trial");
        Assert.Equal(404, missing!.Status);
        Assert.Equal(existingReason.Replace("secret-trial", "ID"), (await page.InnerTextAsync("#refusal-reason")).Replace("no-such-trial", "ID"));
        Assert.Equal(existingZone.Replace("secret-trial", "ID"), (await page.InnerTextAsync("#zone")).Replace("no-such-trial", "ID"));

        await page.GotoAsync("/projects");
        Assert.True(await page.Locator("#no-projects").IsVisibleAsync());
        Assert.Contains(await WorkspaceAudit.ReadAsync(mira), r => r.Actor == "auditor" && r.Action == AuditActions.ProjectMember
            && r.Resource == "secret-trial" && r.Outcome == "denied");
    }

    [Fact]
    public async Task A_steward_adds_and_removes_rules_and_members_and_wrong_input_is_named_without_changing_anything()
    {
        using (var r = await mira.Server.Http.PostAsJsonAsync("/api/projects", new { id = "brain", name = "Brain MR", recipe = "basic" }))
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
        var page = await SignedInAsync("steward");
        await page.GotoAsync("/projects/brain");

        await page.FillAsync("#add-rule input[name=source]", "MODALITY1");
        await SubmitAsync(page, "add-rule");
        Assert.Equal(1, await page.Locator("#rules tr[data-rule='ae:MODALITY1']").CountAsync());
        await page.SelectOptionAsync("#add-rule select[name=kind]", "uploader");
        await page.FillAsync("#add-rule input[name=source]", "nobody");
        await SubmitAsync(page, "add-rule");
        Assert.Contains("field 'uploader': no account 'nobody'", await page.InnerTextAsync("#rule-error"));
        Assert.Equal(1, await page.Locator("#rules tbody tr").CountAsync());

        await page.FillAsync("#add-member input[name=user]", "ghost");
        await SubmitAsync(page, "add-member");
        Assert.Contains("no account 'ghost'", await page.InnerTextAsync("#member-error"));
        await page.FillAsync("#add-member input[name=user]", "auditor");
        await page.SelectOptionAsync("#add-member select[name=role]", "lead");
        await SubmitAsync(page, "add-member");
        Assert.Equal("lead", await page.InnerTextAsync("#members tr[data-user=auditor] td:nth-child(2)"));
        await SubmitAsync(page, "members tr[data-user=auditor] form");
        Assert.Equal(0, await page.Locator("#members tr[data-user=auditor]").CountAsync());

        await SubmitAsync(page, "rules tr[data-rule='ae:MODALITY1'] form");
        Assert.True(await page.Locator("#no-rules").IsVisibleAsync());

        await page.GotoAsync("/projects");
        await page.FillAsync("#create-project input[name=id]", "brain");
        await page.FillAsync("#create-project input[name=name]", "Again");
        var answer = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#create-project button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(409, answer.Status);
        Assert.Contains("a project 'brain' exists already", await page.InnerTextAsync("#create-error"));

        using var api = await mira.Server.Http.GetAsync("/api/projects/brain/rules");
        Assert.Equal("[]", await api.Content.ReadAsStringAsync());
        var changes = (await WorkspaceAudit.ReadAsync(mira)).Where(r => r.Actor == "steward" && r.Resource == "brain").Select(r => (r.Action, r.DetailsJson)).ToList();
        Assert.Contains(changes, c => c.Action == AuditActions.ProjectRule && c.DetailsJson!.Contains("\"operation\":\"add\""));
        Assert.Contains(changes, c => c.Action == AuditActions.ProjectRule && c.DetailsJson!.Contains("\"operation\":\"remove\""));
        Assert.Contains(changes, c => c.Action == AuditActions.ProjectMember && c.DetailsJson!.Contains("\"role\":\"lead\""));
    }
}
