using System.Globalization;
using Mira.Dicom;

namespace Mira.Deid;

/// <summary>
/// Applies a patient's <see cref="DateShift"/> to DA, TM and DT text values (PS3.5 Table 6.2-1) for the Retain
/// Longitudinal Temporal Information with Modified Dates Option (PS3.15 §E.3.6: dates and times are modified
/// consistently, so that intervals between them are kept). Rules:
/// <list type="bullet">
/// <item>DT with a time part, and a DA together with its TM partner in the same data set (e.g. Study Date and Study
/// Time), move by the whole offset (days and seconds), so the date rolls back when the time crosses midnight.</item>
/// <item>A DA alone moves by the days; a TM alone by the seconds, modulo 24 h (its date is unknown); a DT without a
/// time part by the days.</item>
/// </list>
/// With these rules every pair of instants of one patient keeps its interval (PET decay times in particular:
/// Radiopharmaceutical Start DateTime, Series Date/Time and Acquisition Date/Time all move by the same offset).
/// Unparseable values return null; the caller then empties them rather than leak them.
/// </summary>
public static class TemporalShift
{
    /// <summary>
    /// For each date attribute of PS3.15 Table E.1-1, the time attribute of the same name ("Study Date" → "Study
    /// Time"), both taken from the generated table (every temporal attribute the profile treats is in it; reading the
    /// whole data dictionary here would cost more at start-up than a run of files).
    /// </summary>
    public static readonly Dictionary<uint, uint> TimeOfDate = BuildPairs();

    static Dictionary<uint, uint> BuildPairs()
    {
        var byName = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var r in ConfidentialityProfileTable.Rows)
            if (r.Mask == 0xFFFFFFFF) byName[r.Name] = r.Tag;
        var map = new Dictionary<uint, uint>();
        foreach (var (name, tag) in byName)
            if (name.EndsWith(" Date", StringComparison.Ordinal) && byName.TryGetValue(name[..^5] + " Time", out var time) && time > tag)
                map[tag] = time;
        return map;
    }

    /// <summary>A DA value moved by whole days; null when it is not a date.</summary>
    public static string? ShiftDate(string value, int days)
    {
        if (!TryParseDate(value, out var d)) return null;
        return d.AddDays(days).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    }

    /// <summary>A TM value moved by <paramref name="seconds"/> modulo 24 h; fractional seconds kept.</summary>
    public static string? ShiftTime(string value, int seconds)
    {
        if (!TryParseTime(value, out var secondsOfDay, out var fraction)) return null;
        var s = ((secondsOfDay + seconds) % 86400 + 86400) % 86400;
        return FormatTime(s, fraction);
    }

    /// <summary>A DA and TM pair moved together by the whole offset; null when either does not parse.</summary>
    public static (string Date, string Time)? ShiftPair(string date, string time, DateShift shift)
    {
        if (!TryParseDate(date, out var d) || !TryParseTime(time, out var sod, out var fraction)) return null;
        var total = sod + shift.TotalSeconds;
        var dayDelta = (int)Math.Floor(total / 86400.0);
        var s = (int)(total - dayDelta * 86400L);
        return (d.AddDays(dayDelta).ToString("yyyyMMdd", CultureInfo.InvariantCulture), FormatTime(s, fraction));
    }

    /// <summary>A DT value moved by the whole offset (days only when it has no time part); its UTC offset suffix kept.</summary>
    public static string? ShiftDateTime(string value, DateShift shift)
    {
        var v = value.Trim();
        var tzAt = v.IndexOfAny(['+', '-'], Math.Min(4, v.Length));
        var zone = tzAt >= 0 ? v[tzAt..] : "";
        var body = tzAt >= 0 ? v[..tzAt] : v;
        if (body.Length < 8) return null;
        if (body.Length == 8) return ShiftDate(body, shift.Days) is { } onlyDate ? onlyDate + zone : null;
        return ShiftPair(body[..8], body[8..], shift) is { } p ? p.Date + p.Time + zone : null;
    }

    static bool TryParseDate(string value, out DateTime date)
    {
        var v = value.Trim().Replace(".", "", StringComparison.Ordinal);
        return DateTime.TryParseExact(v, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    /// <summary>HH, HHMM, HHMMSS with optional .FFFFFF (and the retired HH:MM:SS form); missing parts are zero.</summary>
    static bool TryParseTime(string value, out int secondsOfDay, out string fraction)
    {
        secondsOfDay = 0;
        fraction = "";
        var v = value.Trim().Replace(":", "", StringComparison.Ordinal);
        var dot = v.IndexOf('.');
        if (dot >= 0)
        {
            fraction = v[dot..];
            v = v[..dot];
            if (fraction.Length > 7 || !fraction.AsSpan(1).ContainsOnlyDigits()) return false;
        }
        if (v.Length is not (2 or 4 or 6) || !v.AsSpan().ContainsOnlyDigits()) return false;
        var h = int.Parse(v.AsSpan(0, 2), CultureInfo.InvariantCulture);
        var m = v.Length >= 4 ? int.Parse(v.AsSpan(2, 2), CultureInfo.InvariantCulture) : 0;
        var s = v.Length >= 6 ? int.Parse(v.AsSpan(4, 2), CultureInfo.InvariantCulture) : 0;
        if (h > 23 || m > 59 || s > 60) return false;
        secondsOfDay = h * 3600 + m * 60 + Math.Min(s, 59);
        return true;
    }

    static string FormatTime(int s, string fraction) =>
        (s / 3600).ToString("D2", CultureInfo.InvariantCulture) + (s / 60 % 60).ToString("D2", CultureInfo.InvariantCulture)
        + (s % 60).ToString("D2", CultureInfo.InvariantCulture) + fraction;
}

static class SpanDigits
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (c is < '0' or > '9') return false;
        return true;
    }
}
