using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>Signs a browser in the way a person does: the <c>/login</c> form. Every browser test signs in through here.</summary>
public static class LoginForm
{
    public static async Task SignInAsync(IPage page, string user, string password, string returnUrl = "/")
    {
        await page.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        await page.FillAsync("input[name=username]", user);
        await page.FillAsync("input[name=password]", password);
        await Task.WhenAll(page.WaitForURLAsync(u => !new Uri(u).AbsolutePath.Equals("/login", StringComparison.Ordinal)),
            page.ClickAsync("#signin-form button[type=submit]"));
    }

    /// <summary>A fresh browser context for <paramref name="baseUrl"/> whose session cookie belongs to <paramref name="user"/>.</summary>
    public static async Task<IBrowserContext> NewSignedInContextAsync(BrowserFixture browser, Uri baseUrl, string user, string password)
    {
        var context = await browser.NewContextAsync(baseUrl);
        var page = await context.NewPageAsync();
        await SignInAsync(page, user, password);
        await page.CloseAsync();
        return context;
    }
}
