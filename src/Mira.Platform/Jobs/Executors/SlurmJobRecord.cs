using System.Globalization;
using System.Text.RegularExpressions;

namespace Mira.Platform.Jobs.Executors;

/// <summary>
/// What <c>scontrol show job -o</c> says of a job: its state (<c>JobState</c>, e.g. RUNNING, COMPLETED, TIMEOUT), why
/// (<c>Reason</c>), its exit status (<c>ExitCode=code:signal</c>) and how long it has run (<c>RunTime=[D-]HH:MM:SS</c>).
/// </summary>
public sealed partial record SlurmJobRecord(long Id, string State, string? Reason, int ExitCode, int Signal, TimeSpan RunTime, IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The states a job never leaves (Slurm's <c>job_state_string</c> of a finished job).</summary>
    public static IReadOnlySet<string> EndStates { get; } = new HashSet<string>(StringComparer.Ordinal)
        { "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED" };

    public bool HasEnded => EndStates.Contains(State);

    public bool IsRunning => State == "RUNNING";

    /// <summary>Reads one job's line; throws <see cref="SlurmException"/> when a field Mira needs is missing or unreadable.</summary>
    public static SlurmJobRecord Parse(string line)
    {
        var fields = ReadFields(line.Trim());
        string Need(string key) => fields.TryGetValue(key, out var v) ? v : throw new SlurmException($"scontrol named no {key} in '{Short(line)}'");
        var id = long.TryParse(Need("JobId"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new SlurmException($"unreadable JobId in '{Short(line)}'");
        // A job state may carry flags after '+' (e.g. CANCELLED+, COMPLETING+); the base state is what counts.
        var state = Need("JobState").Split('+')[0];
        var exit = Need("ExitCode").Split(':');
        if (exit.Length != 2 || !int.TryParse(exit[0], NumberStyles.None, CultureInfo.InvariantCulture, out var code)
                             || !int.TryParse(exit[1], NumberStyles.None, CultureInfo.InvariantCulture, out var signal))
            throw new SlurmException($"unreadable ExitCode '{fields["ExitCode"]}' of job {id}");
        var reason = fields.TryGetValue("Reason", out var r) && r is not ("None" or "(null)") ? r : null;
        return new SlurmJobRecord(id, state, reason, code, signal, Duration(Need("RunTime")), fields);
    }

    /// <summary>Slurm's duration text: <c>[days-]hours:minutes:seconds</c>, <c>minutes:seconds</c> or <c>minutes</c>.</summary>
    public static TimeSpan Duration(string text)
    {
        var days = 0;
        var rest = text;
        if (text.IndexOf('-') is var dash and > 0)
        {
            days = int.Parse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture);
            rest = text[(dash + 1)..];
        }
        var parts = rest.Split(':');
        if (parts.Length is < 1 or > 3 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
            throw new SlurmException($"unreadable Slurm duration '{text}'");
        var numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var (h, m, s) = numbers.Length switch { 3 => (numbers[0], numbers[1], numbers[2]), 2 => (0, numbers[0], numbers[1]), _ => (0, numbers[0], 0) };
        return new TimeSpan(days, h, m, s);
    }

    /// <summary>
    /// <c>Key=Value</c> fields separated by spaces; a word without a key of its own belongs to the value before it (a
    /// path or a reason with a space in it).
    /// </summary>
    static Dictionary<string, string> ReadFields(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = Key().Match(word);
            if (m.Success)
            {
                last = m.Groups[1].Value;
                fields[last] = word[(m.Length)..];
            }
            else if (last is not null) fields[last] += " " + word;
        }
        return fields;
    }

    static string Short(string line) => line.Length > 200 ? line[..200] + "…" : line;

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9_:/]*)=")]
    private static partial Regex Key();
}
