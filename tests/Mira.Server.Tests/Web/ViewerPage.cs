using Microsoft.Playwright;

namespace Mira.Server.Tests.Web;

/// <summary>
/// One viewer page in a signed-in browser context, with every HTTP request it makes recorded: the answers at or above
/// 400 and the requests that got no answer are its <see cref="Failures"/>.
/// </summary>
public sealed class ViewerPage : IAsyncDisposable
{
    readonly IBrowserContext context;
    readonly List<string> requests = [];
    readonly List<string> failures = [];
    readonly List<string> errors = [];

    ViewerPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Response += (_, r) =>
        {
            var line = $"{r.Status} {r.Request.Method} {r.Url}";
            lock (requests)
            {
                requests.Add(line);
                if (r.Status >= 400) failures.Add(line);
            }
        };
        page.Console += (_, m) =>
        {
            if (m.Type == "error") lock (requests) errors.Add(m.Text);
        };
        page.PageError += (_, e) =>
        {
            lock (requests) errors.Add("uncaught: " + e);
        };
        page.RequestFailed += (_, r) =>
        {
            lock (requests) failures.Add($"no answer ({r.Failure}) {r.Method} {r.Url}");
        };
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Requests { get { lock (requests) return [.. requests]; } }

    public IReadOnlyList<string> Failures { get { lock (requests) return [.. failures]; } }

    /// <summary>What the page logged as errors (console errors, uncaught exceptions), for failure messages.</summary>
    public IReadOnlyList<string> Errors { get { lock (requests) return [.. errors]; } }

    public static async Task<ViewerPage> OpenAsync(BrowserFixture browser, Uri baseUrl, string user, string password, string path)
    {
        var context = await LoginForm.NewSignedInContextAsync(browser, baseUrl, user, password);
        var viewer = new ViewerPage(context, await context.NewPageAsync());
        await viewer.Page.GotoAsync(path);
        return viewer;
    }

    /// <summary>Waits until a cornerstone viewport shows an image, then until the network has been quiet for half a second.</summary>
    public async Task WaitForImageAsync(float timeoutMs = 90_000)
    {
        try
        {
            await Page.WaitForFunctionAsync("""
            () => {
              const cs = window.cornerstone;
              if (!cs || !cs.getRenderingEngines) return false;
              return cs.getRenderingEngines().some(e => e.getViewports().some(v => {
                try { return !!(v.getCurrentImageId && v.getCurrentImageId() && v.getImageData && v.getImageData()); } catch { return false; }
              }));
            }
            """, null, new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 250 });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"no image after {timeoutMs} ms at {Page.Url}; page errors:\n{string.Join("\n", Errors)}\nrequests:\n{string.Join("\n", Requests)}", e);
        }
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle, new PageWaitForLoadStateOptions { Timeout = timeoutMs });
    }

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
