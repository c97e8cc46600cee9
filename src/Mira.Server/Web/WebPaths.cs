using Microsoft.AspNetCore.Http;
using Mira.Server.Security;

namespace Mira.Server.Web;

/// <summary>The web workspace's fixed addresses, and which requests are browser page loads.</summary>
public static class WebPaths
{
    public const string LoginPage = "/login";
    public const string LogoutAction = "/logout";
    public const string PasswordPage = "/account/password";
    public const string StyleSheet = "/mira.css";

    /// <summary>What anyone may load without signing in: the sign-in page (GET, and its form's POST) and its style sheet.</summary>
    public static bool IsPublic(HttpRequest request) =>
        ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsPost(request.Method))
         && request.Path.Equals(LoginPage, StringComparison.OrdinalIgnoreCase))
        || ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && (request.Path.Equals(StyleSheet, StringComparison.OrdinalIgnoreCase) || request.Path.Equals("/favicon.ico", StringComparison.OrdinalIgnoreCase)));

    /// <summary>What an account that must change its password may still do: the password page, sign-out, the account API.</summary>
    public static bool AllowedBeforePasswordChange(HttpRequest request) =>
        request.Path.Equals(PasswordPage, StringComparison.OrdinalIgnoreCase)
        || (HttpMethods.IsPost(request.Method) && request.Path.Equals(LogoutAction, StringComparison.OrdinalIgnoreCase))
        || AccountEndpoints.IsPasswordChange(request) || IsPublic(request);

    /// <summary>A browser loading a page (it asks for HTML with GET): answered with a redirect rather than a 401.</summary>
    public static bool WantsPage(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>A return address after sign-in that stays on this site: a local path, never <c>//host</c> or <c>/\host</c>.</summary>
    public static string SafeReturnUrl(string? url) =>
        url is { Length: > 0 } u && u[0] == '/' && (u.Length == 1 || (u[1] != '/' && u[1] != '\\')) && !u.Contains('\r') && !u.Contains('\n')
            ? u : "/";
}
