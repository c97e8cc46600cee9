using System.Diagnostics;

namespace Mira.Cli.Tests;

/// <summary>Runs the built <c>mira</c> as a separate process, as a user would.</summary>
public sealed record MiraResult(int ExitCode, string Stdout, string Stderr);

public static class MiraProcess
{
    /// <summary>The managed build beside these tests (<c>dotnet mira.dll ARGS</c>).</summary>
    public static MiraResult Run(params string[] args) =>
        RunProgram("dotnet", [Path.Combine(AppContext.BaseDirectory, "mira.dll"), .. args], null, TimeSpan.FromMinutes(2));

    /// <summary>Any program with its output captured; killed (and a TimeoutException thrown) after <paramref name="timeout"/>.</summary>
    public static MiraResult RunProgram(string program, IEnumerable<string> args, IDictionary<string, string?>? environment, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException(program + " " + string.Join(' ', args) + " did not finish");
        }
        return new MiraResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
