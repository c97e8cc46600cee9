using System.Net;
using System.Text.Json.Nodes;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

public sealed class AuthTests(TestArchive server) : IClassFixture<TestArchive>
{
    [Fact]
    public async Task Health_is_anonymous()
    {
        var r = await server.Anonymous.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("ok", JsonNode.Parse(await r.Content.ReadAsStringAsync())!["status"]!.ToString());
    }

    [Theory]
    [InlineData("/dicomweb/studies")]
    [InlineData("/")]
    [InlineData("/openapi.json")]
    public async Task Everything_else_needs_credentials(string path)
    {
        var r = await server.Anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Contains(r.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Contains(r.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_token_are_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Basic("admin", "wrong-password").GetAsync("/dicomweb/studies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Bearer("mira_notatoken").GetAsync("/dicomweb/studies")).StatusCode);
    }

    [Fact]
    public async Task Basic_and_bearer_both_work()
    {
        var basic = await server.Basic("steward", TestArchive.UserPassword).GetAsync("/dicomweb/studies?PatientID=nobody");
        Assert.Equal(HttpStatusCode.NoContent, basic.StatusCode);
        var again = await server.Basic("steward", TestArchive.UserPassword).GetAsync("/dicomweb/studies?PatientID=nobody");
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        var bearer = await server.Bearer(server.StewardToken).GetAsync("/dicomweb/studies?PatientID=nobody");
        Assert.Equal(HttpStatusCode.NoContent, bearer.StatusCode);
    }

    [Fact]
    public async Task Disabling_an_account_takes_effect_even_while_its_password_check_is_cached()
    {
        await server.Archive.Accounts.CreateUserAsync("temp.steward", TestArchive.UserPassword, [Roles.Steward]);
        var client = server.Basic("temp.steward", TestArchive.UserPassword);
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);
        await server.Archive.Accounts.SetDisabledAsync("temp.steward", true);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);
    }

    [Fact]
    public async Task Annotator_is_forbidden_identified_data_and_the_denial_is_audited()
    {
        var r = await server.Basic("annotator", TestArchive.UserPassword).GetAsync("/dicomweb/studies?PatientID=x");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        var records = await server.Archive.Audit.ReadAsync();
        Assert.Contains(records, a => a.Actor == "annotator" && a.Action == "qido.search" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));
    }

    [Fact]
    public async Task Delete_needs_admin()
    {
        var r = await server.Bearer(server.StewardToken).DeleteAsync("/dicomweb/studies/1.2.3");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
    }

    [Fact]
    public async Task Home_page_and_openapi_are_served_to_signed_in_users()
    {
        var page = await server.Admin.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Signed in as <b>admin</b>", html);
        Assert.Contains("Recently stored studies", html);
        Assert.Contains("Identified intake zone", html);
        var annotatorPage = await server.Basic("annotator", TestArchive.UserPassword).GetStringAsync("/");
        Assert.Contains("Signed in as <b>annotator</b>", annotatorPage);
        Assert.DoesNotContain("Recently stored studies", annotatorPage);
        Assert.Contains("No patient data", annotatorPage);
        var api = JsonNode.Parse(await server.Admin.GetStringAsync("/openapi.json"))!;
        Assert.StartsWith("3.", api["openapi"]!.ToString());
        Assert.NotNull(api["paths"]!["/dicomweb/studies"]);
    }
}
