using System.Diagnostics;

namespace Mira.Cli.Tests;

/// <summary>Runs the built <c>mira</c> as a separate process, as a user would.</summary>
public sealed record MiraResult(int ExitCode, string Stdout, string Stderr);

public static class MiraProcess
{
    public static MiraResult Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "mira.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("mira " + string.Join(' ', args) + " did not finish");
        }
        return new MiraResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
