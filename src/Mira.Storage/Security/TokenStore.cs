using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Mira.Storage.Security;

/// <summary>A freshly issued token. <see cref="Token"/> is shown once and stored nowhere; <see cref="ToString"/> hides it.</summary>
public sealed class IssuedToken(TokenInfo info, string token)
{
    public TokenInfo Info { get; } = info;
    /// <summary>The bearer secret (<c>mira_</c> + 43 base64url characters).</summary>
    public string Token { get; } = token;
    public override string ToString() => $"IssuedToken {{ {Info} }}";
}

/// <summary>A stored token's public facts. <see cref="Id"/> names it for listing and revocation; it is not a secret.</summary>
public sealed record TokenInfo(string Id, string UserName, string? Label, DateTimeOffset CreatedUtc, DateTimeOffset ExpiresUtc, bool Revoked);

/// <summary>
/// Opaque bearer tokens: <c>mira_</c> followed by 32 random bytes in base64url. Only the SHA-256 of the token is
/// stored (a 256-bit random secret needs no salt or slow hash), with the user, creation and expiry times, a label
/// and a revoked flag. A token is valid while unexpired, unrevoked and its user enabled.
/// </summary>
public sealed class TokenStore
{
    public const string Prefix = "mira_";
    public const int SecretBytes = 32;
    static readonly int TokenLength = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes);

    readonly StorageDatabase db;
    readonly SecurityOptions options;

    public TokenStore(StorageDatabase db, SecurityOptions options)
    {
        this.db = db;
        this.options = options;
    }

    /// <summary>Opens the store, creating the security tables when missing.</summary>
    public static async Task<TokenStore> OpenAsync(StorageDatabase db, SecurityOptions? options = null, CancellationToken ct = default)
    {
        await Migrations.MigrationRunner.ApplyAsync(db, Migrations.MigrationCatalog.Intake, ct);
        return new TokenStore(db, options ?? SecurityOptions.Default);
    }

    /// <summary>Issues a token for an existing, enabled user.</summary>
    /// <exception cref="InvalidOperationException">No such user, or the user is disabled.</exception>
    public async Task<IssuedToken> IssueAsync(string userName, TimeSpan lifetime, string? label = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var name = AccountStore.NormalizeUserName(userName);
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var createdUs = SecuritySchema.ToMicros(options.Time.GetUtcNow());
        var expiresUs = checked(createdUs + lifetime.Ticks / TimeSpan.TicksPerMicrosecond);
        await using var c = await db.OpenAsync(ct);
        // INSERT … SELECT: the user check and the insert are one statement, so a concurrent disable cannot slip between.
        var inserted = await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mira_tokens (id, token_hash, user_name, label, created_us, expires_us, revoked)
            SELECT @id, @hash, name, @label, @createdUs, @expiresUs, 0 FROM mira_users WHERE name = @name AND disabled = 0
            """,
            new { id, hash = HashToken(token), name, label, createdUs, expiresUs }, cancellationToken: ct));
        if (inserted != 1) throw new InvalidOperationException($"No enabled user '{name}'.");
        var info = new TokenInfo(id, name, label, SecuritySchema.FromMicros(createdUs), SecuritySchema.FromMicros(expiresUs), false);
        return new IssuedToken(info, token);
    }

    /// <summary>The token's user and roles, or null when the token is malformed, unknown, expired, revoked, or
    /// its user disabled.</summary>
    public async Task<AuthenticatedUser?> ValidateAsync(string token, CancellationToken ct = default)
    {
        if (!LooksLikeToken(token)) return null;
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(string User, long ExpiresUs, long Revoked, long Disabled, long MustChange)>(new CommandDefinition(
            """
            SELECT t.user_name, t.expires_us, t.revoked, u.disabled, u.must_change_password
            FROM mira_tokens t JOIN mira_users u ON u.name = t.user_name WHERE t.token_hash = @hash
            """,
            new { hash = HashToken(token) }, cancellationToken: ct));
        if (row.User is null || row.Revoked != 0 || row.Disabled != 0) return null;
        if (row.ExpiresUs <= SecuritySchema.ToMicros(options.Time.GetUtcNow())) return null;
        return new AuthenticatedUser(row.User, await AccountStore.LoadRolesAsync(c, null, row.User, ct)) { MustChangePassword = row.MustChange != 0 };
    }

    /// <summary>Revokes one token by its id.</summary>
    /// <returns>False when no such token exists.</returns>
    public async Task<bool> RevokeAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("UPDATE mira_tokens SET revoked = 1 WHERE id = @id", new { id }, cancellationToken: ct)) == 1;
    }

    /// <summary>Revokes every token of a user; returns how many were still active.</summary>
    public async Task<int> RevokeAllAsync(string userName, CancellationToken ct = default)
    {
        if (!AccountStore.TryNormalizeUserName(userName, out var name)) return 0;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "UPDATE mira_tokens SET revoked = 1 WHERE user_name = @name AND revoked = 0", new { name }, cancellationToken: ct));
    }

    /// <summary>Tokens, newest first; all users when <paramref name="userName"/> is null.</summary>
    public async Task<IReadOnlyList<TokenInfo>> ListAsync(string? userName = null, CancellationToken ct = default)
    {
        var name = userName is null ? null : AccountStore.TryNormalizeUserName(userName, out var n) ? n : "";
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Id, string User, string? Label, long CreatedUs, long ExpiresUs, long Revoked)>(new CommandDefinition(
            "SELECT id, user_name, label, created_us, expires_us, revoked FROM mira_tokens"
            + (name is null ? "" : " WHERE user_name = @name") + " ORDER BY created_us DESC, id",
            new { name }, cancellationToken: ct));
        return rows.Select(r => new TokenInfo(r.Id, r.User, r.Label, SecuritySchema.FromMicros(r.CreatedUs),
            SecuritySchema.FromMicros(r.ExpiresUs), r.Revoked != 0)).ToArray();
    }

    /// <summary>What is stored for a token: lowercase hex SHA-256 of its UTF-8 text.</summary>
    public static string HashToken(string token) => SecuritySchema.Hex(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    static bool LooksLikeToken(string? token) =>
        token is not null && token.Length == TokenLength && token.StartsWith(Prefix, StringComparison.Ordinal)
        && token.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64UrlAlphabet) < 0;

    static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
