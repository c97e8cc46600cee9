using System.Diagnostics;
using Mira.Storage;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Cli.Tests;

/// <summary>A temporary archive data folder and the built <c>mira</c> run against it, with stdin and environment.</summary>
public sealed class ArchiveCli : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("mira-cli-").FullName;
    public string Data => Path.Combine(Root, "data");

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Runs <c>mira ARGS --data DATA</c>.</summary>
    public MiraResult Mira(params string[] args) => Run(null, null, [.. args, "--data", Data]);

    public static MiraResult Run(IReadOnlyDictionary<string, string>? env, string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mira.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("MIRA_PASSWORD");
        psi.Environment.Remove("MIRA_DB"); // a developer's own database must not leak into the tests
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("mira " + string.Join(' ', args) + " did not finish");
        }
        return new MiraResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public async Task<(SqlIndexStore Index, FileBlobStore Blobs)> OpenAsync(string? folder = null)
    {
        folder ??= Data;
        Directory.CreateDirectory(folder);
        var index = await SqlIndexStore.OpenAsync(StorageDatabase.Sqlite(Path.Combine(folder, "index.db")));
        return (index, new FileBlobStore(Path.Combine(folder, "blobs")));
    }

    /// <summary>The number after "<paramref name="label"/>: " at the start of a line of the output.</summary>
    public static int Count(string output, string label)
    {
        var m = System.Text.RegularExpressions.Regex.Match(output, "^\\s*" + System.Text.RegularExpressions.Regex.Escape(label) + ": (\\d+)",
            System.Text.RegularExpressions.RegexOptions.Multiline);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
