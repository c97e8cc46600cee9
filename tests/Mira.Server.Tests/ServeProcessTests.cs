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

    /// <summary>The DIMSE listener of the real process, configured through the command line: echo for anyone, store only for an AE added with <c>mira ae add</c>.</summary>
    [Fact]
    public async Task Mira_serve_dimse_listener_follows_the_ae_table()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-" + Guid.NewGuid().ToString("N"));
        var port = Mira.Server.Tests.Dimse.DimseArchive.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mira = Path.Combine(AppContext.BaseDirectory, "mira.dll");
        (int Code, string Output) Cli(params string[] args) => Mira.Testing.ExternalTool.Exec("dotnet", [mira, .. args]);
        try
        {
            await using var server = await ServeProcess.StartAsync(data, "--dimse-port", port, "--ae-title", "ARCHIVE1");
            Assert.Contains($"DICOM ARCHIVE1 on port {port}", server.Output);
            var echo = Cli("echo", "127.0.0.1", port, "--call", "ARCHIVE1", "--aet", "ANYONE");
            Assert.True(echo.Code == 0, echo.Output);
            var file = Mira.Testing.Corpus.Get("dicom/modality/CT/CT_small.dcm").FullPath;
            var refused = Cli("send", "127.0.0.1", port, "--call", "ARCHIVE1", "--aet", "SCANNER1", "-q", file);
            Assert.Equal(1, refused.Code);
            Assert.Contains("rejected", refused.Output, StringComparison.OrdinalIgnoreCase);

            var added = Cli("ae", "add", "SCANNER1", "--host", "127.0.0.1", "--port", "104", "--allow", "echo,store", "--data", data);
            Assert.True(added.Code == 0, added.Output);
            Assert.Contains("SCANNER1", Cli("ae", "list", "--data", data).Output);
            (int Code, string Output) sent = (1, "");
            for (var i = 0; i < 40 && sent.Code != 0; i++, await Task.Delay(250)) // the server reloads the AE table every 2 s
                sent = Cli("send", "127.0.0.1", port, "--call", "ARCHIVE1", "--aet", "SCANNER1", "-q", file);
            Assert.True(sent.Code == 0, sent.Output);
            Assert.Contains("1 sent", sent.Output);
            var found = (await Json(await server.Http.GetAsync("/dicomweb/instances"))).AsArray();
            Assert.Single(found);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }
}
