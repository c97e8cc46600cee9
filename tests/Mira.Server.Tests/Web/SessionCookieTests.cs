using System.Net;
using System.Net.Http.Headers;

namespace Mira.Server.Tests.Web;

/// <summary>The session cookie's attributes over HTTP and HTTPS, the sign-in form's own forgery checks, and that API
/// credentials never turn into cookies (a real <c>mira serve</c>; no browser needed).</summary>
public sealed class SessionCookieTests : IAsyncLifetime
{
    readonly string root = Directory.CreateTempSubdirectory("mira-cookie-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    static string SessionCookieOf(HttpResponseMessage r) =>
        Assert.Single(r.Headers.GetValues("Set-Cookie"), c => c.Contains("mira_session=", StringComparison.Ordinal));

    [Fact]
    public async Task Under_HTTPS_the_session_cookie_is_Secure_HttpOnly_SameSite_Strict_and_has_the_Host_prefix()
    {
        var (cert, key, _) = TestCertificates.SelfSignedLoopback(root);
        var url = $"https://127.0.0.1:{ServeProcess.FreePort()}";
        await using var server = await ServeProcess.StartAsync(Path.Combine(root, "data"), "--urls", url, "--tls-cert", cert, "--tls-key", key);
        using var client = FormSignIn.Client(new Uri(url));
        using var r = await FormSignIn.PostAsync(client, "admin", ServeProcess.AdminPassword);
        Assert.Equal(HttpStatusCode.Found, r.StatusCode);
        var cookie = SessionCookieOf(r).ToLowerInvariant();
        Assert.StartsWith("__host-mira_session=mira_s_", cookie);
        foreach (var attribute in new[] { "; secure", "; httponly", "; samesite=strict", "; path=/" }) Assert.Contains(attribute, cookie);
        Assert.DoesNotContain("domain=", cookie);
        Assert.DoesNotContain("expires=", cookie);
        using var home = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Signed in as <b>admin</b>", await home.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_sign_in_form_refuses_another_sites_post_and_a_post_without_its_token_and_starts_no_session()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(root, "data"));
        using var client = FormSignIn.Client(server.Http.BaseAddress!);
        using (var foreign = await FormSignIn.PostAsync(client, "admin", ServeProcess.AdminPassword, origin: "http://evil.example"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
            Assert.False(foreign.Headers.Contains("Set-Cookie") && foreign.Headers.GetValues("Set-Cookie").Any(c => c.Contains("mira_session")));
        }
        using (var tokenless = await FormSignIn.PostAsync(client, "admin", ServeProcess.AdminPassword, token: "forged"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tokenless.StatusCode);
            Assert.False(tokenless.Headers.Contains("Set-Cookie") && tokenless.Headers.GetValues("Set-Cookie").Any(c => c.Contains("mira_session")));
        }
        using var right = await FormSignIn.PostAsync(client, "admin", ServeProcess.AdminPassword);
        Assert.Equal(HttpStatusCode.Found, right.StatusCode);
        Assert.Equal("/", right.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Basic_and_bearer_credentials_never_create_a_session_cookie_and_browsers_are_not_offered_Basic()
    {
        await using var server = await ServeProcess.StartAsync(Path.Combine(root, "data"));
        foreach (var path in new[] { "/", "/dicomweb/studies", "/api/account" })
        {
            using var r = await server.Http.GetAsync(path);
            Assert.True(r.IsSuccessStatusCode, path);
            Assert.False(r.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.Contains("mira_session")), path);
        }
        using var plain = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Http.BaseAddress };
        // A client that is not a browser is offered Basic and Bearer...
        using (var api = await plain.GetAsync("/dicomweb/studies"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
            Assert.Equal(["Basic", "Bearer"], api.Headers.WwwAuthenticate.Select(h => h.Scheme).Order());
        }
        // ...a browser's script only Bearer (no password prompt), and a browser's page load goes to the sign-in form.
        using (var script = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/studies"))
        {
            script.Headers.Add("Sec-Fetch-Site", "same-origin");
            using var r = await plain.SendAsync(script);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal(["Bearer"], r.Headers.WwwAuthenticate.Select(h => h.Scheme));
        }
        using (var page = new HttpRequestMessage(HttpMethod.Get, "/projects?x=1"))
        {
            page.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
            using var r = await plain.SendAsync(page);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal("/login?returnUrl=%2Fprojects%3Fx%3D1", r.Headers.Location!.OriginalString);
        }
        // A stale session cookie is deleted, and never opens anything.
        using (var stale = new HttpRequestMessage(HttpMethod.Get, "/api/account"))
        {
            stale.Headers.Add("Cookie", "mira_session=mira_s_" + new string('A', 43));
            using var r = await plain.SendAsync(stale);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Contains(r.Headers.GetValues("Set-Cookie"), c => c.StartsWith("mira_session=;", StringComparison.Ordinal));
        }
    }
}
