using Microsoft.AspNetCore.Http;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>
/// The web workspace's session cookie: the secret of a server-side session (<see cref="WebSessionStore"/>), HttpOnly (no
/// script reads it), SameSite=Strict (no other site's page sends it), path <c>/</c>, and Secure under HTTPS, where it is
/// also named with the <c>__Host-</c> prefix (RFC 6265bis §4.1.3.2: only a secure, host-only cookie may carry that
/// name, so a sibling subdomain cannot plant one). No Expires: it ends with the browser, and the server ends it
/// sooner (sliding idle timeout, lifetime, sign-out).
/// </summary>
public static class SessionCookie
{
    public const string Name = "mira_session";
    public const string SecureName = "__Host-" + Name;

    /// <summary>The session secret the request carries, if any (the secure name first).</summary>
    public static string? Read(HttpRequest request) =>
        request.Cookies.TryGetValue(SecureName, out var secure) && !string.IsNullOrEmpty(secure) ? secure
        : request.Cookies.TryGetValue(Name, out var plain) && !string.IsNullOrEmpty(plain) ? plain : null;

    /// <summary>Whether the request carries a session cookie at all, valid or not.</summary>
    public static bool IsPresent(HttpRequest request) => Read(request) is not null;

    public static void Write(HttpContext context, string secret) =>
        context.Response.Cookies.Append(NameFor(context.Request), secret, Options(context.Request));

    public static void Delete(HttpContext context)
    {
        context.Response.Cookies.Delete(NameFor(context.Request), Options(context.Request));
        if (context.Request.Cookies.ContainsKey(Name) && NameFor(context.Request) != Name) context.Response.Cookies.Delete(Name);
    }

    static string NameFor(HttpRequest request) => request.IsHttps ? SecureName : Name;

    static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        IsEssential = true,
    };
}
