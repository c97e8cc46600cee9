using System.Text;

namespace Mira.StandardGen;

/// <summary>
/// Derives a PS3.6 Annex A style keyword from a UID name: words are capitalised and joined, punctuation
/// dropped ("Digital X-Ray Image Storage - For Presentation" → DigitalXRayImageStorageForPresentation).
/// The standard's own keywords are not fully mechanical; Data/uids.tsv overrides the exceptions.
/// </summary>
public static class UidKeyword
{
    static readonly Dictionary<string, string> leadingNumbers = new(StringComparer.Ordinal)
    {
        ["12"] = "Twelve",
    };

    public static string FromName(string name)
    {
        var sb = new StringBuilder(name.Length);
        var startOfWord = true;
        foreach (var ch in name)
        {
            if (!char.IsAsciiLetterOrDigit(ch))
            {
                startOfWord = true;
                continue;
            }
            sb.Append(startOfWord ? char.ToUpperInvariant(ch) : ch);
            startOfWord = false;
        }
        var keyword = sb.ToString();
        if (keyword.Length > 0 && char.IsAsciiDigit(keyword[0]))
        {
            var digits = new string(keyword.TakeWhile(char.IsAsciiDigit).ToArray());
            if (!leadingNumbers.TryGetValue(digits, out var word))
                throw new InvalidOperationException($"no keyword rule for name '{name}' starting with a number");
            keyword = word + keyword[digits.Length..];
        }
        return keyword;
    }
}
