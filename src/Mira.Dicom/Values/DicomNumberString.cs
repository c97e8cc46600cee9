using System.Globalization;

namespace Mira.Dicom.Values;

/// <summary>
/// DS (decimal string) and IS (integer string) values (PS3.5 §6.2, Table 6.2-1). The tolerant parsers are for
/// reading (surrounding spaces and NUL padding ignored); the validators and formatters are for writing.
/// </summary>
public static class DicomNumberString
{
    /// <summary>Maximum DS length in bytes (PS3.5 Table 6.2-1).</summary>
    public const int MaxDSLength = 16;

    /// <summary>Maximum IS length in bytes (PS3.5 Table 6.2-1).</summary>
    public const int MaxISLength = 12;

    /// <summary>
    /// Checks the DS grammar: optional sign, digits with an optional '.', at least one digit, then an optional
    /// exponent <c>E</c>/<c>e</c> with optional sign and digits (ANSI X3.9 floating point, PS3.5 Table 6.2-1).
    /// </summary>
    static bool IsDSSyntax(ReadOnlySpan<char> s)
    {
        int pos = 0;
        if (pos < s.Length && s[pos] is '+' or '-') pos++;
        int mantissaDigits = SkipDigits(s, ref pos);
        if (pos < s.Length && s[pos] == '.')
        {
            pos++;
            mantissaDigits += SkipDigits(s, ref pos);
        }
        if (mantissaDigits == 0) return false;
        if (pos < s.Length && s[pos] is 'e' or 'E')
        {
            pos++;
            if (pos < s.Length && s[pos] is '+' or '-') pos++;
            if (SkipDigits(s, ref pos) == 0) return false;
        }
        return pos == s.Length;
    }

    static bool IsISSyntax(ReadOnlySpan<char> s)
    {
        int pos = 0;
        if (pos < s.Length && s[pos] is '+' or '-') pos++;
        return SkipDigits(s, ref pos) > 0 && pos == s.Length;
    }

    static int SkipDigits(ReadOnlySpan<char> s, ref int pos)
    {
        int start = pos;
        while (pos < s.Length && ValueText.IsDigit(s[pos])) pos++;
        return pos - start;
    }

    /// <summary>Tolerant DS parse to a finite double (out-of-range values such as <c>1e999</c> fail).</summary>
    public static bool TryParseDouble(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        var s = ValueText.TrimPadding(text);
        return IsDSSyntax(s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>Tolerant DS parse to a decimal (fails when out of decimal's range; tiny values round).</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out decimal value)
    {
        value = 0;
        var s = ValueText.TrimPadding(text);
        return IsDSSyntax(s) && decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Tolerant IS parse to any 64-bit value (some writers exceed IS's 32-bit range).</summary>
    public static bool TryParseInt64(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        var s = ValueText.TrimPadding(text);
        return IsISSyntax(s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Tolerant IS parse within IS's range −2^31 to 2^31−1.</summary>
    public static bool TryParseInt32(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (!TryParseInt64(text, out long v) || v is < int.MinValue or > int.MaxValue) return false;
        value = (int)v;
        return true;
    }

    public static double ParseDouble(ReadOnlySpan<char> text) =>
        TryParseDouble(text, out var v) ? v : throw ValueText.Invalid("DS", text, "not a finite decimal number");

    public static decimal ParseDecimal(ReadOnlySpan<char> text) =>
        TryParseDecimal(text, out var v) ? v : throw ValueText.Invalid("DS", text, "not a decimal number within decimal's range");

    public static long ParseInt64(ReadOnlySpan<char> text) =>
        TryParseInt64(text, out var v) ? v : throw ValueText.Invalid("IS", text, "not an integer");

    public static int ParseInt32(ReadOnlySpan<char> text) =>
        TryParseInt32(text, out var v) ? v : throw ValueText.Invalid("IS", text, "not an integer in -2147483648..2147483647");

    /// <summary>Strict check for writing a DS value; see <see cref="ValidateDS"/>.</summary>
    public static bool IsValidDS(string value) => ValidateDS(value) is null;

    /// <summary>Strict check for writing an IS value; see <see cref="ValidateIS"/>.</summary>
    public static bool IsValidIS(string value) => ValidateIS(value) is null;

    /// <summary>Null when <paramref name="value"/> is a writable DS (≤16 bytes, spaces only around the number), else the reason.</summary>
    public static string? ValidateDS(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxDSLength) return $"DS is {value.Length} characters, more than {MaxDSLength}";
        var s = value.Trim(' ');
        if (!IsDSSyntax(s)) return "DS must be a fixed or floating point number (digits, sign, '.', exponent)";
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            return "DS is out of the range of a double";
        return null;
    }

    /// <summary>Null when <paramref name="value"/> is a writable IS (≤12 bytes, −2^31..2^31−1), else the reason.</summary>
    public static string? ValidateIS(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxISLength) return $"IS is {value.Length} characters, more than {MaxISLength}";
        var s = value.Trim(' ');
        if (!IsISSyntax(s)) return "IS must be an optionally signed integer";
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v is < int.MinValue or > int.MaxValue)
            return "IS is outside -2147483648..2147483647";
        return null;
    }

    /// <summary>Formats an integer as IS.</summary>
    public static string FormatIS(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Formats a finite double as a DS of at most 16 characters: the shortest round-trippable digits when they
    /// fit (in fixed notation when that fits, else with an exponent), otherwise fewer significant digits.
    /// </summary>
    public static string FormatDS(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), "DS cannot hold NaN or infinity");
        if (value == 0) return double.IsNegative(value) ? "-0" : "0";
        string shortest = value.ToString("R", CultureInfo.InvariantCulture);
        int roundTripDigits = CountSignificantDigits(shortest);
        for (int p = roundTripDigits; p >= 1; p--)
        {
            // "E" formatting gives d.ddd…E±xxx with exactly p significant digits, correctly rounded.
            string e = value.ToString("E" + (p - 1), CultureInfo.InvariantCulture);
            int ePos = e.IndexOf('E');
            bool negative = e[0] == '-';
            string digits = e[(negative ? 1 : 0)..ePos].Replace(".", "").TrimEnd('0');
            if (digits.Length == 0) digits = "0";
            int exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            string sign = negative ? "-" : "";
            string fixedForm = sign + Fixed(digits, exponent);
            string sciForm = sign + Scientific(digits, exponent);
            // Fixed notation is preferred whenever it fits; rounding up near double.MaxValue may overflow.
            string best = fixedForm.Length <= MaxDSLength ? fixedForm : sciForm;
            if (best.Length <= MaxDSLength && double.IsFinite(double.Parse(best, CultureInfo.InvariantCulture))) return best;
        }
        throw new InvalidOperationException("unreachable: one significant digit always fits in 16 characters");
    }

    static int CountSignificantDigits(string r)
    {
        int ePos = r.IndexOfAny(['E', 'e']);
        var mantissa = (ePos < 0 ? r : r[..ePos]).Replace("-", "").Replace(".", "").TrimStart('0').TrimEnd('0');
        return Math.Clamp(mantissa.Length, 1, 17);
    }

    /// <summary>digits d1d2…dn with value d1.d2…dn × 10^exponent in fixed notation.</summary>
    static string Fixed(string digits, int exponent)
    {
        if (exponent is > MaxDSLength or < -MaxDSLength) return new string('#', MaxDSLength + 1); // cannot fit
        int n = digits.Length;
        if (exponent >= n - 1) return digits + new string('0', exponent - (n - 1));
        if (exponent >= 0) return digits[..(exponent + 1)] + "." + digits[(exponent + 1)..];
        return "0." + new string('0', -exponent - 1) + digits;
    }

    static string Scientific(string digits, int exponent) =>
        (digits.Length == 1 ? digits : digits[0] + "." + digits[1..]) + "E" + exponent.ToString(CultureInfo.InvariantCulture);
}
