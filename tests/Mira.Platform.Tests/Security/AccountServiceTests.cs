using Mira.Storage.Security;

namespace Mira.Platform.Tests.Security;

/// <summary>Accounts with the platform's role policy (<see cref="AccountService"/> over <see cref="AccountStore"/>), on both providers.</summary>
public abstract class AccountServiceTests : SecurityTestBase
{
    const string Password = "s3cret-Pa55word";

    async Task<AccountService> OpenAsync(SecurityOptions? options = null) => new(await AccountStore.OpenAsync(Db, options ?? Options));

    [Fact]
    public async Task Created_user_logs_in_with_roles_in_canonical_order()
    {
        var store = await OpenAsync();
        var created = await store.CreateUserAsync("Alice", Password, [Roles.Annotator, Roles.Steward, Roles.Annotator]);
        Assert.Equal("alice", created.Name);
        Assert.Equal(Clock.Now, created.CreatedUtc);

        var user = await store.VerifyPasswordAsync("ALICE", Password);
        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Equal([Roles.Steward, Roles.Annotator], user.Roles);
        Assert.True(user.IsInRole(Roles.Steward));
        Assert.False(user.IsInRole(Roles.Admin));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_are_refused()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("alice", Password, [Roles.Developer]);
        Assert.Null(await store.VerifyPasswordAsync("alice", Password + "x"));
        Assert.Null(await store.VerifyPasswordAsync("alice", ""));
        Assert.Null(await store.VerifyPasswordAsync("bob", Password));
        Assert.Null(await store.VerifyPasswordAsync("not a valid name:", Password));
    }

    [Fact]
    public async Task Disabled_user_cannot_log_in_until_enabled()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("alice", Password, [Roles.Auditor]);
        Assert.True(await store.SetDisabledAsync("alice", true));
        Assert.Null(await store.VerifyPasswordAsync("alice", Password));
        Assert.True((await store.GetAsync("alice"))!.Disabled);
        Assert.True(await store.SetDisabledAsync("alice", false));
        Assert.NotNull(await store.VerifyPasswordAsync("alice", Password));
        Assert.False(await store.SetDisabledAsync("nobody", true));
    }

    [Fact]
    public async Task Stored_hash_is_PBKDF2_with_a_salt_per_user()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("alice", Password, [Roles.Annotator]);
        await store.CreateUserAsync("bob", Password, [Roles.Annotator]);
        var a = await ScalarAsync<string>("SELECT password_hash FROM mira_users WHERE name = 'alice'");
        var b = await ScalarAsync<string>("SELECT password_hash FROM mira_users WHERE name = 'bob'");
        Assert.StartsWith($"pbkdf2-sha256${TestIterations}$", a);
        Assert.DoesNotContain(Password, a);
        Assert.NotEqual(a.Split('$')[2], b.Split('$')[2]);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task Invalid_input_is_refused()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("alice", Password, [Roles.Annotator]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateUserAsync("ALICE", Password, [Roles.Admin]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateUserAsync("bob", Password, ["superuser"]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateUserAsync("bob", "short", [Roles.Annotator]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateUserAsync("bob:x", Password, [Roles.Annotator]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateUserAsync("", Password, [Roles.Annotator]));
        Assert.Equal(["alice"], (await store.ListAsync()).Select(u => u.Name));
    }

    [Fact]
    public async Task Roles_and_password_can_be_changed()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("alice", Password, [Roles.Annotator]);
        Assert.True(await store.SetRolesAsync("alice", [Roles.Auditor, Roles.Admin]));
        Assert.True(await store.SetPasswordAsync("alice", "another-Pa55word"));
        Assert.Null(await store.VerifyPasswordAsync("alice", Password));
        var user = await store.VerifyPasswordAsync("alice", "another-Pa55word");
        Assert.Equal([Roles.Admin, Roles.Auditor], user!.Roles);
        Assert.False(await store.SetRolesAsync("nobody", [Roles.Admin]));
        var listed = Assert.Single(await store.ListAsync());
        Assert.Equal([Roles.Admin, Roles.Auditor], listed.Roles);
    }

    [Fact]
    public async Task A_weaker_stored_hash_is_upgraded_at_login()
    {
        await (await OpenAsync()).CreateUserAsync("alice", Password, [Roles.Annotator]);
        var stronger = await OpenAsync(Options with { Pbkdf2Iterations = TestIterations * 2 });
        Assert.NotNull(await stronger.VerifyPasswordAsync("alice", Password));
        var stored = await ScalarAsync<string>("SELECT password_hash FROM mira_users WHERE name = 'alice'");
        Assert.StartsWith($"pbkdf2-sha256${TestIterations * 2}$", stored);
        Assert.NotNull(await stronger.VerifyPasswordAsync("alice", Password));
    }

    [Fact]
    public async Task Bootstrap_uses_the_password_from_the_environment()
    {
        var store = await OpenAsync();
        var result = await store.EnsureAdminAsync("env-Pa55word");
        Assert.Equal(AdminBootstrapOutcome.CreatedWithGivenPassword, result.Outcome);
        Assert.Null(result.GeneratedPassword);
        var admin = await store.VerifyPasswordAsync(AccountStore.AdminUser, "env-Pa55word");
        Assert.Equal([Roles.Admin], admin!.Roles);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Bootstrap_generates_a_password_shown_once(string? fromEnvironment)
    {
        var store = await OpenAsync();
        var result = await store.EnsureAdminAsync(fromEnvironment);
        Assert.Equal(AdminBootstrapOutcome.CreatedWithGeneratedPassword, result.Outcome);
        var generated = result.GeneratedPassword!;
        Assert.True(generated.Length >= 20);
        Assert.DoesNotContain(generated, result.ToString());
        Assert.DoesNotContain(generated, await ScalarAsync<string>("SELECT password_hash FROM mira_users"));
        Assert.NotNull(await store.VerifyPasswordAsync("admin", generated));
    }

    [Fact]
    public async Task Bootstrap_does_nothing_once_accounts_exist()
    {
        var store = await OpenAsync();
        await store.EnsureAdminAsync("first-Pa55word");
        var again = await store.EnsureAdminAsync("second-Pa55word");
        Assert.Equal(AdminBootstrapOutcome.AccountsExist, again.Outcome);
        Assert.NotNull(await store.VerifyPasswordAsync("admin", "first-Pa55word"));
        Assert.Null(await store.VerifyPasswordAsync("admin", "second-Pa55word"));
    }

    [Fact]
    public async Task Bootstrap_creates_no_admin_beside_other_accounts()
    {
        var store = await OpenAsync();
        await store.CreateUserAsync("steward1", Password, [Roles.Steward]);
        var result = await store.EnsureAdminAsync(null);
        Assert.Equal(AdminBootstrapOutcome.AccountsExist, result.Outcome);
        Assert.Null(result.GeneratedPassword);
        Assert.Null(await store.GetAsync("admin"));
    }

    [Fact]
    public async Task Concurrent_bootstraps_create_one_admin()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => OpenAsync()));
        var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.EnsureAdminAsync(null))));
        var created = Assert.Single(results, r => r.Outcome != AdminBootstrapOutcome.AccountsExist);
        Assert.NotNull(await stores[0].VerifyPasswordAsync("admin", created.GeneratedPassword!));
        Assert.Single(await stores[0].ListAsync());
    }
}

public sealed class AccountServiceSqliteTests : AccountServiceTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class AccountServicePostgresTests(PostgresServer server) : AccountServiceTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
