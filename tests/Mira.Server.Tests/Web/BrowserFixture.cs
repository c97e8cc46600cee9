using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>
/// One headless Chromium per test class (Debian's <c>/usr/bin/chromium</c>, or <c>MIRA_CHROMIUM</c>), driven by
/// Playwright; tests open a fresh context each. Nothing is downloaded: Playwright is told where the browser is, and the
/// flags keep Chromium from calling out to the network.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    static readonly string[] QuietFlags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    IPlaywright? playwright;
    IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("the browser has not started");

    /// <summary>The Chromium executable the tests use.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("MIRA_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"Chromium is not installed at {ExecutablePath} (Debian package chromium; tools/test.sh installs it)");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = QuietFlags,
        });
    }

    /// <summary>A new, empty browser context (no cookies, no cached credentials) for <paramref name="baseUrl"/>.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseUrl, BrowserNewContextOptions? options = null)
    {
        options ??= new BrowserNewContextOptions();
        options.BaseURL = baseUrl.ToString();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 900 };
        return Browser.NewContextAsync(options);
    }

    public async Task DisposeAsync()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
    }
}
