using System.Globalization;

namespace Mira.Dicom.Values;

/// <summary>
/// A DA (date) value, <c>YYYYMMDD</c> (PS3.5 §6.2, Table 6.2-1). On read the ACR-NEMA form
/// <c>YYYY.MM.DD</c> is also accepted (PS3.5 §6.2 note on DA), and space/NUL padding is ignored.
/// </summary>
public readonly record struct DicomDate : IComparable<DicomDate>
{
    public DicomDate(DateOnly value) => Value = value;

    public DicomDate(int year, int month, int day) => Value = new DateOnly(year, month, day);

    public DateOnly Value { get; }

    public int Year => Value.Year;
    public int Month => Value.Month;
    public int Day => Value.Day;

    public DateOnly ToDateOnly() => Value;

    /// <summary>The canonical DICOM form <c>YYYYMMDD</c>.</summary>
    public override string ToString() => Value.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public int CompareTo(DicomDate other) => Value.CompareTo(other.Value);

    public static bool operator <(DicomDate a, DicomDate b) => a.Value < b.Value;
    public static bool operator >(DicomDate a, DicomDate b) => a.Value > b.Value;
    public static bool operator <=(DicomDate a, DicomDate b) => a.Value <= b.Value;
    public static bool operator >=(DicomDate a, DicomDate b) => a.Value >= b.Value;

    /// <summary>Tolerant parse for reading: padding trimmed, ACR-NEMA <c>YYYY.MM.DD</c> accepted.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DicomDate result) => ParseCore(text, strict: false, out result) is null;

    /// <summary>Tolerant parse; throws <see cref="FormatException"/> naming the text when invalid.</summary>
    public static DicomDate Parse(ReadOnlySpan<char> text) =>
        ParseCore(text, strict: false, out var r) is { } reason ? throw ValueText.Invalid("DA", text, reason) : r;

    /// <summary>Returns null when the text parses, else the reason. Strict means exactly <c>YYYYMMDD</c>.</summary>
    internal static string? ParseCore(ReadOnlySpan<char> s, bool strict, out DicomDate result)
    {
        result = default;
        if (!strict) s = ValueText.TrimPadding(s);
        int pos = 0;
        bool acrNema = !strict && s.Length == 10 && s[4] == '.' && s[7] == '.';
        if (!acrNema && s.Length != 8) return "expected 8 digits YYYYMMDD";
        if (!ValueText.TryDigits(s, ref pos, 4, out int y)) return "year must be 4 digits";
        if (acrNema) pos++;
        if (!ValueText.TryDigits(s, ref pos, 2, out int m)) return "month must be 2 digits";
        if (acrNema) pos++;
        if (!ValueText.TryDigits(s, ref pos, 2, out int d)) return "day must be 2 digits";
        if (CheckDate(y, m, d) is { } bad) return bad;
        result = new DicomDate(y, m, d);
        return null;
    }

    internal static string? CheckDate(int y, int m, int d)
    {
        if (y < 1) return "year 0000 is not representable";
        if (m is < 1 or > 12) return $"month {m:00} is out of range 01-12";
        if (d < 1 || d > DateTime.DaysInMonth(y, m)) return $"day {d:00} does not exist in {y:0000}-{m:00}";
        return null;
    }
}
