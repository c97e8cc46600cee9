using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>
/// Authenticates every request except <c>GET /health</c>: HTTP Basic (RFC 7617) against the account store, or
/// <c>Authorization: Bearer mira_…</c> against the token store. Missing or bad credentials get 401 with
/// <c>WWW-Authenticate</c> challenges for both schemes. Successful Basic checks are cached briefly, keyed by the
/// user name and a SHA-256 of the password, because PBKDF2 is slow by design.
/// </summary>
public sealed class MiraAuthentication(MiraPlatform archive, ServerOptions options, TimeProvider time)
{
    const string UserKey = "mira.user";
    readonly ConcurrentDictionary<string, (AuthenticatedUser User, DateTimeOffset Expires, string Stamp)> basicCache = new(StringComparer.Ordinal);

    public static AuthenticatedUser? UserOf(HttpContext context) => context.Items[UserKey] as AuthenticatedUser;

    public static bool IsAnonymous(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsAnonymous(context.Request))
        {
            await next(context);
            return;
        }
        var user = await AuthenticateAsync(context.Request.Headers.Authorization.ToString(), context.RequestAborted);
        if (user is null)
        {
            context.Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Mira\", charset=\"UTF-8\"");
            context.Response.Headers.Append("WWW-Authenticate", "Bearer realm=\"Mira\"");
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Authentication required",
                "Send HTTP Basic credentials or a bearer token (mira token issue --user NAME).");
            return;
        }
        context.Items[UserKey] = user;
        await next(context);
    }

    async Task<AuthenticatedUser?> AuthenticateAsync(string header, CancellationToken ct)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return await archive.Tokens.ValidateAsync(header[7..].Trim(), ct);
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return null;
        var (name, password) = (decoded[..colon], decoded[(colon + 1)..]);
        var key = name + "\n" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        var now = time.GetUtcNow();
        if (basicCache.TryGetValue(key, out var hit) && hit.Expires > now)
        {
            // The slow password check is skipped, but a disabled account, changed roles or a changed password take effect
            // at once (a new password changes the stored hash, so its stamp; the old password then goes the slow way).
            var current = await archive.Accounts.GetWithCredentialStampAsync(name, ct);
            if (current is { Account.Disabled: false } c && c.CredentialStamp == hit.Stamp) return new AuthenticatedUser(c.Account.Name, c.Account.Roles);
            basicCache.TryRemove(key, out _);
            if (current is not { Account.Disabled: false }) return null;
        }
        var stamp = (await archive.Accounts.GetWithCredentialStampAsync(name, ct))?.CredentialStamp;
        var user = await archive.Accounts.VerifyPasswordAsync(name, password, ct);
        if (user is null)
        {
            basicCache.TryRemove(key, out _);
            return null;
        }
        if (basicCache.Count > 10_000) basicCache.Clear();
        // The stamp read before the check: a password changed meanwhile makes it stale, so the entry is never reused.
        if (stamp is not null) basicCache[key] = (user, now + options.CredentialCacheLifetime, stamp);
        return user;
    }
}
