using System.Diagnostics;

namespace Mira.Testing;

/// <summary>
/// A peer program the tests compare against (dcmtk's tools, OpenJPEG's, Orthanc's scripts). A missing tool fails
/// the test with the Debian package to install: tools/test.sh installs them, and a comparison never passes unchecked.
/// </summary>
public static class ExternalTool
{
    /// <summary>The full path of <paramref name="name"/> on PATH; throws naming <paramref name="package"/> when absent.</summary>
    public static string Require(string name, string package) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not installed (apt-get install {package}); tools/test.sh installs it");

    /// <summary>Runs a tool to completion; returns its standard output, throws with its standard error on failure.</summary>
    public static string Run(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish in 2 minutes");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout;
    }

    /// <summary>Runs a tool to completion (at most <paramref name="timeout"/>, default 2 minutes); returns its exit code and its output and error streams together.</summary>
    public static (int ExitCode, string Output) Exec(string tool, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish in {(timeout ?? TimeSpan.FromMinutes(2)).TotalSeconds:0} s");
        }
        return (p.ExitCode, output + err.Result);
    }
}
