using System.Security.Cryptography;
using System.Text;
using Dapper;
using Mira.Storage.Security;

namespace Mira.Storage.Tests.Security;

public abstract class TokenStoreTests : SecurityTestBase
{
    static readonly TimeSpan Day = TimeSpan.FromDays(1);

    AccountStore accounts = null!;
    TokenStore tokens = null!;

    async Task OpenAsync()
    {
        accounts = await AccountStore.OpenAsync(Db, Options);
        tokens = await TokenStore.OpenAsync(Db, Options);
        await accounts.CreateUserAsync("alice", "s3cret-Pa55word", ["steward", "auditor"]);
    }

    [Fact]
    public async Task Issued_token_validates_to_its_user_and_roles()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("Alice", Day, "pacs script");
        Assert.StartsWith("mira_", issued.Token);
        Assert.Equal(5 + 43, issued.Token.Length);
        Assert.Equal("alice", issued.Info.UserName);
        Assert.Equal("pacs script", issued.Info.Label);
        Assert.Equal(Clock.Now + Day, issued.Info.ExpiresUtc);

        var user = await tokens.ValidateAsync(issued.Token);
        Assert.Equal("alice", user!.Name);
        Assert.Equal(["auditor", "steward"], user.Roles); // as stored (ordinal); the platform orders them by its policy (AccountService)
        Assert.NotEqual(issued.Token, (await tokens.IssueAsync("alice", Day)).Token);
    }

    [Fact]
    public async Task Only_the_SHA256_of_the_token_is_stored()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("alice", Day, "label");
        await using var c = await Db.OpenAsync();
        var row = Assert.Single(await c.QueryAsync("SELECT * FROM mira_tokens"));
        var values = ((IDictionary<string, object?>)row).Values.Select(v => v?.ToString() ?? "").ToArray();
        var secret = issued.Token["mira_".Length..];
        Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.Ordinal));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(issued.Token)));
        Assert.Equal(expected, await ScalarAsync<string>("SELECT token_hash FROM mira_tokens"));
        Assert.DoesNotContain(secret, issued.ToString());
    }

    [Fact]
    public async Task Token_expires_at_its_expiry_time()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("alice", TimeSpan.FromHours(1));
        Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await tokens.ValidateAsync(issued.Token));
        Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await tokens.ValidateAsync(issued.Token));
        Clock.Advance(Day);
        Assert.Null(await tokens.ValidateAsync(issued.Token));
    }

    [Fact]
    public async Task Revoked_token_is_refused_and_others_stay_valid()
    {
        await OpenAsync();
        var a = await tokens.IssueAsync("alice", Day, "a");
        var b = await tokens.IssueAsync("alice", Day, "b");
        Assert.True(await tokens.RevokeAsync(a.Info.Id));
        Assert.Null(await tokens.ValidateAsync(a.Token));
        Assert.NotNull(await tokens.ValidateAsync(b.Token));
        Assert.False(await tokens.RevokeAsync("0000000000000000"));

        var listed = await tokens.ListAsync("alice");
        Assert.Equal(2, listed.Count);
        Assert.True(listed.Single(t => t.Id == a.Info.Id).Revoked);
        Assert.False(listed.Single(t => t.Id == b.Info.Id).Revoked);

        Assert.Equal(1, await tokens.RevokeAllAsync("alice"));
        Assert.Null(await tokens.ValidateAsync(b.Token));
    }

    [Fact]
    public async Task Disabling_the_user_invalidates_the_token()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("alice", Day);
        await accounts.SetDisabledAsync("alice", true);
        Assert.Null(await tokens.ValidateAsync(issued.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => tokens.IssueAsync("alice", Day));
        await accounts.SetDisabledAsync("alice", false);
        Assert.NotNull(await tokens.ValidateAsync(issued.Token));
    }

    [Fact]
    public async Task Roles_are_read_at_validation_time()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("alice", Day);
        await accounts.SetRolesAsync("alice", ["annotator"]);
        Assert.Equal(["annotator"], (await tokens.ValidateAsync(issued.Token))!.Roles);
    }

    [Fact]
    public async Task Unknown_and_malformed_tokens_are_refused()
    {
        await OpenAsync();
        var issued = await tokens.IssueAsync("alice", Day);
        var altered = issued.Token[..^1] + (issued.Token[^1] == 'A' ? 'B' : 'A');
        var unknown = "mira_" + Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        foreach (var t in new[] { "", "mira_", altered, unknown, issued.Token[5..], issued.Token + "A", "mira_" + new string('%', 43), issued.Token.ToUpperInvariant() })
            Assert.Null(await tokens.ValidateAsync(t));
    }

    [Fact]
    public async Task Issuing_needs_an_existing_user_and_a_positive_lifetime()
    {
        await OpenAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => tokens.IssueAsync("bob", Day));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tokens.IssueAsync("alice", TimeSpan.Zero));
        Assert.Empty(await tokens.ListAsync());
    }
}

public sealed class TokenStoreSqliteTests : TokenStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => Task.FromResult<SecurityTestDatabase>(new SqliteSecurityDatabase());
}

[Collection(PostgresServer.CollectionName)]
public sealed class TokenStorePostgresTests(PostgresServer server) : TokenStoreTests
{
    protected override Task<SecurityTestDatabase> CreateDatabaseAsync() => PostgresSecurityDatabase.CreateAsync(server);
}
