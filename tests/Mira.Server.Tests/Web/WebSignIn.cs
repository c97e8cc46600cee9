using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>
/// How a browser test signs in: the one place that knows. Today Mira's browser sessions sign in with HTTP Basic,
/// which Playwright answers from the context's credentials; when the cookie session's sign-in form lands, this
/// method fills it in instead and every browser test follows.
/// </summary>
public static class WebSignIn
{
    /// <summary>A fresh browser context for <paramref name="baseUrl"/>, signed in as <paramref name="user"/>.</summary>
    public static Task<IBrowserContext> SignInAsync(BrowserFixture browser, Uri baseUrl, string user, string password) =>
        browser.NewContextAsync(baseUrl, new BrowserNewContextOptions
        {
            HttpCredentials = new HttpCredentials { Username = user, Password = password, Origin = baseUrl.GetLeftPart(UriPartial.Authority) },
        });
}
