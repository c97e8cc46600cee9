using System.Globalization;

namespace Mira.Server.Tests;

/// <summary>
/// What a process has cost so far, read from Linux's <c>/proc/PID/status</c> (VmRSS, VmHWM) and <c>/proc/PID/stat</c>
/// (utime + stime): the figures the attack regression tests bound.
/// </summary>
public sealed record ProcessUsage(long ResidentBytes, long PeakResidentBytes, TimeSpan CpuTime)
{
    public static ProcessUsage Of(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kilobytes(line);
        }
        // Fields 14 and 15 (utime, stime) in clock ticks, counted after the command name's closing parenthesis.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return new ProcessUsage(rss, hwm, TimeSpan.FromSeconds(ticks / 100.0));
    }

    static long Kilobytes(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;

    public override string ToString() =>
        $"RSS {ResidentBytes >> 20} MiB (peak {PeakResidentBytes >> 20} MiB), CPU {CpuTime.TotalSeconds:F1} s";
}
