using System.Diagnostics;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary>
/// The native <c>mira</c> (Native AOT, <c>-p:MiraNative=true</c>), published once per test run into a temporary folder
/// exactly as tools/publish.sh does, and run as a user would. Its archive commands are pointed at this test run's
/// managed build through MIRA_MANAGED.
/// </summary>
public sealed class NativeMiraBuild : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("mira-native-").FullName;

    public string Executable => Path.Combine(dir, "mira");

    /// <summary>The managed build's apphost beside these tests (what tools/publish.sh puts in managed/).</summary>
    public static string ManagedApphost => Path.Combine(AppContext.BaseDirectory, "mira");

    public NativeMiraBuild()
    {
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Cli"), "-c", "Release", "-r", rid,
                     "-p:MiraNative=true", "-p:DebugType=none", "-o", dir, "-nologo" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(900_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the native publish of mira did not finish in 15 minutes");
        }
        if (p.ExitCode != 0 || !File.Exists(Executable))
            throw new InvalidOperationException($"the native publish of mira failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }

    public MiraResult Run(IDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["MIRA_MANAGED"] = ManagedApphost;
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("native mira " + string.Join(' ', args) + " did not finish");
        }
        return new MiraResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public MiraResult Run(params string[] args) => Run(null, args);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
