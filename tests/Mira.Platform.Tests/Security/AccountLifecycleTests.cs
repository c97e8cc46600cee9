using Mira.Storage.Security;

namespace Mira.Platform.Tests.Security;

/// <summary>
/// Issue 14 item 8 in the application core, on both providers: disabling an account revokes its tokens for good, a
/// generated first admin password and an administrator's reset must be changed, a chosen password need not be.
/// </summary>
public abstract class AccountLifecycleTests : SecurityTestBase
{
    const string Password = "s3cret-Pa55word";

    async Task<(AccountService Accounts, TokenStore Tokens)> OpenAsync()
    {
        var tokens = await TokenStore.OpenAsync(Db, Options);
        return (new AccountService(await AccountStore.OpenAsync(Db, Options), tokens), tokens);
    }

    [Fact]
    public async Task Disabling_revokes_every_token_so_enabling_again_does_not_bring_a_stolen_one_back()
    {
        var (accounts, tokens) = await OpenAsync();
        await accounts.CreateUserAsync("alice", Password, [Roles.Steward]);
        var first = await tokens.IssueAsync("alice", TimeSpan.FromDays(1));
        var second = await tokens.IssueAsync("alice", TimeSpan.FromDays(1));
        Assert.Equal(2, await accounts.SetDisabledCountingAsync("alice", true));
        Assert.Equal(0, await accounts.SetDisabledCountingAsync("alice", false));
        Assert.Null(await tokens.ValidateAsync(first.Token));
        Assert.Null(await tokens.ValidateAsync(second.Token));
        Assert.All(await tokens.ListAsync("alice"), t => Assert.True(t.Revoked));
        Assert.NotNull(await accounts.VerifyPasswordAsync("alice", Password));
        Assert.Null(await accounts.SetDisabledCountingAsync("nobody", true));
    }

    [Fact]
    public async Task A_generated_admin_password_must_be_changed_and_a_given_one_need_not()
    {
        var (accounts, tokens) = await OpenAsync();
        var generated = (await accounts.EnsureAdminAsync(null)).GeneratedPassword!;
        var admin = await accounts.VerifyPasswordAsync("admin", generated);
        Assert.True(admin!.MustChangePassword);
        Assert.True((await accounts.GetAsync("admin"))!.MustChangePassword);
        Assert.True((await tokens.ValidateAsync((await tokens.IssueAsync("admin", TimeSpan.FromHours(1))).Token))!.MustChangePassword);

        Assert.True(await accounts.SetPasswordAsync("admin", "chosen-Pa55word"));
        Assert.False((await accounts.VerifyPasswordAsync("admin", "chosen-Pa55word"))!.MustChangePassword);
        Assert.True(await accounts.SetPasswordAsync("admin", "reset-Pa55word", mustChange: true));
        Assert.True((await accounts.VerifyPasswordAsync("admin", "reset-Pa55word"))!.MustChangePassword);

        await accounts.CreateUserAsync("bob", Password, [Roles.Admin]);
        Assert.False((await accounts.VerifyPasswordAsync("bob", Password))!.MustChangePassword);
        Assert.Equal(2, await accounts.CountEnabledAdminsAsync());
        await accounts.SetDisabledAsync("bob", true);
        Assert.Equal(1, await accounts.CountEnabledAdminsAsync());
    }
}

public sealed class AccountLifecycleSqliteTests : AccountLifecycleTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class AccountLifecyclePostgresTests(PostgresServer server) : AccountLifecycleTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
