namespace Mira.Dicom.Values;

/// <summary>
/// How much of a DA/TM/DT value was given (PS3.5 §6.2, Table 6.2-1): a value may stop after any component,
/// and then denotes the whole period that component spans.
/// </summary>
public enum DicomPrecision : byte
{
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// <summary>Seconds with 1–6 fractional digits; see the value's <c>FractionDigits</c>.</summary>
    Fraction,
}

/// <summary>Small scanning helpers shared by the text value parsers.</summary>
internal static class ValueText
{
    internal static readonly int[] Pow10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    /// <summary>Removes leading/trailing spaces and NUL padding (PS3.5 §6.2, §7.1.1), as tolerated on read.</summary>
    public static ReadOnlySpan<char> TrimPadding(ReadOnlySpan<char> s) => s.Trim(" \0");

    public static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    /// <summary>Reads exactly <paramref name="count"/> ASCII digits at <paramref name="pos"/>.</summary>
    public static bool TryDigits(ReadOnlySpan<char> s, ref int pos, int count, out int value)
    {
        value = 0;
        if (pos + count > s.Length) return false;
        for (int i = 0; i < count; i++)
        {
            char c = s[pos + i];
            if (!IsDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        pos += count;
        return true;
    }

    /// <summary>Reads a fraction of a second, 1–6 digits, after the '.'; returns microseconds.</summary>
    public static string? TryFraction(ReadOnlySpan<char> s, ref int pos, out int micro, out int digits)
    {
        micro = 0;
        digits = 0;
        int value = 0;
        while (pos < s.Length && IsDigit(s[pos]))
        {
            if (digits == 6) return "fractional seconds have more than 6 digits";
            value = value * 10 + (s[pos] - '0');
            digits++;
            pos++;
        }
        if (digits == 0) return "'.' must be followed by 1-6 digits";
        micro = value * Pow10[6 - digits];
        return null;
    }

    public static void AppendDigits(Span<char> dest, ref int pos, int value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            dest[pos + i] = (char)('0' + value % 10);
            value /= 10;
        }
        pos += count;
    }

    /// <summary>Writes ".F{digits}" for a microsecond value, truncated to the given digit count.</summary>
    public static void AppendFraction(Span<char> dest, ref int pos, int micro, int digits)
    {
        dest[pos++] = '.';
        AppendDigits(dest, ref pos, micro / Pow10[6 - digits], digits);
    }

    public static FormatException Invalid(string vr, ReadOnlySpan<char> text, string reason) =>
        new($"'{text.ToString()}' is not a valid DICOM {vr} value: {reason}");
}
