using System.Globalization;
using Microsoft.AspNetCore.Http;
using Mira.Server.Security;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>What a sign-in through the form came to: an error to show (the response status is set), or a session.</summary>
public readonly record struct WebSignInOutcome(string? Error, bool MustChangePassword = false);

/// <summary>
/// Signing people in and out of the web workspace. The password check is the server's one throttled, audited check
/// (<see cref="PasswordSignIn"/>: back-off per account and per address, bounded concurrent hashes, <c>signin.failure</c>
/// records); a right password starts a server-side session (<see cref="WebSessionStore"/>) whose secret goes into the
/// session cookie, and is audited as <c>session.start</c>.
/// </summary>
public static class WebSignIn
{
    public static async Task<WebSignInOutcome> SignInAsync(HttpContext http, MiraPlatform archive, PasswordSignIn passwords, ServerOptions options,
        string userName, string password)
    {
        if (userName.Length == 0 || password.Length == 0 || userName.Length > 256 || password.Length > 1024)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return new WebSignInOutcome("Enter a user name and a password.");
        }
        var check = await passwords.CheckAsync(userName, password, http.Connection.RemoteIpAddress, http.RequestAborted);
        switch (check.Outcome)
        {
            case PasswordCheckOutcome.Throttled or PasswordCheckOutcome.Busy:
                var seconds = check.RetryAfterSeconds;
                http.Response.StatusCode = check.Outcome == PasswordCheckOutcome.Throttled
                    ? StatusCodes.Status429TooManyRequests : StatusCodes.Status503ServiceUnavailable;
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new WebSignInOutcome(check.Outcome == PasswordCheckOutcome.Throttled
                    ? $"Too many wrong passwords for this account or from this address. Try again in {seconds} s."
                    : $"The server is busy checking passwords. Try again in {seconds} s.");
            case not PasswordCheckOutcome.Accepted:
                // 401 needs a challenge (RFC 9110 §15.5.2); Bearer's never makes a browser prompt for a password.
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.Headers.WWWAuthenticate = "Bearer realm=\"Mira\"";
                return new WebSignInOutcome("Wrong user name or password.");
        }
        var user = check.User!;
        await StartSessionAsync(http, archive, options, user.Name);
        return new WebSignInOutcome(null, user.MustChangePassword);
    }

    /// <summary>Starts a session for <paramref name="userName"/> (password just checked) and sets the cookie.</summary>
    public static async Task StartSessionAsync(HttpContext http, MiraPlatform archive, ServerOptions options, string userName)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        var (info, secret) = await archive.WebSessions.CreateAsync(userName, options.Sessions, address, http.Request.Headers.UserAgent.ToString(),
            http.RequestAborted);
        SessionCookie.Write(http, secret);
        await archive.Audit.AppendAsync(new AuditEntry(info.UserName, AuditActions.SignInSession, info.Id, address), CancellationToken.None);
    }

    /// <summary><c>POST /logout</c>: ends the session of the cookie (the antiforgery token was checked before), deletes the
    /// cookie and returns to the sign-in page.</summary>
    public static async Task<IResult> SignOutAsync(HttpContext http, MiraPlatform archive)
    {
        if (SessionCookie.Read(http.Request) is { } secret && await archive.WebSessions.EndAsync(secret, http.RequestAborted)
            && MiraAuthentication.UserOf(http) is { } user)
            await archive.Audit.AppendAsync(new AuditEntry(user.Name, AuditActions.SignOut, MiraAuthentication.SessionIdOf(http),
                http.Connection.RemoteIpAddress?.ToString()), CancellationToken.None);
        SessionCookie.Delete(http);
        return Results.Redirect(WebPaths.LoginPage + "?signedOut=1", permanent: false, preserveMethod: false);
    }
}
