using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Mira.Server.Security;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>
/// Issue 14 item 2, for the cookie sessions of the web workspace: a state-changing request authenticated by a cookie
/// must carry the session's antiforgery token, checked by the framework's real antiforgery service. The guard is called
/// directly, with the request marked as a cookie sign-in the way the session check does (<see cref="MiraAuthentication.SignIn"/>);
/// the whole flow in a browser is in <c>Web/SignInTests</c>.
/// </summary>
public sealed class CookieSessionForgeryTests(TestArchive server) : IClassFixture<TestArchive>
{
    static readonly AuthenticatedUser Steward = new("steward", [Roles.Steward]);

    DefaultHttpContext Request(AuthenticationMethod method, string? cookie = null, string? token = null)
    {
        var context = new DefaultHttpContext { RequestServices = server.Services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/projects";
        context.Request.ContentType = "application/json";
        if (cookie is not null) context.Request.Headers.Cookie = cookie;
        if (token is not null) context.Request.Headers["X-CSRF-TOKEN"] = token;
        MiraAuthentication.SignIn(context, Steward, method);
        return context;
    }

    async Task<(int Status, bool Reached)> GuardAsync(HttpContext context)
    {
        var reached = false;
        await server.Services.GetRequiredService<RequestForgeryGuard>().InvokeAsync(context, _ =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        return (context.Response.StatusCode, reached);
    }

    [Fact]
    public async Task A_cookie_session_without_its_antiforgery_token_is_refused_and_with_it_goes_through()
    {
        Assert.Equal((403, false), await GuardAsync(Request(AuthenticationMethod.Cookie)));

        // The token pair a page of the workspace would get: a cookie, and a request token for the header, issued to the
        // signed-in user (tokens are bound to the user's name).
        var issuing = new DefaultHttpContext { RequestServices = server.Services };
        MiraAuthentication.SignIn(issuing, Steward, AuthenticationMethod.Cookie);
        var tokens = server.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(issuing);
        var cookie = issuing.Response.Headers.SetCookie.ToString().Split(';')[0];
        Assert.EndsWith("=" + tokens.CookieToken, cookie);
        Assert.Equal((403, false), await GuardAsync(Request(AuthenticationMethod.Cookie, cookie, token: "forged")));
        Assert.Equal((403, false), await GuardAsync(Request(AuthenticationMethod.Cookie, cookie: null, token: tokens.RequestToken)));
        Assert.Equal((200, true), await GuardAsync(Request(AuthenticationMethod.Cookie, cookie, tokens.RequestToken)));

        // A token pair issued to someone else (here: before sign-in) does not pass for this user.
        var anonymous = new DefaultHttpContext { RequestServices = server.Services };
        var foreign = server.Services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(anonymous);
        var foreignCookie = anonymous.Response.Headers.SetCookie.ToString().Split(';')[0];
        Assert.Equal((403, false), await GuardAsync(Request(AuthenticationMethod.Cookie, foreignCookie, foreign.RequestToken)));
    }

    [Fact]
    public async Task Basic_and_bearer_requests_need_no_antiforgery_token()
    {
        Assert.Equal((200, true), await GuardAsync(Request(AuthenticationMethod.Basic)));
        Assert.Equal((200, true), await GuardAsync(Request(AuthenticationMethod.Bearer)));
    }
}
