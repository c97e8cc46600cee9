namespace Mira.Dicom.Values;

/// <summary>
/// A TM (time) value: <c>HH</c>, <c>HHMM</c>, <c>HHMMSS</c> or <c>HHMMSS.F{1-6}</c> (PS3.5 §6.2, Table 6.2-1),
/// keeping the precision given. On read the ACR-NEMA form <c>HH:MM[:SS[.F]]</c> is accepted and padding ignored.
/// Seconds may be 60 (leap second); conversions clamp that to 59.999999.
/// </summary>
public readonly record struct DicomTime
{
    const long MicrosPerSecond = 1_000_000;
    const long MicrosPerDay = 86_400 * MicrosPerSecond;

    readonly byte _hour, _minute, _second, _digits;
    readonly int _micro;

    /// <summary>Creates a value with the given precision; components below it must be zero.</summary>
    public DicomTime(int hour, int minute = 0, int second = 0, int microsecond = 0,
        DicomPrecision precision = DicomPrecision.Second, int fractionDigits = 0)
    {
        if (hour is < 0 or > 23) throw new ArgumentOutOfRangeException(nameof(hour));
        if (minute is < 0 or > 59) throw new ArgumentOutOfRangeException(nameof(minute));
        if (second is < 0 or > 60) throw new ArgumentOutOfRangeException(nameof(second));
        if (microsecond is < 0 or > 999_999) throw new ArgumentOutOfRangeException(nameof(microsecond));
        if (precision < DicomPrecision.Hour) throw new ArgumentOutOfRangeException(nameof(precision), "TM has no date components");
        if (precision == DicomPrecision.Fraction ? fractionDigits is < 1 or > 6 : fractionDigits != 0)
            throw new ArgumentOutOfRangeException(nameof(fractionDigits));
        _hour = (byte)hour;
        _minute = (byte)minute;
        _second = (byte)second;
        _micro = microsecond;
        _digits = (byte)fractionDigits;
        Precision = precision;
    }

    /// <summary>A time at full precision (<paramref name="fractionDigits"/> 0 means whole seconds), truncated.</summary>
    public static DicomTime FromTimeOnly(TimeOnly time, int fractionDigits = 6)
    {
        if (fractionDigits is < 0 or > 6) throw new ArgumentOutOfRangeException(nameof(fractionDigits));
        int micro = (int)(time.Ticks / 10 % MicrosPerSecond);
        micro -= micro % ValueText.Pow10[6 - fractionDigits];
        return new DicomTime(time.Hour, time.Minute, time.Second, fractionDigits == 0 ? 0 : micro,
            fractionDigits == 0 ? DicomPrecision.Second : DicomPrecision.Fraction, fractionDigits);
    }

    public int Hour => _hour;
    public int Minute => _minute;
    public int Second => _second;
    public int Microsecond => _micro;
    public DicomPrecision Precision { get; }
    /// <summary>Number of fractional-second digits given (1–6) when <see cref="Precision"/> is Fraction, else 0.</summary>
    public int FractionDigits => _digits;

    /// <summary>The earliest instant of the day this value denotes, in microseconds since midnight.</summary>
    internal long StartMicros => _second == 60
        ? ((_hour * 60L + _minute) * 60 + 59) * MicrosPerSecond + 999_999
        : ((_hour * 60L + _minute) * 60 + _second) * MicrosPerSecond + _micro;

    /// <summary>The latest instant this (possibly partial) value covers, e.g. TM <c>10</c> ends at 10:59:59.999999.</summary>
    internal long EndMicros => _second == 60 ? StartMicros : Math.Min(MicrosPerDay - 1, StartMicros + Precision switch
    {
        DicomPrecision.Hour => 3600 * MicrosPerSecond,
        DicomPrecision.Minute => 60 * MicrosPerSecond,
        DicomPrecision.Second => MicrosPerSecond,
        _ => ValueText.Pow10[6 - _digits],
    } - 1);

    /// <summary>The start of the period this value denotes.</summary>
    public TimeOnly ToTimeOnly() => new(StartMicros * 10);

    /// <summary>The first instant of the period this value denotes (e.g. 10:00:00 for TM <c>10</c>).</summary>
    public TimeOnly Start => new(StartMicros * 10);

    /// <summary>The last instant of the period this value denotes (e.g. 10:59:59.999999 for TM <c>10</c>).</summary>
    public TimeOnly End => new(EndMicros * 10);

    /// <summary>The canonical DICOM form at the precision kept, e.g. <c>1005</c> or <c>100530.25</c>.</summary>
    public override string ToString()
    {
        Span<char> buf = stackalloc char[13];
        int pos = 0;
        ValueText.AppendDigits(buf, ref pos, _hour, 2);
        if (Precision >= DicomPrecision.Minute) ValueText.AppendDigits(buf, ref pos, _minute, 2);
        if (Precision >= DicomPrecision.Second) ValueText.AppendDigits(buf, ref pos, _second, 2);
        if (Precision == DicomPrecision.Fraction) ValueText.AppendFraction(buf, ref pos, _micro, _digits);
        return new string(buf[..pos]);
    }

    /// <summary>Tolerant parse for reading (padding trimmed, <c>HH:MM:SS</c> accepted).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomTime result) => ParseCore(text, strict: false, out result) is null;

    /// <summary>Tolerant parse; throws <see cref="FormatException"/> naming the text when invalid.</summary>
    public static DicomTime Parse(ReadOnlySpan<char> text) =>
        ParseCore(text, strict: false, out var r) is { } reason ? throw ValueText.Invalid("TM", text, reason) : r;

    internal static string? ParseCore(ReadOnlySpan<char> s, bool strict, out DicomTime result)
    {
        result = default;
        if (!strict) s = ValueText.TrimPadding(s);
        if (s.IsEmpty) return "empty";
        int pos = 0, mm = 0, ss = 0, micro = 0, digits = 0;
        var precision = DicomPrecision.Hour;
        if (!ValueText.TryDigits(s, ref pos, 2, out int hh)) return "hour must be 2 digits";
        if (hh > 23) return $"hour {hh:00} is out of range 00-23";
        bool colons = !strict && pos < s.Length && s[pos] == ':';
        if (pos < s.Length)
        {
            if (colons) pos++;
            if (!ValueText.TryDigits(s, ref pos, 2, out mm)) return "minute must be 2 digits";
            if (mm > 59) return $"minute {mm:00} is out of range 00-59";
            precision = DicomPrecision.Minute;
        }
        if (pos < s.Length)
        {
            if (colons && s[pos++] != ':') return "expected ':' before seconds";
            if (!ValueText.TryDigits(s, ref pos, 2, out ss)) return "second must be 2 digits";
            if (ss > 60) return $"second {ss:00} is out of range 00-60";
            precision = DicomPrecision.Second;
        }
        if (pos < s.Length)
        {
            if (s[pos++] != '.') return $"unexpected character '{s[pos - 1]}'";
            if (ValueText.TryFraction(s, ref pos, out micro, out digits) is { } bad) return bad;
            precision = DicomPrecision.Fraction;
        }
        if (pos != s.Length) return $"unexpected character '{s[pos]}'";
        result = new DicomTime(hh, mm, ss, micro, precision, digits);
        return null;
    }
}
