using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Mira.Server.Web;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>How a request proved who it is. A cookie session (the web workspace) must also present an antiforgery token
/// with every state-changing request (<see cref="RequestForgeryGuard"/>).</summary>
public enum AuthenticationMethod
{
    Basic,
    Bearer,
    Cookie,
}

/// <summary>
/// Authenticates every request except <c>GET /health</c> and the sign-in page's own (<see cref="WebPaths.IsPublic"/>):
/// HTTP Basic (RFC 7617) against the account store, <c>Authorization: Bearer mira_…</c> against the token store, or,
/// without an <c>Authorization</c> header, the web workspace's session cookie (<see cref="Web.SessionCookie"/>) against
/// the session store. A browser's page request without credentials is redirected to <c>/login</c>; other requests
/// without them get 401 with <c>WWW-Authenticate</c> challenges (Bearer always; Basic only for clients that are not
/// browsers, so that a page never pops up the browser's password prompt). Basic and bearer never create a cookie. Password checks go through <see cref="PasswordSignIn"/>
/// (throttled: 429 with <c>Retry-After</c> during a back-off; audited). Successful Basic checks are cached briefly,
/// keyed by the user name and a SHA-256 of the password, because PBKDF2 is slow by design; only a right password can
/// hit the cache, so it never lets a guess past the throttle. An account that must change its password
/// (<see cref="UserAccount.MustChangePassword"/>) gets 403 on everything but the password change.
/// </summary>
public sealed class MiraAuthentication(MiraPlatform archive, ServerOptions options, TimeProvider time, PasswordSignIn signIn)
{
    const string UserKey = "mira.user";
    const string MethodKey = "mira.auth.method";
    readonly ConcurrentDictionary<string, (AuthenticatedUser User, DateTimeOffset Expires, string Stamp)> basicCache = new(StringComparer.Ordinal);

    public static AuthenticatedUser? UserOf(HttpContext context) => context.Items[UserKey] as AuthenticatedUser;

    /// <summary>How the request authenticated; null before authentication (or for the anonymous health check).</summary>
    public static AuthenticationMethod? MethodOf(HttpContext context) => context.Items[MethodKey] as AuthenticationMethod?;

    /// <summary>Records the authenticated user and how they proved it (the one place that does, so later checks can rely on it).</summary>
    public static void SignIn(HttpContext context, AuthenticatedUser user, AuthenticationMethod method)
    {
        context.Items[UserKey] = user;
        context.Items[MethodKey] = method;
        // The framework's view of the user: antiforgery tokens are bound to this name.
        context.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, user.Name)], "mira." + method.ToString().ToLowerInvariant()));
    }

    /// <summary>The id of the web session the request came with (cookie sign-ins only).</summary>
    public static string? SessionIdOf(HttpContext context) => context.Items[SessionKey] as string;

    const string SessionKey = "mira.session";

    public static bool IsAnonymous(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (IsAnonymous(context.Request) || Observability.MetricsAccess.IsAnonymousScrape(context.Request, options))
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            if (await CookieSessionAsync(context)) await next(context);
            return;
        }
        var (check, method) = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? (await archive.Tokens.ValidateAsync(header[7..].Trim(), context.RequestAborted) is { } u
                ? new PasswordCheck(PasswordCheckOutcome.Accepted, u) : new PasswordCheck(PasswordCheckOutcome.Rejected), AuthenticationMethod.Bearer)
            : (await BasicAsync(header, context), AuthenticationMethod.Basic);
        switch (check.Outcome)
        {
            case PasswordCheckOutcome.Throttled or PasswordCheckOutcome.Busy:
                var seconds = check.RetryAfterSeconds;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await (check.Outcome == PasswordCheckOutcome.Throttled
                    ? Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
                        $"Too many wrong passwords for this account or from this address; try again in {seconds} s (Retry-After).")
                    : Problems.Write(context, StatusCodes.Status503ServiceUnavailable, "Sign-in busy",
                        $"Too many password checks are waiting; try again in {seconds} s (Retry-After)."));
                return;
            case not PasswordCheckOutcome.Accepted:
                await ChallengeAsync(context);
                return;
        }
        var user = check.User!;
        if (user.MustChangePassword && !AccountEndpoints.IsPasswordChange(context.Request))
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Password change required",
                $"The password of '{user.Name}' was not chosen by its user and must be changed first: "
                + $"POST {AccountEndpoints.PasswordRoute} with {{\"currentPassword\": \"…\", \"newPassword\": \"…\"}}.");
            return;
        }
        SignIn(context, user, method);
        await next(context);
    }

    /// <summary>A request without an <c>Authorization</c> header: signs in its session cookie, lets the sign-in page's
    /// own requests through anonymously, and answers the rest (redirect to <c>/login</c>, or 401). True: go on.</summary>
    async Task<bool> CookieSessionAsync(HttpContext context)
    {
        var request = context.Request;
        if (Web.SessionCookie.Read(request) is { } secret)
        {
            if (await archive.WebSessions.ValidateAsync(secret, options.Sessions, context.RequestAborted) is { } session)
            {
                if (session.User.MustChangePassword && !WebPaths.AllowedBeforePasswordChange(request))
                {
                    if (WebPaths.WantsPage(request)) context.Response.Redirect(WebPaths.PasswordPage);
                    else
                        await Problems.Write(context, StatusCodes.Status403Forbidden, "Password change required",
                            $"The password of '{session.User.Name}' must be changed first: {WebPaths.PasswordPage}.");
                    return false;
                }
                SignIn(context, session.User, AuthenticationMethod.Cookie);
                context.Items[SessionKey] = session.Id;
                return true;
            }
            Web.SessionCookie.Delete(context); // ended or unknown: the browser should stop sending it
        }
        if (WebPaths.IsPublic(request)) return true;
        if (WebPaths.WantsPage(request))
        {
            context.Response.Redirect(WebPaths.LoginPage + "?returnUrl=" + Uri.EscapeDataString(request.Path + request.QueryString));
            return false;
        }
        await ChallengeAsync(context);
        return false;
    }

    /// <summary>401 with the schemes this server accepts. A browser (it sends Fetch Metadata) is not offered Basic: its
    /// password prompt is no way to sign in to the workspace, whose pages redirect to <c>/login</c> instead.</summary>
    static Task ChallengeAsync(HttpContext context)
    {
        var browser = context.Request.Headers.ContainsKey("Sec-Fetch-Site") || Web.SessionCookie.IsPresent(context.Request);
        if (!browser) context.Response.Headers.Append("WWW-Authenticate", "Basic realm=\"Mira\", charset=\"UTF-8\"");
        context.Response.Headers.Append("WWW-Authenticate", "Bearer realm=\"Mira\"");
        return Problems.Write(context, StatusCodes.Status401Unauthorized, "Authentication required",
            "Sign in at /login, or send HTTP Basic credentials or a bearer token (mira token issue --user NAME).");
    }

    async Task<PasswordCheck> BasicAsync(string header, HttpContext context)
    {
        var rejected = new PasswordCheck(PasswordCheckOutcome.Rejected);
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return rejected;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return rejected;
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return rejected;
        var (name, password) = (decoded[..colon], decoded[(colon + 1)..]);
        var ct = context.RequestAborted;
        var key = name + "\n" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(password)));
        var now = time.GetUtcNow();
        if (basicCache.TryGetValue(key, out var hit) && hit.Expires > now)
        {
            // The slow password check is skipped, but a disabled account, changed roles or a changed password take effect
            // at once (a new password changes the stored hash, so its stamp; the old password then goes the slow way).
            var current = await archive.Accounts.GetWithCredentialStampAsync(name, ct);
            if (current is { Account.Disabled: false } c && c.CredentialStamp == hit.Stamp)
                return new PasswordCheck(PasswordCheckOutcome.Accepted,
                    new AuthenticatedUser(c.Account.Name, c.Account.Roles) { MustChangePassword = c.Account.MustChangePassword });
            basicCache.TryRemove(key, out _);
            if (current is not { Account.Disabled: false }) return rejected;
        }
        var stamp = (await archive.Accounts.GetWithCredentialStampAsync(name, ct))?.CredentialStamp;
        var check = await signIn.CheckAsync(name, password, context.Connection.RemoteIpAddress, ct);
        if (check.Outcome != PasswordCheckOutcome.Accepted)
        {
            basicCache.TryRemove(key, out _);
            return check;
        }
        if (basicCache.Count > 10_000) basicCache.Clear();
        // The stamp read before the check: a password changed meanwhile makes it stale, so the entry is never reused.
        if (stamp is not null) basicCache[key] = (check.User!, now + options.CredentialCacheLifetime, stamp);
        return check;
    }
}
