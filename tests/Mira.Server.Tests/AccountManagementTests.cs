using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Platform.Audit;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 8: accounts over HTTP. Admins disable, enable, change roles and reset passwords (audited; disabling
/// revokes tokens); every user changes their own password; a generated first admin password is never printed and
/// must be changed before anything else works.
/// </summary>
public sealed class AccountManagementTests(TestArchive server) : IClassFixture<TestArchive>
{
    const string Password = TestArchive.UserPassword;

    async Task<JsonNode> JsonAsync(HttpResponseMessage r, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"{r.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    async Task<IReadOnlyList<AuditRecord>> AuditAsync(string action, string resource) =>
        [.. (await server.Archive.Audit.ReadAsync(1, 100_000)).Where(a => a.Action == action && a.Resource == resource)];

    [Fact]
    public async Task An_admin_disables_a_compromised_account_its_password_and_tokens_stop_at_once_and_stay_revoked_after_enabling()
    {
        await server.Archive.Accounts.CreateUserAsync("stolen", Password, [Roles.Steward]);
        var token = (await server.Archive.Tokens.IssueAsync("stolen", TimeSpan.FromHours(1))).Token;
        var thief = server.Basic("stolen", Password);
        Assert.Equal(HttpStatusCode.NoContent, (await thief.GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Bearer(token).GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);

        var disabled = await JsonAsync(await server.Admin.PatchAsJsonAsync("/api/users/stolen", new { disabled = true }));
        Assert.Equal((true, 1), ((bool)disabled["disabled"]!, (int)disabled["revokedTokens"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Bearer(token).GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);

        await JsonAsync(await server.Admin.PatchAsJsonAsync("/api/users/stolen", new { disabled = false, roles = new[] { "annotator" } }));
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Bearer(token).GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await thief.GetAsync("/dicomweb/studies?PatientID=nobody")).StatusCode); // annotator now

        var record = Assert.Single(await AuditAsync(AuditActions.UserDisable, "stolen"));
        Assert.Equal("admin", record.Actor);
        Assert.Contains("\"revokedTokens\":1", record.DetailsJson);
        Assert.Single(await AuditAsync(AuditActions.UserEnable, "stolen"));
        Assert.Contains("annotator", Assert.Single(await AuditAsync(AuditActions.UserRoles, "stolen")).DetailsJson);
    }

    [Fact]
    public async Task Only_admins_manage_accounts_and_the_last_admin_cannot_be_disabled_or_demoted()
    {
        var steward = server.Basic("steward", Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await steward.GetAsync("/api/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await steward.PatchAsJsonAsync("/api/users/admin", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await steward.PutAsJsonAsync("/api/users/annotator/password", new { password = "taken-over-1" })).StatusCode);
        Assert.Contains(await AuditAsync(AuditActions.UserRoles, "admin"), a => a.Actor == "steward" && a.Outcome == AuditLog.OutcomeText(AuditOutcome.Denied));

        Assert.Equal(HttpStatusCode.Conflict, (await server.Admin.PatchAsJsonAsync("/api/users/admin", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await server.Admin.PatchAsJsonAsync("/api/users/admin", new { roles = new[] { "steward" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.PatchAsJsonAsync("/api/users/nobody", new { disabled = true })).StatusCode);
        var bad = await server.Admin.PatchAsJsonAsync("/api/users/steward", new { roles = new[] { "superuser" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("field 'roles'", await bad.Content.ReadAsStringAsync());
        var list = (await JsonAsync(await server.Admin.GetAsync("/api/users"))).AsArray();
        Assert.Contains(list, u => (string?)u!["name"] == "admin" && !(bool)u["disabled"]!);
    }

    [Fact]
    public async Task An_account_an_admin_creates_or_resets_must_choose_its_own_password_first()
    {
        var created = await JsonAsync(await server.Admin.PostAsJsonAsync("/api/users", new { name = "newcomer", password = "given-by-admin", roles = new[] { "developer" } }),
            HttpStatusCode.Created);
        Assert.True((bool)created["mustChangePassword"]!);
        var newcomer = server.Basic("newcomer", "given-by-admin");
        var blocked = await newcomer.GetAsync("/api/projects");
        Assert.Equal(HttpStatusCode.Forbidden, blocked.StatusCode);
        Assert.Contains("/api/account/password", await blocked.Content.ReadAsStringAsync());
        Assert.True((bool)(await JsonAsync(await newcomer.GetAsync("/api/account")))["mustChangePassword"]!);

        Assert.Equal(HttpStatusCode.Forbidden, (await newcomer.PostAsJsonAsync("/api/account/password", new { currentPassword = "wrong-guess", newPassword = "chosen-by-me-1" })).StatusCode);
        await JsonAsync(await newcomer.PostAsJsonAsync("/api/account/password", new { currentPassword = "given-by-admin", newPassword = "chosen-by-me-1" }));
        Assert.Equal(HttpStatusCode.Unauthorized, (await newcomer.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Basic("newcomer", "chosen-by-me-1").GetAsync("/api/projects")).StatusCode);
        Assert.Single(await AuditAsync(AuditActions.AccountPassword, "newcomer"));
        Assert.Contains(await server.Archive.Audit.ReadAsync(1, 100_000), a => a.Action == AuditActions.SignInFailure && a.Resource == "newcomer");

        await JsonAsync(await server.Admin.PutAsJsonAsync("/api/users/newcomer/password", new { password = "reset-by-admin" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Basic("newcomer", "reset-by-admin").GetAsync("/api/projects")).StatusCode);
        Assert.Equal("admin", Assert.Single(await AuditAsync(AuditActions.UserPassword, "newcomer")).Actor);
    }

    [Fact]
    public async Task Every_user_changes_their_own_password_and_bad_input_changes_nothing()
    {
        await server.Archive.Accounts.CreateUserAsync("reader", Password, [Roles.Auditor]);
        var reader = server.Basic("reader", Password);
        var tooShort = await reader.PostAsJsonAsync("/api/account/password", new { currentPassword = Password, newPassword = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.Contains("field 'newPassword'", await tooShort.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.PostAsJsonAsync("/api/account/password", new { currentPassword = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/account")).StatusCode); // still the old password
        await JsonAsync(await reader.PostAsJsonAsync("/api/account/password", new { currentPassword = Password, newPassword = "reader-new-password" }));
        Assert.Equal(HttpStatusCode.OK, (await server.Basic("reader", "reader-new-password").GetAsync("/api/account")).StatusCode);
    }
}
