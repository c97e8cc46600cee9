using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// Usage: ViewerBench BASE_URL USER PASSWORD STUDY_UID [RUNS]
// For each run, in a fresh browser (cold cache): signs in through /login, lands on Mira's status page, clicks the study's link (/studies/{uid}/view),
// and times click → first image on a viewer canvas (cornerstone viewport with image data, polled every 20 ms); then
// waits until the network is quiet (the viewer has fetched the series) and reports the peak memory of the browser:
// the summed resident memory (VmRSS) of the Chromium processes this program started, sampled from /proc every 100 ms.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: ViewerBench BASE_URL USER PASSWORD STUDY_UID [RUNS]");
    return 2;
}
var (baseUrl, user, password, study) = (new Uri(args[0]), args[1], args[2], args[3]);
var runs = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 3;
Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
var chromium = Environment.GetEnvironmentVariable("MIRA_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
using var playwright = await Playwright.CreateAsync();
var trace = Environment.GetEnvironmentVariable("VIEWER_BENCH_TRACE") == "1"; // every response, with its time, on stderr
Console.WriteLine("run\tclick_to_first_image_ms\twarm_click_to_first_image_ms\tto_quiet_network_s\tpeak_browser_rss_mib");
for (var run = 1; run <= runs; run++)
{
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = chromium, Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    });
    using var sampler = new BrowserMemory();
    var context = await browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = baseUrl.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
    });
    var page = await context.NewPageAsync();
    // Sign in through the /login form (the session cookie), as a person does; it lands on the status page.
    await page.GotoAsync("/login?returnUrl=%2F");
    await page.FillAsync("input[name=username]", user);
    await page.FillAsync("input[name=password]", password);
    await Task.WhenAll(page.WaitForURLAsync(u => !new Uri(u).AbsolutePath.Equals("/login", StringComparison.Ordinal)),
        page.ClickAsync("#signin-form button[type=submit]"));
    var link = page.Locator($"a[href='/studies/{study}/view']");
    var clock = Stopwatch.StartNew();
    // Where the time goes: when the first frame, the app bundle and the series metadata arrived, and how many frames.
    var marks = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
    var frames = 0;
    page.Response += (_, r) =>
    {
        var kind = r.Url.Contains("/frames/", StringComparison.Ordinal) ? "first frame"
            : r.Url.Contains("/app.bundle.", StringComparison.Ordinal) ? "app bundle"
            : r.Url.EndsWith("/metadata", StringComparison.Ordinal) ? "metadata" : null;
        if (kind == "first frame") Interlocked.Increment(ref frames);
        if (kind is not null) marks.TryAdd(kind, clock.Elapsed.TotalMilliseconds);
        if (trace) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {clock.Elapsed.TotalMilliseconds,7:F0} ms {r.Status} {r.Url}"));
    };
    await link.ClickAsync();
    await WaitForImageAsync(page);
    var firstImage = clock.Elapsed;
    var framesBefore = Volatile.Read(ref frames);
    await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new PageWaitForLoadStateOptions { Timeout = 600_000 });
    var quiet = clock.Elapsed;
    await Task.Delay(1000);
    var firstMarks = marks.ToArray();
    // The same browser opens the study again from the home page: the viewer's files now come from its cache, as they
    // do for every study after a person's first.
    await page.GotoAsync("/");
    marks.Clear();
    clock.Restart();
    await link.ClickAsync();
    await WaitForImageAsync(page);
    var warm = clock.Elapsed;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{run}\t{firstImage.TotalMilliseconds:F0}\t{warm.TotalMilliseconds:F0}\t{quiet.TotalSeconds:F1}\t{sampler.PeakBytes / 1048576.0:F0}"));
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  run {run}: {string.Join(", ", firstMarks.OrderBy(m => m.Value).Select(m => $"{m.Key} at {m.Value:F0} ms"))}; {framesBefore} frames before the first image, {Volatile.Read(ref frames)} in all; warm: {string.Join(", ", marks.OrderBy(m => m.Value).Select(m => $"{m.Key} at {m.Value:F0} ms"))}"));
    await context.CloseAsync();
}
return 0;

static Task WaitForImageAsync(IPage page) => page.WaitForFunctionAsync("""
        () => {
          const cs = window.cornerstone;
          if (!cs || !cs.getRenderingEngines) return false;
          return cs.getRenderingEngines().some(e => e.getViewports().some(v => {
            try { return !!(v.getCurrentImageId && v.getCurrentImageId() && v.getImageData && v.getImageData()); } catch { return false; }
          }));
        }
        """, null, new PageWaitForFunctionOptions { Timeout = 300_000, PollingInterval = 20 });

/// <summary>Samples the browser's memory every 100 ms, keeping the peak.</summary>
sealed class BrowserMemory : IDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly Task loop;
    long peak;

    public BrowserMemory() => loop = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            var total = Sample();
            if (total > Interlocked.Read(ref peak)) Interlocked.Exchange(ref peak, total);
            try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { }
        }
    });

    public long PeakBytes => Interlocked.Read(ref peak);

    /// <summary>The summed VmRSS of the Chromium processes descended from this one (other browsers on the machine are not counted).</summary>
    static long Sample()
    {
        var processes = new Dictionary<int, (int Parent, string Name, long Rss)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                string Field(string key) => status.FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?[key.Length..].Trim() ?? "";
                var rss = Field("VmRSS:").Split(' ')[0];
                processes[pid] = (int.Parse(Field("PPid:"), CultureInfo.InvariantCulture), Field("Name:"),
                    rss.Length == 0 ? 0 : long.Parse(rss, CultureInfo.InvariantCulture) * 1024);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        var self = Environment.ProcessId;
        bool Descends(int pid)
        {
            for (var depth = 0; depth < 64 && processes.TryGetValue(pid, out var p); depth++, pid = p.Parent)
                if (p.Parent == self) return true;
            return false;
        }
        return processes.Where(p => p.Value.Name.StartsWith("chrom", StringComparison.Ordinal) && Descends(p.Key)).Sum(p => p.Value.Rss);
    }

    public void Dispose()
    {
        stop.Cancel();
        loop.Wait();
        stop.Dispose();
    }
}
