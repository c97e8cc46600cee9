namespace Mira.Dicom.Values;

/// <summary>Splits range-matching text <c>A-B</c>, <c>A-</c>, <c>-B</c> (PS3.4 §C.2.2.2.5).</summary>
internal static class RangeText
{
    /// <summary>
    /// Tries each '-' as the separator (DT offsets contain '-' too) and keeps the first split where both
    /// sides parse; text without a usable separator is a single value, i.e. the range [A, A].
    /// </summary>
    public static bool TryParse<T>(ReadOnlySpan<char> text, TryParseValue<T> parse, out T? lower, out T? upper)
        where T : struct
    {
        lower = upper = null;
        var s = ValueText.TrimPadding(text);
        if (s.IsEmpty || s is "-") return false;
        for (int i = s.IndexOf('-'); i >= 0; i = NextHyphen(s, i))
        {
            var a = s[..i];
            var b = s[(i + 1)..];
            T la = default, ub = default;
            if ((a.IsEmpty || parse(a, out la)) && (b.IsEmpty || parse(b, out ub)))
            {
                lower = a.IsEmpty ? null : la;
                upper = b.IsEmpty ? null : ub;
                return true;
            }
        }
        if (!parse(s, out var single)) return false;
        lower = upper = single;
        return true;
    }

    static int NextHyphen(ReadOnlySpan<char> s, int i)
    {
        int next = s[(i + 1)..].IndexOf('-');
        return next < 0 ? -1 : i + 1 + next;
    }

    public static string Format(object? lower, object? upper) => $"{lower}-{upper}";

    public delegate bool TryParseValue<T>(ReadOnlySpan<char> text, out T value);
}

/// <summary>A DA range for query matching, <c>A-B</c>, <c>A-</c> or <c>-B</c>, bounds inclusive (PS3.4 §C.2.2.2.5.1).</summary>
public readonly record struct DicomDateRange(DicomDate? Lower, DicomDate? Upper)
{
    public bool Contains(DateOnly date) => (Lower is not { } lo || date >= lo.Value) && (Upper is not { } hi || date <= hi.Value);

    public bool Contains(DicomDate date) => Contains(date.Value);

    /// <summary>Range text; a single date parses as the range [A, A].</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomDateRange range)
    {
        bool ok = RangeText.TryParse<DicomDate>(text, DicomDate.TryParse, out var lo, out var hi);
        range = new DicomDateRange(lo, hi);
        return ok;
    }

    public static DicomDateRange Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var r) ? r : throw ValueText.Invalid("DA range", text, "expected A-B, A- or -B");

    public override string ToString() => RangeText.Format(Lower, Upper);
}

/// <summary>
/// A TM range for query matching (PS3.4 §C.2.2.2.5.1). Partial bounds cover their whole period: <c>10-11</c>
/// runs from 10:00:00 to 11:59:59.999999.
/// </summary>
public readonly record struct DicomTimeRange(DicomTime? Lower, DicomTime? Upper)
{
    /// <summary>True when the instant lies within the bounds.</summary>
    public bool Contains(TimeOnly time) => ContainsMicros(time.Ticks / 10, time.Ticks / 10);

    /// <summary>True when the whole period a (possibly partial) value denotes lies within the bounds.</summary>
    public bool Contains(DicomTime time) => ContainsMicros(time.StartMicros, time.EndMicros);

    bool ContainsMicros(long start, long end) =>
        (Lower is not { } lo || start >= lo.StartMicros) && (Upper is not { } hi || end <= hi.EndMicros);

    /// <summary>Range text; a single time parses as the range [A, A], i.e. the period that value covers.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTimeRange range)
    {
        bool ok = RangeText.TryParse<DicomTime>(text, DicomTime.TryParse, out var lo, out var hi);
        range = new DicomTimeRange(lo, hi);
        return ok;
    }

    public static DicomTimeRange Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var r) ? r : throw ValueText.Invalid("TM range", text, "expected A-B, A- or -B");

    public override string ToString() => RangeText.Format(Lower, Upper);
}

/// <summary>
/// A DT range for query matching (PS3.4 §C.2.2.2.5.1). Partial bounds cover their whole period (<c>2026-2027</c>
/// is 2026-01-01 to 2027-12-31T23:59:59.999999). Values and bounds without an offset use the caller's default
/// offset (e.g. Timezone Offset From UTC (0008,0201)), else UTC.
/// </summary>
public readonly record struct DicomDateTimeRange(DicomDateTime? Lower, DicomDateTime? Upper)
{
    /// <summary>True when the instant lies within the bounds.</summary>
    public bool Contains(DateTimeOffset instant, TimeSpan? defaultOffset = null) =>
        ContainsUtc(instant.UtcTicks, instant.UtcTicks, defaultOffset);

    /// <summary>True when the whole period a (possibly partial) value denotes lies within the bounds.</summary>
    public bool Contains(DicomDateTime value, TimeSpan? defaultOffset = null) =>
        ContainsUtc(value.StartUtcTicks(defaultOffset), value.EndUtcTicks(defaultOffset), defaultOffset);

    bool ContainsUtc(long start, long end, TimeSpan? defaultOffset) =>
        (Lower is not { } lo || start >= lo.StartUtcTicks(defaultOffset)) &&
        (Upper is not { } hi || end <= hi.EndUtcTicks(defaultOffset));

    /// <summary>Range text; the separator is the first '-' that leaves two valid sides (offsets also use '-').</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomDateTimeRange range)
    {
        bool ok = RangeText.TryParse<DicomDateTime>(text, DicomDateTime.TryParse, out var lo, out var hi);
        range = new DicomDateTimeRange(lo, hi);
        return ok;
    }

    public static DicomDateTimeRange Parse(ReadOnlySpan<char> text) =>
        TryParse(text, out var r) ? r : throw ValueText.Invalid("DT range", text, "expected A-B, A- or -B");

    public override string ToString() => RangeText.Format(Lower, Upper);
}
