using System.Diagnostics;
using System.Globalization;

namespace Mira.Platform.Jobs.Executors;

/// <summary>A Slurm command failed or answered something Mira cannot read (the cluster, not the job, is at fault).</summary>
public sealed class SlurmException(string message) : IOException(message);

/// <summary>
/// The few Slurm commands Mira uses, run as programs (<c>sbatch --parsable</c>, <c>scontrol show job</c>,
/// <c>squeue</c>, <c>scancel</c>), each with its arguments as a list (no shell) and the cluster's <c>slurm.conf</c> in
/// <c>SLURM_CONF</c> when <see cref="SlurmOptions.ConfigFile"/> names one. <c>scontrol</c> reads a job's state
/// without accounting storage (<c>sacct</c> needs slurmdbd); it knows an ended job for the cluster's <c>MinJobAge</c>.
/// </summary>
public sealed class SlurmClient(SlurmOptions options)
{
    static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    public SlurmOptions Options { get; } = options;

    /// <summary>Submits a batch script (run in <paramref name="workingDirectory"/>, which relative paths in it are against); returns the job id.</summary>
    public async Task<long> SubmitAsync(string script, string workingDirectory, CancellationToken ct = default)
    {
        var (code, stdout, stderr) = await RunAsync("sbatch", ["--parsable", "--chdir=" + workingDirectory, script], workingDirectory, ct);
        if (code != 0) throw new SlurmException($"sbatch refused {script}: {Trimmed(stderr)}");
        var first = stdout.Trim().Split(';')[0];
        return long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : throw new SlurmException($"sbatch answered '{Trimmed(stdout)}', not a job id");
    }

    /// <summary>A job's record from <c>scontrol show job -o</c>; null once the controller no longer knows it.</summary>
    public async Task<SlurmJobRecord?> ShowAsync(long id, CancellationToken ct = default)
    {
        var (code, stdout, stderr) = await RunAsync("scontrol", ["show", "job", "-o", Id(id)], null, ct);
        if (code != 0)
            return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? null
                : throw new SlurmException($"scontrol show job {id} failed ({code}): {Trimmed(stderr)}");
        return SlurmJobRecord.Parse(stdout);
    }

    /// <summary>The ids of the jobs <c>squeue</c> lists (pending, running, completing), optionally of one name or one id.</summary>
    public async Task<IReadOnlyList<long>> QueuedAsync(string? name = null, long? id = null, CancellationToken ct = default)
    {
        List<string> args = ["--noheader", "--format=%i"];
        if (name is not null) args.Add("--name=" + name);
        if (id is { } one) args.Add("--jobs=" + Id(one));
        var (code, stdout, stderr) = await RunAsync("squeue", args, null, ct);
        if (code != 0)
            return id is not null && stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? []
                : throw new SlurmException($"squeue failed ({code}): {Trimmed(stderr)}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new SlurmException($"squeue listed '{l}', not a job id"))];
    }

    /// <summary>Asks the controller to end a job (<c>scancel</c>); a job that has already ended is no error.</summary>
    public async Task CancelAsync(long id, CancellationToken ct = default)
    {
        var (code, _, stderr) = await RunAsync("scancel", [Id(id)], null, ct);
        if (code != 0 && !stderr.Contains("already completing or completed", StringComparison.OrdinalIgnoreCase)
                      && !stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            throw new SlurmException($"scancel {id} failed ({code}): {Trimmed(stderr)}");
    }

    /// <summary>Cancels a job and waits (at most <paramref name="patience"/>) until <c>squeue</c> no longer lists it.</summary>
    public async Task CancelAndWaitAsync(long id, TimeSpan patience)
    {
        await CancelAsync(id);
        var clock = Stopwatch.StartNew();
        while ((await QueuedAsync(id: id)).Count > 0)
        {
            if (clock.Elapsed > patience) throw new SlurmException($"Slurm job {id} is still listed {patience.TotalSeconds:0} s after scancel");
            await Task.Delay(Options.PollInterval < TimeSpan.FromSeconds(1) ? Options.PollInterval : TimeSpan.FromSeconds(1));
        }
    }

    async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> args, string? workingDirectory, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        if (Options.ConfigFile is { } conf) psi.Environment["SLURM_CONF"] = conf;
        Process p;
        try { p = Process.Start(psi) ?? throw new SlurmException($"cannot start {program}"); }
        catch (System.ComponentModel.Win32Exception e) { throw new SlurmException($"cannot start {program} ({e.Message}): is Slurm installed here (Debian package slurm-client)?"); }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(CommandTimeout);
            try { await p.WaitForExitAsync(limit.Token); }
            catch (OperationCanceledException)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                ct.ThrowIfCancellationRequested();
                throw new SlurmException($"{program} did not answer in {CommandTimeout.TotalSeconds:0} s");
            }
            return (p.ExitCode, await stdout, await stderr);
        }
    }

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    static string Trimmed(string text) => text.Trim() is { Length: > 500 } t ? t[..500] + "…" : text.Trim();
}
