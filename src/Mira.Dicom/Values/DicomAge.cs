namespace Mira.Dicom.Values;

/// <summary>The unit letter of an AS (age string) value (PS3.5 Table 6.2-1).</summary>
public enum DicomAgeUnit : byte
{
    Days = (byte)'D',
    Weeks = (byte)'W',
    Months = (byte)'M',
    Years = (byte)'Y',
}

/// <summary>An AS (age string) value <c>nnnD</c>, <c>nnnW</c>, <c>nnnM</c> or <c>nnnY</c> (PS3.5 §6.2, Table 6.2-1).</summary>
public readonly record struct DicomAge
{
    const double DaysPerYear = 365.2425;

    public DicomAge(int value, DicomAgeUnit unit)
    {
        if (value is < 0 or > 999) throw new ArgumentOutOfRangeException(nameof(value), "AS holds 000-999");
        if (!Enum.IsDefined(unit)) throw new ArgumentOutOfRangeException(nameof(unit));
        Value = value;
        Unit = unit;
    }

    public int Value { get; }
    public DicomAgeUnit Unit { get; }

    /// <summary>The age in days, approximating a month as 1/12 and a year as 365.2425 days.</summary>
    public double TotalDays => Unit switch
    {
        DicomAgeUnit.Days => Value,
        DicomAgeUnit.Weeks => Value * 7.0,
        DicomAgeUnit.Months => Value * DaysPerYear / 12,
        _ => Value * DaysPerYear,
    };

    /// <summary>The age in (Gregorian average) years.</summary>
    public double TotalYears => Unit == DicomAgeUnit.Years ? Value : TotalDays / DaysPerYear;

    /// <summary>An approximate duration; see <see cref="TotalDays"/>.</summary>
    public TimeSpan ToTimeSpan() => TimeSpan.FromDays(TotalDays);

    /// <summary>The canonical form, e.g. <c>045Y</c>.</summary>
    public override string ToString() => $"{Value:000}{(char)Unit}";

    /// <summary>Tolerant parse for reading: padding trimmed, 1–3 digits, unit letter in either case.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomAge result) => ParseCore(text, strict: false, out result) is null;

    public static DicomAge Parse(ReadOnlySpan<char> text) =>
        ParseCore(text, strict: false, out var r) is { } reason ? throw ValueText.Invalid("AS", text, reason) : r;

    internal static string? ParseCore(ReadOnlySpan<char> s, bool strict, out DicomAge result)
    {
        result = default;
        if (!strict) s = ValueText.TrimPadding(s);
        if (strict ? s.Length != 4 : s.Length is < 2 or > 4) return "expected nnnD, nnnW, nnnM or nnnY";
        int pos = 0;
        if (!ValueText.TryDigits(s, ref pos, s.Length - 1, out int value)) return "expected 3 digits then D, W, M or Y";
        char unit = strict ? s[^1] : char.ToUpperInvariant(s[^1]);
        if (unit is not ('D' or 'W' or 'M' or 'Y')) return $"unit '{s[^1]}' is not D, W, M or Y";
        result = new DicomAge(value, (DicomAgeUnit)unit);
        return null;
    }
}
