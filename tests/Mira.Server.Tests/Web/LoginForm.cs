using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>Signs a browser page in the way a person does: the <c>/login</c> form.</summary>
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
}
