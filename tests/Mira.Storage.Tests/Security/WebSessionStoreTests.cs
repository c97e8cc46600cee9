using Dapper;
using Mira.Storage.Security;

namespace Mira.Storage.Tests.Security;

public abstract class WebSessionStoreTests : SecurityTestBase
{
    static readonly WebSessionPolicy Policy = new(IdleTimeout: TimeSpan.FromHours(2), Lifetime: TimeSpan.FromHours(12));

    AccountStore accounts = null!;
    WebSessionStore sessions = null!;

    async Task OpenAsync()
    {
        accounts = await AccountStore.OpenAsync(Db, Options);
        await Migrations.MigrationRunner.ApplyAsync(Db, Migrations.MigrationCatalog.Intake);
        sessions = new WebSessionStore(Db, Options);
        await accounts.CreateUserAsync("alice", "s3cret-Pa55word", ["annotator"]);
    }

    [Fact]
    public async Task A_session_validates_to_its_user_and_only_the_SHA256_of_its_secret_is_stored()
    {
        await OpenAsync();
        var (info, secret) = await sessions.CreateAsync("Alice", Policy, "10.0.0.1", "Chromium");
        Assert.StartsWith(WebSessionStore.Prefix, secret);
        var session = await sessions.ValidateAsync(secret, Policy);
        Assert.Equal((info.Id, "alice"), (session!.Id, session.User.Name));
        Assert.Equal(["annotator"], session.User.Roles);
        await using var c = await Db.OpenAsync();
        var row = Assert.Single(await c.QueryAsync("SELECT * FROM mira_web_sessions"));
        Assert.DoesNotContain(((IDictionary<string, object?>)row).Values, v => (v?.ToString() ?? "").Contains(secret[WebSessionStore.Prefix.Length..], StringComparison.Ordinal));
        Assert.Null(await sessions.ValidateAsync(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'), Policy));
        Assert.Null(await sessions.ValidateAsync("not a secret", Policy));
    }

    [Fact]
    public async Task Each_request_extends_the_idle_window_but_never_past_the_lifetime()
    {
        await OpenAsync();
        var (_, secret) = await sessions.CreateAsync("alice", Policy, null, null);
        for (var i = 0; i < 5; i++)
        {
            Clock.Advance(TimeSpan.FromHours(1.9)); // under the idle timeout each time: 9.5 h in all
            Assert.NotNull(await sessions.ValidateAsync(secret, Policy));
        }
        Clock.Advance(TimeSpan.FromHours(1.9)); // 11.4 h
        Assert.NotNull(await sessions.ValidateAsync(secret, Policy));
        Clock.Advance(TimeSpan.FromHours(0.7)); // 12.1 h: past the lifetime though active
        Assert.Null(await sessions.ValidateAsync(secret, Policy));
    }

    [Fact]
    public async Task A_session_idle_for_the_timeout_has_ended()
    {
        await OpenAsync();
        var (_, secret) = await sessions.CreateAsync("alice", Policy, null, null);
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(await sessions.ValidateAsync(secret, Policy));
        Assert.Empty(await sessions.ListOpenAsync("alice", Policy));
    }

    [Fact]
    public async Task Sign_out_a_password_change_and_a_disabled_account_each_end_sessions()
    {
        await OpenAsync();
        var (_, first) = await sessions.CreateAsync("alice", Policy, null, null);
        var (_, second) = await sessions.CreateAsync("alice", Policy, null, null);
        Assert.Equal(2, (await sessions.ListOpenAsync("alice", Policy)).Count);

        Assert.True(await sessions.EndAsync(first));
        Assert.False(await sessions.EndAsync(first));
        Assert.Null(await sessions.ValidateAsync(first, Policy));
        Assert.NotNull(await sessions.ValidateAsync(second, Policy));

        await accounts.SetPasswordAsync("alice", "another-Pa55word");
        Assert.Null(await sessions.ValidateAsync(second, Policy)); // opened with the old password
        var (_, third) = await sessions.CreateAsync("alice", Policy, null, null);
        Assert.NotNull(await sessions.ValidateAsync(third, Policy));

        await accounts.SetDisabledAsync("alice", true);
        Assert.Null(await sessions.ValidateAsync(third, Policy));
        await Assert.ThrowsAsync<InvalidOperationException>(() => sessions.CreateAsync("alice", Policy, null, null));
        await accounts.SetDisabledAsync("alice", false);
        Assert.NotNull(await sessions.ValidateAsync(third, Policy)); // re-enabled: the password is unchanged
    }

    [Fact]
    public async Task A_user_can_end_only_their_own_sessions_by_id()
    {
        await OpenAsync();
        await accounts.CreateUserAsync("bob", "s3cret-Pa55word", ["annotator"]);
        var (alice, aliceSecret) = await sessions.CreateAsync("alice", Policy, null, null);
        Assert.False(await sessions.EndAsync("bob", alice.Id));
        Assert.NotNull(await sessions.ValidateAsync(aliceSecret, Policy));
        Assert.True(await sessions.EndAsync("alice", alice.Id));
        Assert.Null(await sessions.ValidateAsync(aliceSecret, Policy));
        Assert.Equal(0, await sessions.EndAllAsync("alice"));
    }
}

public sealed class WebSessionStoreSqliteTests : WebSessionStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class WebSessionStorePostgresTests(PostgresServer server) : WebSessionStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
