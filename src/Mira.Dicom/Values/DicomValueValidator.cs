namespace Mira.Dicom.Values;

/// <summary>
/// Strict checks of one value (no backslash multiplicity) before writing, after PS3.5 §6.2 Table 6.2-1 and
/// §6.1 (character repertoires). Lengths are counted in characters (Unicode scalar values) where the
/// standard speaks of characters, and in bytes for the default-repertoire-only VRs (the same count there).
/// An empty string is a zero-length value and always valid.
/// </summary>
public static class DicomValueValidator
{
    const char Esc = '\u001B';
    const long MaxUnlimited = uint.MaxValue - 1; // 2^32 − 2 (PS3.5 Table 6.2-1, UC/UR/UT)

    /// <summary>Null when <paramref name="singleValue"/> may be written as a value of <paramref name="vr"/>, else the reason.</summary>
    public static string? Validate(DicomVR vr, string singleValue)
    {
        ArgumentNullException.ThrowIfNull(singleValue);
        if (singleValue.Length == 0) return null;
        var s = singleValue.AsSpan();
        return vr switch
        {
            DicomVR.AE => ValidateAE(s),
            DicomVR.AS => DicomAge.ParseCore(s, strict: true, out _),
            DicomVR.CS => ValidateCS(s),
            DicomVR.DA => DicomDate.ParseCore(s, strict: true, out _),
            DicomVR.TM => DicomTime.ParseCore(s, strict: true, out _),
            DicomVR.DT => DicomDateTime.ParseCore(s, strict: true, out _),
            DicomVR.DS => DicomNumberString.ValidateDS(s),
            DicomVR.IS => DicomNumberString.ValidateIS(s),
            DicomVR.LO => ValidateText(s, 64, multiValued: true, allowFormatting: false),
            DicomVR.SH => ValidateText(s, 16, multiValued: true, allowFormatting: false),
            DicomVR.UC => ValidateText(s, MaxUnlimited, multiValued: true, allowFormatting: false),
            DicomVR.LT => ValidateText(s, 10240, multiValued: false, allowFormatting: true),
            DicomVR.ST => ValidateText(s, 1024, multiValued: false, allowFormatting: true),
            DicomVR.UT => ValidateText(s, MaxUnlimited, multiValued: false, allowFormatting: true),
            DicomVR.PN => ValidatePN(s),
            DicomVR.UI => DicomUid.Validate(singleValue),
            DicomVR.UR => ValidateUR(s),
            _ => $"{DicomVRInfo.Code(vr)} is not a character string VR",
        };
    }

    /// <summary>True when <see cref="Validate"/> returns no reason.</summary>
    public static bool IsValid(DicomVR vr, string singleValue) => Validate(vr, singleValue) is null;

    /// <summary>Counts Unicode scalar values (a surrogate pair is one character).</summary>
    internal static int CountCharacters(ReadOnlySpan<char> s)
    {
        int n = s.Length;
        foreach (char c in s)
            if (char.IsLowSurrogate(c)) n--;
        return n;
    }

    static string? DefaultRepertoire(ReadOnlySpan<char> s, string vr)
    {
        foreach (char c in s)
        {
            if (c is < ' ' or > '~') return $"{vr} allows only printable ASCII, found U+{(int)c:X4}";
            if (c == '\\') return $"{vr} must not contain a backslash";
        }
        return null;
    }

    // AE: 16 bytes, default repertoire without backslash or control characters, not all spaces.
    static string? ValidateAE(ReadOnlySpan<char> s)
    {
        if (s.Length > 16) return $"AE is {s.Length} characters, more than 16";
        if (DefaultRepertoire(s, "AE") is { } bad) return bad;
        return s.Trim(' ').IsEmpty ? "AE must not consist only of spaces" : null;
    }

    // CS: 16 bytes, upper-case letters, digits, space and underscore.
    static string? ValidateCS(ReadOnlySpan<char> s)
    {
        if (s.Length > 16) return $"CS is {s.Length} characters, more than 16";
        foreach (char c in s)
            if (c is not ((>= 'A' and <= 'Z') or (>= '0' and <= '9') or ' ' or '_'))
                return $"CS allows only A-Z, 0-9, space and underscore, found '{c}'";
        return null;
    }

    // LO/SH/UC/LT/ST/UT: character limits; control characters only ESC (plus TAB, LF, FF, CR for text VRs, §6.1.3).
    static string? ValidateText(ReadOnlySpan<char> s, long maxChars, bool multiValued, bool allowFormatting)
    {
        foreach (char c in s)
        {
            if (multiValued && c == '\\') return "a single value must not contain a backslash";
            if (c < ' ' || c == '\u007F')
            {
                bool ok = c == Esc || (allowFormatting && c is '\t' or '\n' or '\f' or '\r');
                if (!ok) return $"control character U+{(int)c:X4} is not allowed";
            }
        }
        long count = CountCharacters(s);
        return count > maxChars ? $"value is {count} characters, more than {maxChars}" : null;
    }

    // PN: up to 3 component groups (alphabetic=ideographic=phonetic), each ≤64 characters and ≤5 components (§6.2.1).
    static string? ValidatePN(ReadOnlySpan<char> s)
    {
        if (ValidateText(s, long.MaxValue, multiValued: true, allowFormatting: false) is { } bad) return bad;
        int groups = 0;
        foreach (var range in s.Split('='))
        {
            var group = s[range];
            if (++groups > 3) return "PN has more than 3 component groups";
            int chars = CountCharacters(group);
            if (chars > 64) return $"PN component group {groups} is {chars} characters, more than 64";
            if (group.Count('^') > 4) return $"PN component group {groups} has more than 5 components";
        }
        return null;
    }

    // UR: characters allowed by RFC 3986 (unreserved, reserved and '%' for percent-encoding); no spaces.
    static string? ValidateUR(ReadOnlySpan<char> s)
    {
        if (s[0] == ' ') return "UR must not have leading spaces";
        if (s[^1] == ' ') return "UR must not have trailing spaces";
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool ok = char.IsAsciiLetterOrDigit(c) || "-._~:/?#[]@!$&'()*+,;=%".Contains(c);
            if (!ok) return $"UR contains '{c}', not allowed by RFC 3986";
            if (c == '%' && (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2])))
                return "UR has '%' not followed by two hex digits";
        }
        return null;
    }
}
