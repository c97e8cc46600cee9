using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Mira.Testing;

namespace Mira.Server.Tests;

/// <summary>
/// A third-party client against the real <c>mira serve</c> process: the npm package <c>dicomweb-client</c> (pinned in
/// <c>DicomwebClient/package.json</c>, run under Node with the <c>xhr2</c> XMLHttpRequest polyfill) stores corpus
/// files (STOW-RS), searches them (QIDO-RS) and retrieves them (WADO-RS); see <c>DicomwebClient/interop.mjs</c>.
/// Needs <c>node</c> and <c>npm</c> on the PATH; installs the pinned packages with <c>npm ci</c> when absent.
/// </summary>
public sealed class DicomwebClientInteropTests
{
    /// <summary>Three instances of one MR series, one of another series of that study, another patient's CT, and an
    /// enhanced MR of 6 frames.</summary>
    static readonly string[] CorpusFiles =
    [
        "dicom/dicomdir/98892003/MR2/4950",
        "dicom/dicomdir/98892003/MR2/4981",
        "dicom/dicomdir/98892003/MR2/5011",
        "dicom/dicomdir/98892003/MR1/4919",
        "dicom/dicomdir/77654033/CT2/17106",
        "dicom/modality/MR/siemens_xa10_enhanced_6_1.dcm",
    ];

    static readonly string[] ExpectedChecks =
    [
        "stow", "stow-again", "qido-studies-patientid", "qido-studies-wildcard", "qido-studies-includefield", "qido-series",
        "qido-instances-limit-offset", "qido-instances-frames", "wado-instance 4950", "wado-instance siemens_xa10_enhanced_6_1.dcm",
        "wado-instance-metadata", "wado-series-metadata", "wado-study-metadata", "wado-series", "wado-study", "auth-wrong-password", "summary",
    ];

    static string ProjectFolder => Path.Combine(Corpus.RepositoryRoot, "tests", "Mira.Server.Tests", "DicomwebClient");

    [Fact]
    public async Task Npm_dicomweb_client_stores_searches_and_retrieves_corpus_files()
    {
        await EnsureNodePackagesAsync();
        var data = Path.Combine(Path.GetTempPath(), "mira-dwc-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data);
            var url = new Uri(server.Http.BaseAddress!, "/dicomweb").ToString().TrimEnd('/');
            var args = new List<string> { "interop.mjs" };
            args.AddRange(CorpusFiles.Select(f => Corpus.Get(f).FullPath));
            var env = new Dictionary<string, string>
            {
                ["MIRA_DICOMWEB_URL"] = url,
                ["MIRA_USER"] = "admin",
                ["MIRA_PASSWORD"] = ServeProcess.AdminPassword,
            };
            var (exit, stdout, stderr) = await RunAsync("node", args, env, TimeSpan.FromSeconds(60));
            var report = $"node interop.mjs exited {exit}\n--- stdout\n{stdout}\n--- stderr\n{stderr}\n--- mira serve\n{server.Output}";
            Assert.True(exit == 0, report);

            var checks = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => JsonNode.Parse(line)!.AsObject())
                .ToDictionary(o => (string)o["check"]!, o => o);
            foreach (var name in ExpectedChecks)
            {
                Assert.True(checks.TryGetValue(name, out var check), $"check '{name}' missing\n{report}");
                Assert.True((bool)check!["ok"]!, $"check '{name}' failed\n{report}");
            }
            Assert.Equal(CorpusFiles.Length, (int)checks["stow"]["stored"]!);
            Assert.Equal(6, (int)checks["stow"]["frames"]!);
            Assert.Equal(401, (int)checks["auth-wrong-password"]["status"]!);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    /// <summary>Runs <c>npm ci</c> in the Node project unless its pinned packages are already installed.</summary>
    static async Task EnsureNodePackagesAsync()
    {
        var modules = Path.Combine(ProjectFolder, "node_modules");
        if (File.Exists(Path.Combine(modules, "dicomweb-client", "package.json")) && File.Exists(Path.Combine(modules, "xhr2", "package.json")))
            return;
        var (exit, stdout, stderr) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromSeconds(180));
        Assert.True(exit == 0, $"`npm ci` in {ProjectFolder} failed ({exit}):\n{stdout}\n{stderr}");
    }

    static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> args, IDictionary<string, string> env, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = ProjectFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"`{program}` is not available ({e.Message}). This test needs Node.js 20+ and npm: install them "
                        + $"(e.g. `apt-get install nodejs npm`), then run `npm ci` in tests/Mira.Server.Tests/DicomwebClient.");
            throw;
        }
        using (process)
        {
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                Assert.Fail($"`{program} {string.Join(' ', psi.ArgumentList)}` ran past {timeout.TotalSeconds} s\n{stdout}\n{stderr}");
            }
            process.WaitForExit(); // drains the redirected streams
            lock (stdout) lock (stderr) return (process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }
}
