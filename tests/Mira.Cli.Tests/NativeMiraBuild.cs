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
        var r = MiraProcess.RunProgram("dotnet", ["publish", Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Cli"), "-c", "Release", "-r", rid,
            "-p:MiraNative=true", "-p:DebugType=none", "-o", dir, "-nologo"], null, TimeSpan.FromMinutes(15));
        if (r.ExitCode != 0 || !File.Exists(Executable))
            throw new InvalidOperationException($"the native publish of mira failed ({r.ExitCode}):\n{r.Stdout}\n{r.Stderr}");
    }

    /// <summary>The native <c>mira</c> with MIRA_MANAGED set to this test run's managed build (and <paramref name="environment"/> on top).</summary>
    public MiraResult Run(IDictionary<string, string?>? environment, params string[] args)
    {
        var env = new Dictionary<string, string?> { ["MIRA_MANAGED"] = ManagedApphost };
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) env[k] = v;
        return MiraProcess.RunProgram(Executable, args, env, TimeSpan.FromMinutes(5));
    }

    public MiraResult Run(params string[] args) => Run(null, args);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}
