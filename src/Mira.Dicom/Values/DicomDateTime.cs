namespace Mira.Dicom.Values;

/// <summary>
/// A DT (date time) value, <c>YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&amp;ZZXX]</c> (PS3.5 §6.2, Table 6.2-1),
/// keeping the precision given (so <c>2026</c> denotes the whole year) and the optional UTC offset.
/// Seconds may be 60 (leap second); conversions clamp that to 59.999999.
/// </summary>
public readonly record struct DicomDateTime
{
    const long TicksPerMicro = 10;
    static readonly long MaxTicks = DateTime.MaxValue.Ticks - DateTime.MaxValue.Ticks % TicksPerMicro;

    readonly short _year, _offsetMinutes;
    readonly byte _month, _day, _hour, _minute, _second, _digits;
    readonly int _micro;
    readonly bool _hasOffset;

    /// <summary>Creates a value; components below <paramref name="precision"/> must be at their minimum.</summary>
    public DicomDateTime(int year, int month = 1, int day = 1, int hour = 0, int minute = 0, int second = 0,
        int microsecond = 0, DicomPrecision precision = DicomPrecision.Second, int fractionDigits = 0, TimeSpan? offset = null)
    {
        if (year is < 1 or > 9999) throw new ArgumentOutOfRangeException(nameof(year));
        if (DicomDate.CheckDate(year, month, day) is { } bad) throw new ArgumentOutOfRangeException(nameof(day), bad);
        _ = new DicomTime(hour, minute, second, microsecond, DicomPrecision.Fraction, 6); // validates the time fields
        if (precision == DicomPrecision.Fraction ? fractionDigits is < 1 or > 6 : fractionDigits != 0)
            throw new ArgumentOutOfRangeException(nameof(fractionDigits));
        if (offset is { } o && (o.Ticks % TimeSpan.TicksPerMinute != 0 || o.Duration() > TimeSpan.FromHours(14)))
            throw new ArgumentOutOfRangeException(nameof(offset), "offset must be whole minutes within ±14:00");
        (_year, _month, _day, _hour, _minute, _second, _micro) =
            ((short)year, (byte)month, (byte)day, (byte)hour, (byte)minute, (byte)second, microsecond);
        Precision = precision;
        _digits = (byte)fractionDigits;
        _hasOffset = offset.HasValue;
        _offsetMinutes = (short)(offset?.TotalMinutes ?? 0);
    }

    /// <summary>A full-precision value with the offset of <paramref name="value"/>, fraction truncated to the digits asked.</summary>
    public static DicomDateTime FromDateTimeOffset(DateTimeOffset value, int fractionDigits = 6) =>
        FromDateTime(value.DateTime, fractionDigits, value.Offset);

    /// <summary>A full-precision value without (or with the given) UTC offset.</summary>
    public static DicomDateTime FromDateTime(DateTime value, int fractionDigits = 6, TimeSpan? offset = null)
    {
        var t = DicomTime.FromTimeOnly(TimeOnly.FromDateTime(value), fractionDigits);
        return new DicomDateTime(value.Year, value.Month, value.Day, t.Hour, t.Minute, t.Second, t.Microsecond,
            t.Precision, t.FractionDigits, offset);
    }

    public int Year => _year;
    public int Month => _month;
    public int Day => _day;
    public int Hour => _hour;
    public int Minute => _minute;
    public int Second => _second;
    public int Microsecond => _micro;
    public DicomPrecision Precision { get; }
    /// <summary>Number of fractional-second digits given (1–6) when <see cref="Precision"/> is Fraction, else 0.</summary>
    public int FractionDigits => _digits;
    /// <summary>The UTC offset given in the value (<c>&amp;ZZXX</c>), or null when absent.</summary>
    public TimeSpan? Offset => _hasOffset ? TimeSpan.FromMinutes(_offsetMinutes) : null;

    /// <summary>Local (unzoned) ticks of the first instant covered.</summary>
    internal long StartTicks
    {
        get
        {
            long date = new DateTime(_year, _month, _day).Ticks;
            var time = new DicomTime(_hour, _minute, _second, _micro, DicomPrecision.Fraction, 6);
            return date + time.StartMicros * TicksPerMicro;
        }
    }

    /// <summary>Local ticks of the last microsecond covered by this (possibly partial) value.</summary>
    internal long EndTicks
    {
        get
        {
            long start = StartTicks;
            if (_second == 60) return start;
            long next = Precision switch
            {
                DicomPrecision.Year => _year == 9999 ? long.MaxValue : new DateTime(_year, 1, 1).AddYears(1).Ticks,
                DicomPrecision.Month => _year == 9999 && _month == 12 ? long.MaxValue : new DateTime(_year, _month, 1).AddMonths(1).Ticks,
                DicomPrecision.Day => start + TimeSpan.TicksPerDay,
                DicomPrecision.Hour => start + TimeSpan.TicksPerHour,
                DicomPrecision.Minute => start + TimeSpan.TicksPerMinute,
                DicomPrecision.Second => start + TimeSpan.TicksPerSecond,
                _ => start + ValueText.Pow10[6 - _digits] * TicksPerMicro,
            };
            return Math.Min(next - TicksPerMicro, MaxTicks);
        }
    }

    TimeSpan EffectiveOffset(TimeSpan? defaultOffset) => Offset ?? defaultOffset ?? TimeSpan.Zero;

    /// <summary>UTC ticks of the first instant covered (may lie outside DateTime's range near its ends).</summary>
    internal long StartUtcTicks(TimeSpan? defaultOffset) => StartTicks - EffectiveOffset(defaultOffset).Ticks;

    internal long EndUtcTicks(TimeSpan? defaultOffset) => EndTicks - EffectiveOffset(defaultOffset).Ticks;

    /// <summary>The start of the period as an unzoned local date and time (<see cref="DateTimeKind.Unspecified"/>).</summary>
    public DateTime ToDateTime() => new(StartTicks, DateTimeKind.Unspecified);

    public DateOnly ToDateOnly() => new(_year, _month, _day);

    /// <summary>
    /// The start of the period with the value's own offset, else <paramref name="defaultOffset"/> (e.g. from
    /// Timezone Offset From UTC (0008,0201), see <see cref="TryParseOffset"/>), else UTC (PS3.5 §6.2 DT note).
    /// </summary>
    public DateTimeOffset ToDateTimeOffset(TimeSpan? defaultOffset = null) => new(ToDateTime(), EffectiveOffset(defaultOffset));

    /// <summary>The first instant of the period this value denotes.</summary>
    public DateTimeOffset Start(TimeSpan? defaultOffset = null) => ToDateTimeOffset(defaultOffset);

    /// <summary>The last instant (to the microsecond) of the period this value denotes, e.g. Dec 31 23:59:59.999999 for <c>2026</c>.</summary>
    public DateTimeOffset End(TimeSpan? defaultOffset = null) =>
        new(new DateTime(EndTicks, DateTimeKind.Unspecified), EffectiveOffset(defaultOffset));

    /// <summary>The canonical DICOM form at the precision kept, with the offset if one was given.</summary>
    public override string ToString()
    {
        Span<char> buf = stackalloc char[26];
        int pos = 0;
        ValueText.AppendDigits(buf, ref pos, _year, 4);
        if (Precision >= DicomPrecision.Month) ValueText.AppendDigits(buf, ref pos, _month, 2);
        if (Precision >= DicomPrecision.Day) ValueText.AppendDigits(buf, ref pos, _day, 2);
        if (Precision >= DicomPrecision.Hour) ValueText.AppendDigits(buf, ref pos, _hour, 2);
        if (Precision >= DicomPrecision.Minute) ValueText.AppendDigits(buf, ref pos, _minute, 2);
        if (Precision >= DicomPrecision.Second) ValueText.AppendDigits(buf, ref pos, _second, 2);
        if (Precision == DicomPrecision.Fraction) ValueText.AppendFraction(buf, ref pos, _micro, _digits);
        if (_hasOffset) pos += FormatOffset(buf[pos..], TimeSpan.FromMinutes(_offsetMinutes));
        return new string(buf[..pos]);
    }

    /// <summary>Formats an offset as <c>&amp;ZZXX</c> (the DT suffix and Timezone Offset From UTC (0008,0201) form).</summary>
    public static string FormatOffset(TimeSpan offset)
    {
        Span<char> buf = stackalloc char[5];
        return new string(buf[..FormatOffset(buf, offset)]);
    }

    static int FormatOffset(Span<char> buf, TimeSpan offset)
    {
        int minutes = (int)offset.TotalMinutes, pos = 1;
        buf[0] = minutes < 0 ? '-' : '+';
        minutes = Math.Abs(minutes);
        ValueText.AppendDigits(buf, ref pos, minutes / 60, 2);
        ValueText.AppendDigits(buf, ref pos, minutes % 60, 2);
        return pos;
    }

    /// <summary>
    /// Parses a UTC offset <c>&amp;ZZXX</c>, as found at the end of DT and in Timezone Offset From UTC (0008,0201)
    /// (PS3.3 C.12.1.1.8); padding is trimmed. Accepts offsets within ±14:00.
    /// </summary>
    public static bool TryParseOffset(ReadOnlySpan<char> text, out TimeSpan offset)
    {
        var s = ValueText.TrimPadding(text);
        int pos = 0;
        return ParseOffset(s, ref pos, strict: false, out offset) is null && pos == s.Length;
    }

    static string? ParseOffset(ReadOnlySpan<char> s, ref int pos, bool strict, out TimeSpan offset)
    {
        offset = default;
        if (pos >= s.Length || s[pos] is not ('+' or '-')) return "offset must start with '+' or '-'";
        int sign = s[pos++] == '-' ? -1 : 1;
        if (!ValueText.TryDigits(s, ref pos, 2, out int zz) || !ValueText.TryDigits(s, ref pos, 2, out int xx))
            return "offset must be &ZZXX with 4 digits";
        if (xx > 59) return $"offset minutes {xx:00} out of range 00-59";
        int total = sign * (zz * 60 + xx);
        if (total > 14 * 60 || total < (strict ? -12 * 60 : -14 * 60)) return "offset out of range -1200 to +1400";
        offset = TimeSpan.FromMinutes(total);
        return null;
    }

    /// <summary>Tolerant parse for reading (padding trimmed).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomDateTime result) => ParseCore(text, strict: false, out result) is null;

    /// <summary>Tolerant parse; throws <see cref="FormatException"/> naming the text when invalid.</summary>
    public static DicomDateTime Parse(ReadOnlySpan<char> text) =>
        ParseCore(text, strict: false, out var r) is { } reason ? throw ValueText.Invalid("DT", text, reason) : r;

    internal static string? ParseCore(ReadOnlySpan<char> s, bool strict, out DicomDateTime result)
    {
        result = default;
        if (!strict) s = ValueText.TrimPadding(s);
        if (s.IsEmpty) return "empty";
        int pos = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, micro = 0, digits = 0;
        var precision = DicomPrecision.Year;
        if (!ValueText.TryDigits(s, ref pos, 4, out int year)) return "year must be 4 digits";
        if (year == 0) return "year 0000 is not representable";
        if (More(s, pos))
        {
            if (!ValueText.TryDigits(s, ref pos, 2, out month)) return "month must be 2 digits";
            if (month is < 1 or > 12) return $"month {month:00} is out of range 01-12";
            precision = DicomPrecision.Month;
        }
        if (More(s, pos))
        {
            if (!ValueText.TryDigits(s, ref pos, 2, out day)) return "day must be 2 digits";
            if (DicomDate.CheckDate(year, month, day) is { } bad) return bad;
            precision = DicomPrecision.Day;
        }
        if (More(s, pos))
        {
            if (!ValueText.TryDigits(s, ref pos, 2, out hour)) return "hour must be 2 digits";
            if (hour > 23) return $"hour {hour:00} is out of range 00-23";
            precision = DicomPrecision.Hour;
        }
        if (More(s, pos))
        {
            if (!ValueText.TryDigits(s, ref pos, 2, out minute)) return "minute must be 2 digits";
            if (minute > 59) return $"minute {minute:00} is out of range 00-59";
            precision = DicomPrecision.Minute;
        }
        if (More(s, pos))
        {
            if (!ValueText.TryDigits(s, ref pos, 2, out second)) return "second must be 2 digits";
            if (second > 60) return $"second {second:00} is out of range 00-60";
            precision = DicomPrecision.Second;
        }
        if (pos < s.Length && s[pos] == '.' && precision == DicomPrecision.Second)
        {
            pos++;
            if (ValueText.TryFraction(s, ref pos, out micro, out digits) is { } bad) return bad;
            precision = DicomPrecision.Fraction;
        }
        TimeSpan? offset = null;
        if (pos < s.Length && s[pos] is '+' or '-')
        {
            if (ParseOffset(s, ref pos, strict, out var o) is { } bad) return bad;
            offset = o;
        }
        if (pos != s.Length) return $"unexpected character '{s[pos]}' at position {pos}";
        result = new DicomDateTime(year, month, day, hour, minute, second, micro, precision, digits, offset);
        return null;
    }

    static bool More(ReadOnlySpan<char> s, int pos) => pos < s.Length && ValueText.IsDigit(s[pos]);
}
