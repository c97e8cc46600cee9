using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>The real <c>mira serve</c> process on a free loopback port: STOW, QIDO and WADO over HTTP.</summary>
public sealed class ServeProcessTests
{
    /// <summary>Runs <c>mira serve</c> with <paramref name="extra"/> arguments on a fresh data folder, then <paramref name="test"/>.</summary>
    static async Task WithServer(string[] extra, Func<HttpClient, string, Task> test, Action<string>? checkOutput = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, extra);
            await test(server.Http, data);
            checkOutput?.Invoke(server.Output);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    [Fact]
    public Task Mira_serve_answers_stow_qido_and_wado() => WithServer([], async (http, data) =>
    {
        var (study, series, sop) = (Uid(), Uid(), Uid());
        var bytes = Make(study, series, sop);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/dicomweb/studies", Multipart(bytes))).StatusCode);
        var found = (await Json(await http.GetAsync($"/dicomweb/studies?StudyInstanceUID={study}"))).AsArray();
        Assert.Equal(study, Value(Assert.Single(found), "0020000D"));
        var parts = await ReadParts(await http.GetAsync($"/dicomweb/studies/{study}/series/{series}/instances/{sop}"));
        Assert.Equal(bytes, Assert.Single(parts));
        Assert.True(File.Exists(Path.Combine(data, "index.db")));
        Assert.True(Directory.Exists(Path.Combine(data, "blobs")));
    }, output =>
    {
        // Requests are audited, not logged line by line on the console.
        Assert.Contains("Mira is serving", output);
        Assert.DoesNotContain("Request starting", output);
        Assert.DoesNotContain("Executing endpoint", output);
    });

    [Fact]
    public Task Mira_serve_demo_shows_the_demo_studies_at_once() => WithServer(["--demo"], async (http, _) =>
    {
        var studies = (await Json(await http.GetAsync("/dicomweb/studies?PatientName=DEMO*"))).AsArray();
        Assert.Equal(3, studies.Count);
        var page = await http.GetStringAsync("/");
        Assert.Contains("DEMO", page);
    });
}
