using System.Text;

namespace Mira.Deid;

/// <summary>
/// The C (clean) action on free text (PS3.15 Table E.1-1: "replace with values of similar meaning known not to
/// contain identifying information"): the text is kept, minus every identifying value of the instance (whole values
/// anywhere; every written form of each person name, all component groups, <see cref="PersonNameForms"/>; name and
/// address words as whole words; case ignored; its dates in common renderings) and every <see cref="PhiPatterns"/>
/// match, each replaced by <c>*</c>.
/// </summary>
public static class TextCleaner
{
    public const string Mask = "*";

    public static string Clean(string text, PhiValues phi)
    {
        if (text.Length == 0) return text;
        var s = text;
        foreach (var v in phi.Values)
            if (s.Contains(v, StringComparison.OrdinalIgnoreCase)) s = s.Replace(v, Mask, StringComparison.OrdinalIgnoreCase);
        s = MaskNames(s, phi.Names);
        foreach (var d in phi.Dates)
            if (s.Contains(d, StringComparison.Ordinal)) s = s.Replace(d, Mask, StringComparison.Ordinal);
        foreach (var w in phi.Words)
            if (s.Contains(w, StringComparison.OrdinalIgnoreCase)) s = ReplaceWord(s, w);
        var matches = PhiPatterns.Find(s).OrderByDescending(m => m.Index).ToList();
        if (matches.Count == 0) return s;
        var sb = new StringBuilder(s);
        var lastStart = int.MaxValue;
        foreach (var (_, index, length) in matches)
        {
            if (index + length > lastStart) continue;
            sb.Remove(index, length).Insert(index, Mask);
            lastStart = index;
        }
        return sb.ToString();
    }

    /// <summary>Every written form of a person name (<see cref="PersonNameForms"/>), overlapping forms masked as one.</summary>
    static string MaskNames(string s, PersonNameForms names)
    {
        if (names.Count == 0) return s;
        if (names.FindAll(s) is not { } spans) return s;
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var sb = new StringBuilder(s.Length);
        var i = 0;
        foreach (var (start, length) in spans)
        {
            var end = start + length;
            if (end <= i) continue;
            if (start >= i) sb.Append(s, i, start - i).Append(Mask);
            i = end;
        }
        sb.Append(s, i, s.Length - i);
        return sb.ToString();
    }

    /// <summary>True when <paramref name="word"/> occurs in <paramref name="s"/> as a whole word (case ignored; no letter
    /// or digit of a spaced script next to it, <see cref="NameScript.IsSpacedWordChar"/>).</summary>
    public static bool ContainsWord(string s, string word)
    {
        var i = 0;
        while (i <= s.Length - word.Length)
        {
            var at = s.IndexOf(word, i, StringComparison.OrdinalIgnoreCase);
            if (at < 0) return false;
            var end = at + word.Length;
            if ((at == 0 || !NameScript.IsSpacedWordChar(s[at - 1])) && (end == s.Length || !NameScript.IsSpacedWordChar(s[end]))) return true;
            i = at + 1;
        }
        return false;
    }

    static string ReplaceWord(string s, string word)
    {
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            var at = s.IndexOf(word, i, StringComparison.OrdinalIgnoreCase);
            if (at < 0) break;
            var end = at + word.Length;
            var startOk = at == 0 || !NameScript.IsSpacedWordChar(s[at - 1]);
            var endOk = end == s.Length || !NameScript.IsSpacedWordChar(s[end]);
            sb.Append(s, i, at - i).Append(startOk && endOk ? Mask : s.Substring(at, word.Length));
            i = end;
        }
        sb.Append(s, i, s.Length - i);
        return sb.ToString();
    }
}
