using System.Buffers.Text;
using System.Security.Cryptography;
using Dapper;

namespace Mira.Storage.Security;

/// <summary>A web session's public facts. <see cref="Id"/> names it for listing and sign-out elsewhere; it is not a secret.</summary>
public sealed record WebSessionInfo(string Id, string UserName, DateTimeOffset CreatedUtc, DateTimeOffset LastSeenUtc, DateTimeOffset ExpiresUtc,
    string? Address, string? UserAgent);

/// <summary>A session that <see cref="WebSessionStore.ValidateAsync"/> accepted: who, and which session.</summary>
public sealed record ValidatedWebSession(string Id, AuthenticatedUser User);

/// <summary>How long sessions last: <see cref="IdleTimeout"/> without a request ends one (sliding expiry), and none
/// outlives <see cref="Lifetime"/> from its sign-in.</summary>
public sealed record WebSessionPolicy(TimeSpan IdleTimeout, TimeSpan Lifetime)
{
    public static WebSessionPolicy Default { get; } = new(TimeSpan.FromHours(2), TimeSpan.FromHours(12));
}

/// <summary>
/// The server side of the web workspace's cookie sessions (table <c>mira_web_sessions</c>, migration 9). The cookie holds
/// a random 256-bit secret; only its SHA-256 is stored, so a copy of the database signs nobody in. A session ends when
/// its user signs out, after <see cref="WebSessionPolicy.IdleTimeout"/> without a request, at
/// <see cref="WebSessionPolicy.Lifetime"/> after the sign-in, when the account is disabled, and when the password
/// changes (each session keeps the credential stamp it was created with).
/// </summary>
public sealed class WebSessionStore(StorageDatabase db, SecurityOptions options)
{
    public const string Prefix = "mira_s_";
    const int SecretBytes = 32;
    static readonly int SecretLength = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes);

    /// <summary>How often <see cref="ValidateAsync"/> writes a session's last request time (not on every request).</summary>
    public static TimeSpan TouchInterval { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Migration 9.</summary>
    public static IReadOnlyList<string> TableDdl =>
    [
        """
        CREATE TABLE IF NOT EXISTS mira_web_sessions (
            id TEXT PRIMARY KEY,
            secret_hash TEXT NOT NULL UNIQUE,
            user_name TEXT NOT NULL,
            credential_stamp TEXT NOT NULL,
            created_us BIGINT NOT NULL,
            last_seen_us BIGINT NOT NULL,
            expires_us BIGINT NOT NULL,
            address TEXT,
            user_agent TEXT,
            ended INTEGER NOT NULL DEFAULT 0)
        """,
        "CREATE INDEX IF NOT EXISTS mira_web_sessions_user ON mira_web_sessions (user_name)",
    ];

    /// <summary>Starts a session for an enabled account whose password was just checked; returns the cookie's secret.</summary>
    /// <exception cref="InvalidOperationException">No such enabled user.</exception>
    public async Task<(WebSessionInfo Info, string Secret)> CreateAsync(string userName, WebSessionPolicy policy, string? address, string? userAgent,
        CancellationToken ct = default)
    {
        var name = AccountStore.NormalizeUserName(userName);
        var secret = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var now = SecuritySchema.ToMicros(options.Time.GetUtcNow());
        var expires = checked(now + policy.Lifetime.Ticks / TimeSpan.TicksPerMicrosecond);
        userAgent = userAgent is { Length: > 256 } ? userAgent[..256] : userAgent;
        await using var c = await db.OpenAsync(ct);
        var stamp = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT password_hash FROM mira_users WHERE name = @name AND disabled = 0", new { name }, cancellationToken: ct))
            ?? throw new InvalidOperationException($"No enabled user '{name}'.");
        await c.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mira_web_sessions (id, secret_hash, user_name, credential_stamp, created_us, last_seen_us, expires_us, address, user_agent, ended)
            VALUES (@id, @hash, @name, @stamp, @now, @now, @expires, @address, @userAgent, 0)
            """,
            new { id, hash = TokenStore.HashToken(secret), name, stamp = AccountStore.StampOf(stamp), now, expires, address, userAgent },
            cancellationToken: ct));
        var info = new WebSessionInfo(id, name, SecuritySchema.FromMicros(now), SecuritySchema.FromMicros(now), SecuritySchema.FromMicros(expires), address, userAgent);
        return (info, secret);
    }

    /// <summary>The session's user, or null when the secret is malformed or unknown, or the session has ended (signed out,
    /// idle too long, past its lifetime, account disabled, password changed). Extends the idle window.</summary>
    public async Task<ValidatedWebSession?> ValidateAsync(string secret, WebSessionPolicy policy, CancellationToken ct = default)
    {
        if (!LooksLikeSecret(secret)) return null;
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<(string Id, string User, string Stamp, long LastSeenUs, long ExpiresUs, long Ended, long Disabled, long MustChange, string PasswordHash)>(
            new CommandDefinition(
                """
                SELECT s.id, s.user_name, s.credential_stamp, s.last_seen_us, s.expires_us, s.ended, u.disabled, u.must_change_password, u.password_hash
                FROM mira_web_sessions s JOIN mira_users u ON u.name = s.user_name WHERE s.secret_hash = @hash
                """,
                new { hash = TokenStore.HashToken(secret) }, cancellationToken: ct));
        if (row.Id is null || row.Ended != 0 || row.Disabled != 0) return null;
        var now = SecuritySchema.ToMicros(options.Time.GetUtcNow());
        var idleUs = policy.IdleTimeout.Ticks / TimeSpan.TicksPerMicrosecond;
        if (now >= row.ExpiresUs || now - row.LastSeenUs >= idleUs) return null;
        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(row.Stamp),
                System.Text.Encoding.ASCII.GetBytes(AccountStore.StampOf(row.PasswordHash)))) return null;
        if (now - row.LastSeenUs >= TouchInterval.Ticks / TimeSpan.TicksPerMicrosecond)
            await c.ExecuteAsync(new CommandDefinition("UPDATE mira_web_sessions SET last_seen_us = @now WHERE id = @id AND last_seen_us < @now",
                new { now, id = row.Id }, cancellationToken: ct));
        var roles = await AccountStore.LoadRolesAsync(c, null, row.User, ct);
        return new ValidatedWebSession(row.Id, new AuthenticatedUser(row.User, roles) { MustChangePassword = row.MustChange != 0 });
    }

    /// <summary>Ends the session holding <paramref name="secret"/> (sign-out); false when there was none to end.</summary>
    public async Task<bool> EndAsync(string secret, CancellationToken ct = default)
    {
        if (!LooksLikeSecret(secret)) return false;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("UPDATE mira_web_sessions SET ended = 1 WHERE secret_hash = @hash AND ended = 0",
            new { hash = TokenStore.HashToken(secret) }, cancellationToken: ct)) == 1;
    }

    /// <summary>Ends one of <paramref name="userName"/>'s sessions by its id; false when there was none to end.</summary>
    public async Task<bool> EndAsync(string userName, string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("UPDATE mira_web_sessions SET ended = 1 WHERE id = @id AND user_name = @userName AND ended = 0",
            new { id, userName }, cancellationToken: ct)) == 1;
    }

    /// <summary>Ends every session of a user; returns how many were open.</summary>
    public async Task<int> EndAllAsync(string userName, CancellationToken ct = default)
    {
        if (!AccountStore.TryNormalizeUserName(userName, out var name)) return 0;
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("UPDATE mira_web_sessions SET ended = 1 WHERE user_name = @name AND ended = 0",
            new { name }, cancellationToken: ct));
    }

    /// <summary>A user's sessions that are still open (not ended, not expired), most recent first.</summary>
    public async Task<IReadOnlyList<WebSessionInfo>> ListOpenAsync(string userName, WebSessionPolicy policy, CancellationToken ct = default)
    {
        var name = AccountStore.TryNormalizeUserName(userName, out var n) ? n : "";
        var now = SecuritySchema.ToMicros(options.Time.GetUtcNow());
        var idleSince = now - policy.IdleTimeout.Ticks / TimeSpan.TicksPerMicrosecond;
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Id, string User, long CreatedUs, long LastSeenUs, long ExpiresUs, string? Address, string? UserAgent)>(
            new CommandDefinition(
                """
                SELECT id, user_name, created_us, last_seen_us, expires_us, address, user_agent FROM mira_web_sessions
                WHERE user_name = @name AND ended = 0 AND expires_us > @now AND last_seen_us > @idleSince ORDER BY last_seen_us DESC, id
                """,
                new { name, now, idleSince }, cancellationToken: ct));
        return [.. rows.Select(r => new WebSessionInfo(r.Id, r.User, SecuritySchema.FromMicros(r.CreatedUs), SecuritySchema.FromMicros(r.LastSeenUs),
            SecuritySchema.FromMicros(r.ExpiresUs), r.Address, r.UserAgent))];
    }

    static bool LooksLikeSecret(string? secret) =>
        secret is not null && secret.Length == SecretLength && secret.StartsWith(Prefix, StringComparison.Ordinal)
        && secret.AsSpan(Prefix.Length).IndexOfAnyExcept(Base64UrlAlphabet) < 0;

    static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
