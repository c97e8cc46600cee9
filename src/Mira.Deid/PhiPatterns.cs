using System.Text.RegularExpressions;

namespace Mira.Deid;

/// <summary>What kind of identifying text a pattern found.</summary>
public enum PhiPatternKind { ChineseResidentId, PhoneNumber, Email }

/// <summary>
/// Patterns of directly identifying text that can appear in free text (descriptions, comments, private elements):
/// Chinese resident identity numbers (GB 11643-1999: 17 digits and an ISO 7064 MOD 11-2 check character, with a
/// plausible birth date), telephone numbers (international form, or groups of digits with separators, at least 7
/// digits, or a Chinese mobile number) and e-mail addresses.
/// </summary>
public static partial class PhiPatterns
{
    [GeneratedRegex(@"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")]
    private static partial Regex ResidentIdRegex();

    [GeneratedRegex(@"(?<![\w.@])(?:\+[0-9]{1,3}[ \-.]?)?(?:\([0-9]{1,5}\)[ \-.]?)?[0-9]{2,5}(?:[ \-.][0-9]{2,8}){1,4}(?![\w@])|(?<![0-9A-Za-z+])1[3-9][0-9]{9}(?![0-9A-Za-z])")]
    private static partial Regex PhoneRegex();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailRegex();

    static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const string CheckChars = "10X98765432";

    /// <summary>True for an 18-character resident identity number whose check character (ISO 7064 MOD 11-2) and birth date are valid.</summary>
    public static bool IsValidResidentId(ReadOnlySpan<char> s)
    {
        if (s.Length != 18) return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (s[i] is < '0' or > '9') return false;
            sum += (s[i] - '0') * Weights[i];
        }
        if (char.ToUpperInvariant(s[17]) != CheckChars[sum % 11]) return false;
        return DateTime.TryParseExact(s.Slice(6, 8), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out _);
    }

    /// <summary>Every match in <paramref name="text"/>: (kind, index, length).</summary>
    public static IEnumerable<(PhiPatternKind Kind, int Index, int Length)> Find(string text)
    {
        if (text.Length < 6) yield break;
        // A resident identity number has 17 digits and a telephone number at least 7: most descriptions have neither,
        // and counting digits is far cheaper than running the expressions.
        var digits = CountDigits(text);
        if (digits >= 17)
            foreach (Match m in ResidentIdRegex().Matches(text))
                if (IsValidResidentId(m.ValueSpan)) yield return (PhiPatternKind.ChineseResidentId, m.Index, m.Length);
        if (text.Contains('@'))
            foreach (Match m in EmailRegex().Matches(text)) yield return (PhiPatternKind.Email, m.Index, m.Length);
        if (digits >= 7)
            foreach (Match m in PhoneRegex().Matches(text))
                if (LooksLikePhone(m.ValueSpan) && !IsValidResidentId(m.ValueSpan)) yield return (PhiPatternKind.PhoneNumber, m.Index, m.Length);
    }

    static int CountDigits(string s)
    {
        var n = 0;
        foreach (var c in s) if (c is >= '0' and <= '9') n++;
        return n;
    }

    /// <summary>At least 7 digits, and not a date written with separators (2024-01-31, 31.01.2024).</summary>
    static bool LooksLikePhone(ReadOnlySpan<char> s)
    {
        var digits = 0;
        foreach (var c in s) if (c is >= '0' and <= '9') digits++;
        if (digits < 7 || digits > 15) return false;
        var t = s.ToString();
        string[] dateForms = ["yyyy-MM-dd", "yyyy.MM.dd", "dd.MM.yyyy", "dd-MM-yyyy", "yyyy MM dd", "dd MM yyyy"];
        return !DateTime.TryParseExact(t, dateForms, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _);
    }
}
