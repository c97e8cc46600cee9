namespace Mira.Deid;

/// <summary>
/// The ways a person's name is written in free text, taken from the Person Name values of an instance (PS3.5 §6.2:
/// up to three component groups, alphabetic = ideographic = phonetic, each family^given^middle^prefix^suffix), and a
/// search for them. For every group, family and given name are found together in either order, joined or separated
/// by up to <see cref="MaxSeparators"/> of <see cref="Separators"/>, case ignored: "Wang^Xiaoming" is found as
/// "WangXiaoming", "Wang Xiaoming", "Wang, Xiaoming", "XIAOMING WANG"; "王^小明" as "王小明", "王 小明", "小明王".
/// <list type="bullet">
/// <item>A name in an alphabetic script is found only on word boundaries (no letter or digit of a spaced script next
/// to it), so "Li^Na" is found in "Li Na" and "seen by LiNa" but never inside "Liver" or "Linear".</item>
/// <item>A name with an ideographic, kana or hangul component is found anywhere (these scripts write no spaces
/// between words): "王小明" in "患者王小明复查". A single ideographic component on its own ("王", "小明") is not a
/// name form; see <see cref="PhiValues.Words"/> for lone components of at least three characters.</item>
/// <item>A group with one component ("王小明", "Wang Xiaoming", as many systems write the whole name in the family
/// component) is a name form as written (at least two characters) and, when it holds a space or a comma, its first
/// word and the rest are taken as family and given name.</item>
/// </list>
/// Built once per instance; a search allocates nothing unless it finds something.
/// </summary>
public sealed class PersonNameForms
{
    /// <summary>Characters written between the parts of a name: space, ideographic space, no-break space, comma,
    /// caret, hyphen, full stop, middle dots (U+00B7, U+30FB katakana, U+2027 hyphenation point).</summary>
    public const string Separators = " \u3000\u00A0,^-.\u00B7\u30FB\u2027";

    /// <summary>At most this many separator characters between two parts ("Wang ,  Xiaoming" is not a usual form).</summary>
    public const int MaxSeparators = 3;

    readonly List<NamePair> pairs = [];
    readonly HashSet<(string, string)> seen = new(PairComparer.Instance);

    /// <summary>Family and given name of one component group; <see cref="Given"/> is empty for a whole name written as one part.</summary>
    readonly record struct NamePair(string Family, string Given, bool Alphabetic);

    public int Count => pairs.Count;

    /// <summary>Adds the name forms of one PN value (all three component groups), allocating only the names kept.</summary>
    public void Add(string personName)
    {
        var rest = personName.AsSpan();
        for (var group = 0; group < 3; group++)
        {
            var eq = rest.IndexOf('=');
            AddGroup(eq < 0 ? rest : rest[..eq]);
            if (eq < 0) return;
            rest = rest[(eq + 1)..];
        }
    }

    void AddGroup(ReadOnlySpan<char> group)
    {
        var caret = group.IndexOf('^');
        var familySpan = (caret < 0 ? group : group[..caret]).Trim();
        var givenSpan = ReadOnlySpan<char>.Empty;
        if (caret >= 0)
        {
            var after = group[(caret + 1)..];
            var next = after.IndexOf('^');
            givenSpan = (next < 0 ? after : after[..next]).Trim();
        }
        if (familySpan.IsEmpty && givenSpan.IsEmpty) return;
        var family = familySpan.ToString();
        var given = givenSpan.ToString();
        if (given.Length == 0)
        {
            AddWhole(family);
            var cut = family.AsSpan().IndexOfAny(' ', ',', '\u3000');
            if (cut > 0)
            {
                given = family[(cut + 1)..].Trim(SeparatorChars);
                family = family[..cut];
            }
        }
        else if (family.Length == 0) AddWhole(given);
        if (family.Length == 0 || given.Length == 0) return;
        var alphabetic = !NameScript.HasUnspacedScript(family) && !NameScript.HasUnspacedScript(given);
        if (alphabetic && (family.Length < 2 || given.Length < 2)) return;   // "J Smith" is found through "Smith" (PhiValues.Words)
        if (seen.Add((family, given))) pairs.Add(new NamePair(family, given, alphabetic));
    }

    static readonly char[] SeparatorChars = Separators.ToCharArray();

    void AddWhole(string name)
    {
        var alphabetic = !NameScript.HasUnspacedScript(name);
        if (name.Length < (alphabetic ? 4 : 2)) return;
        if (seen.Add((name, ""))) pairs.Add(new NamePair(name, "", alphabetic));
    }

    /// <summary>Every span of <paramref name="text"/> that writes one of the names (start, length; spans may overlap), or null when there is none.</summary>
    public List<(int Start, int Length)>? FindAll(string text)
    {
        List<(int, int)>? spans = null;
        foreach (var p in pairs) Find(text, p, ref spans, firstOnly: false);
        return spans;
    }

    /// <summary>The first written form of a name in <paramref name="text"/>, or null.</summary>
    public string? FindFirst(string text)
    {
        List<(int Start, int Length)>? spans = null;
        foreach (var p in pairs)
        {
            Find(text, p, ref spans, firstOnly: true);
            if (spans is { Count: > 0 }) return text.Substring(spans[0].Start, spans[0].Length);
        }
        return null;
    }

    static void Find(string text, NamePair p, ref List<(int, int)>? spans, bool firstOnly)
    {
        var f = p.Family;
        var from = 0;
        while (from <= text.Length - f.Length)
        {
            var at = text.IndexOf(f, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0) return;
            var end = at + f.Length;
            var found = false;
            if (p.Given.Length == 0)
                found = Add(text, at, end, p.Alphabetic, ref spans);
            else
            {
                if (GivenAfter(text, end, p.Given) is var after and >= 0) found |= Add(text, at, after, p.Alphabetic, ref spans);
                if (GivenBefore(text, at, p.Given) is var before and >= 0) found |= Add(text, before, end, p.Alphabetic, ref spans);
            }
            if (found && firstOnly) return;
            from = at + 1;
        }
    }

    static bool Add(string text, int start, int end, bool alphabetic, ref List<(int, int)>? spans)
    {
        if (alphabetic && (start > 0 && NameScript.IsSpacedWordChar(text[start - 1]) || end < text.Length && NameScript.IsSpacedWordChar(text[end])))
            return false;
        (spans ??= []).Add((start, end - start));
        return true;
    }

    /// <summary>The end of <paramref name="given"/> written after position <paramref name="i"/> (separators allowed), or -1.</summary>
    static int GivenAfter(string text, int i, string given)
    {
        var n = 0;
        while (i < text.Length && n < MaxSeparators && Separators.Contains(text[i])) { i++; n++; }
        return text.AsSpan(i).StartsWith(given, StringComparison.OrdinalIgnoreCase) ? i + given.Length : -1;
    }

    /// <summary>The start of <paramref name="given"/> written before position <paramref name="i"/> (separators allowed), or -1.</summary>
    static int GivenBefore(string text, int i, string given)
    {
        var n = 0;
        while (i > 0 && n < MaxSeparators && Separators.Contains(text[i - 1])) { i--; n++; }
        return text.AsSpan(0, i).EndsWith(given, StringComparison.OrdinalIgnoreCase) ? i - given.Length : -1;
    }

    sealed class PairComparer : IEqualityComparer<(string, string)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((string, string) x, (string, string) y) =>
            StringComparer.OrdinalIgnoreCase.Equals(x.Item1, y.Item1) && StringComparer.OrdinalIgnoreCase.Equals(x.Item2, y.Item2);

        public int GetHashCode((string, string) o) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(o.Item1), StringComparer.OrdinalIgnoreCase.GetHashCode(o.Item2));
    }
}

/// <summary>Which characters belong to scripts written with spaces between words, and which to scripts written without.</summary>
public static class NameScript
{
    /// <summary>True for Han ideographs, kana, hangul, bopomofo and their compatibility and full-width forms: scripts that write no spaces between words.</summary>
    public static bool IsUnspaced(char c) => c switch
    {
        >= '\u1100' and <= '\u11FF' => true,   // Hangul Jamo
        >= '\u2E80' and <= '\u2FDF' => true,   // CJK radicals, Kangxi radicals
        >= '\u3040' and <= '\u30FF' => true,   // Hiragana, Katakana
        >= '\u3100' and <= '\u31FF' => true,   // Bopomofo, Hangul compatibility Jamo, Katakana extensions
        >= '\u3400' and <= '\u4DBF' => true,   // CJK extension A
        >= '\u4E00' and <= '\u9FFF' => true,   // CJK unified ideographs
        >= '\uA960' and <= '\uA97F' => true,   // Hangul Jamo extended A
        >= '\uAC00' and <= '\uD7FF' => true,   // Hangul syllables, Jamo extended B
        >= '\uF900' and <= '\uFAFF' => true,   // CJK compatibility ideographs
        >= '\uFF66' and <= '\uFFDC' => true,   // half-width katakana and hangul
        _ => char.IsSurrogate(c),               // supplementary ideographs (extensions B–H) come as surrogate pairs
    };

    /// <summary>True when <paramref name="s"/> holds a character of an unspaced script.</summary>
    public static bool HasUnspacedScript(string s)
    {
        foreach (var c in s) if (IsUnspaced(c)) return true;
        return false;
    }

    /// <summary>A letter or digit of a spaced script: what may not touch a name or word that is matched on word boundaries.</summary>
    public static bool IsSpacedWordChar(char c) => char.IsLetterOrDigit(c) && !IsUnspaced(c);
}
