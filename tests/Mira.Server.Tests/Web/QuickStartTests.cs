using System.Text.RegularExpressions;

namespace Mira.Server.Tests.Web;

/// <summary>
/// The README's quick start, as a newcomer follows it: <c>mira serve --demo</c> on a fresh data folder (no
/// <c>MIRA_ADMIN_PASSWORD</c>), open the address, sign in as <c>admin</c> with the printed one-time password, choose a
/// password, and find the demo studies on the home page.
/// </summary>
public sealed partial class QuickStartTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_printed_demo_password_signs_in_once_then_the_admin_chooses_one_and_sees_the_demo_studies()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-quickstart-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, new Dictionary<string, string?> { ["MIRA_ADMIN_PASSWORD"] = null }, "--demo");
            var printed = OneTimePassword().Match(server.Output);
            Assert.True(printed.Success, server.Output);
            Assert.Equal((await File.ReadAllTextAsync(Path.Combine(data, "admin-password.txt"))).Trim(), printed.Groups[1].Value);
            Assert.Contains("in a browser and sign in", server.Output);

            await using var context = await browser.NewContextAsync(server.Http.BaseAddress!);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/");
            Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
            await LoginForm.SignInAsync(page, "admin", printed.Groups[1].Value);
            Assert.Equal("/account/password", new Uri(page.Url).AbsolutePath);
            await page.FillAsync("input[name=currentPassword]", printed.Groups[1].Value);
            await page.FillAsync("input[name=newPassword]", "my-demo-password");
            await page.FillAsync("input[name=confirmPassword]", "my-demo-password");
            await Task.WhenAll(page.WaitForURLAsync("**/?passwordChanged=1"), page.ClickAsync("#password-form button[type=submit]"));

            Assert.False(File.Exists(Path.Combine(data, "admin-password.txt")));
            var rows = page.Locator("#recent-studies tbody tr");
            Assert.Equal(3, await rows.CountAsync());
            foreach (var patient in new[] { "DEMO^ALICE", "DEMO^BOB", "DEMO^CAROL" })
                Assert.Contains(patient, await page.InnerTextAsync("#recent-studies"));
            Assert.Equal(3, await page.Locator("#recent-studies a[href$='/view']").CountAsync());
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [GeneratedRegex(@"one-time password (\S+) ")]
    private static partial Regex OneTimePassword();
}
