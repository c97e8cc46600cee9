using System.Globalization;
using System.Text;

namespace Mira.StandardGen;

/// <summary>Helpers for writing deterministic C# source text (LF endings, invariant culture, ASCII only).</summary>
public static class CSharpText
{
    /// <summary>A C# string literal; non-ASCII characters (e.g. µ in PS3.6 names) are written as \uXXXX escapes.</summary>
    public static string Literal(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default:
                    if (ch < 0x20 || ch > 0x7E)
                        sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    else
                        sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// A field of a generated table (a raw string literal read by Mira.Dicom's DictionaryTable): ASCII printable
    /// characters as they are, except <c>\</c> written <c>\\</c>; <c>|</c>, <c>"</c>, a leading <c>&gt;</c> and anything
    /// outside ASCII written <c>\uXXXX</c>.
    /// </summary>
    public static string TableField(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (ch == '\\') sb.Append("\\\\");
            else if (ch < 0x20 || ch > 0x7E || ch is '|' or '"' || (ch == '>' && sb.Length == 0))
                sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
            else sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>Text for an XML doc comment: escapes markup, keeps it ASCII.</summary>
    public static string Doc(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                default:
                    if (ch < 0x20 || ch > 0x7E)
                        sb.Append("&#x").Append(((int)ch).ToString("X", CultureInfo.InvariantCulture)).Append(';');
                    else
                        sb.Append(ch);
                    break;
            }
        }
        return sb.ToString();
    }

    public static string Hex8(uint v) => "0x" + v.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The tag as the standard writes it, with x for repeating-group digits, e.g. (60xx,3000).</summary>
    public static string TagText(uint tag, uint mask)
    {
        var hex = tag.ToString("X8", CultureInfo.InvariantCulture).ToCharArray();
        for (var i = 0; i < 8; i++)
            if (((mask >> (28 - 4 * i)) & 0xF) == 0) hex[i] = 'x';
        return $"({new string(hex, 0, 4)},{new string(hex, 4, 4)})";
    }

    /// <summary>True when <paramref name="s"/> can be used as a C# identifier as is.</summary>
    public static bool IsIdentifier(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
