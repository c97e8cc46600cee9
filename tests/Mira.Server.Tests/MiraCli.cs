using System.Diagnostics;

namespace Mira.Server.Tests;

/// <summary>Runs the <c>mira</c> command line built beside the tests (<c>dotnet mira.dll ARGS</c>) as its own process.</summary>
public static class MiraCli
{
    /// <summary>Runs <c>mira ARGS</c>; its exit code, standard output and standard error.</summary>
    public static Task<(int Exit, string Output, string Errors)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="RunAsync(string[])"/>, with environment variables set (a null value removes one); gives up after two minutes.</summary>
    public static async Task<(int Exit, string Output, string Errors)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mira.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
