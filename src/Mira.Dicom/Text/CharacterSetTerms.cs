using System.Text;

namespace Mira.Dicom.Text;

/// <summary>
/// One Defined Term of Specific Character Set (0008,0005), PS3.3 C.12.1.1.2 Tables C.12-2 to C.12-5:
/// which graphic sets it puts in G0 and G1, or, for ISO_IR 192 / GB18030 / GBK, the whole-value encoding
/// (those three cannot be combined with code extensions, PS3.5 §6.1.2.5.3 and Annex J/K).
/// </summary>
internal sealed class CodeElement
{
    public CodeElement(string term, bool usesExtensions, GraphicSet g0, GraphicSet? g1, Func<Encoding>? wholeValue = null)
    {
        Term = term;
        UsesExtensions = usesExtensions;
        G0 = g0;
        G1 = g1;
        _wholeValue = wholeValue is null ? null : new Lazy<Encoding>(wholeValue);
    }

    private readonly Lazy<Encoding>? _wholeValue;

    /// <summary>The canonical spelling, e.g. "ISO_IR 100" or "ISO 2022 IR 87".</summary>
    public string Term { get; }

    /// <summary>True for the "ISO 2022 IR n" terms (Table C.12-3 and C.12-4).</summary>
    public bool UsesExtensions { get; }

    public GraphicSet G0 { get; }

    public GraphicSet? G1 { get; }

    public bool IsWholeValue => _wholeValue is not null;

    public Encoding? WholeValue => _wholeValue?.Value;
}

/// <summary>The Defined Terms table and lenient term parsing (misspellings, case, padding).</summary>
internal static class CharacterSetTerms
{
    // G1 sets of the single-byte terms, with the final byte of their ESC - F designation and the code page used.
    private static readonly GraphicSet Latin1 = GraphicSet.Upper96("ISO-IR 100 (Latin-1)", 'A', 28591);
    private static readonly GraphicSet Latin2 = GraphicSet.Upper96("ISO-IR 101 (Latin-2)", 'B', 28592);
    private static readonly GraphicSet Latin3 = GraphicSet.Upper96("ISO-IR 109 (Latin-3)", 'C', 28593);
    private static readonly GraphicSet Latin4 = GraphicSet.Upper96("ISO-IR 110 (Latin-4)", 'D', 28594);
    private static readonly GraphicSet Cyrillic = GraphicSet.Upper96("ISO-IR 144 (Cyrillic)", 'L', 28595);
    private static readonly GraphicSet Arabic = GraphicSet.Upper96("ISO-IR 127 (Arabic)", 'G', 28596);
    private static readonly GraphicSet Greek = GraphicSet.Upper96("ISO-IR 126 (Greek)", 'F', 28597);
    private static readonly GraphicSet Hebrew = GraphicSet.Upper96("ISO-IR 138 (Hebrew)", 'H', 28598);
    private static readonly GraphicSet Latin5 = GraphicSet.Upper96("ISO-IR 148 (Latin-5)", 'M', 28599);
    private static readonly GraphicSet Latin9 = GraphicSet.Upper96("ISO-IR 203 (Latin-9)", 'b', 28605);
    private static readonly GraphicSet Thai = GraphicSet.Upper96("ISO-IR 166 (TIS 620)", 'T', 874);

    /// <summary>JIS X 0208 (ISO-IR 87) in G0 via EUC-JP code page 20932 (JIS mapping, e.g. 0x2141 → U+301C).
    /// The encoder only uses the rows JIS X 0208 defines (1–8, 16–84); vendor rows still decode.</summary>
    internal static readonly GraphicSet JisX0208 = GraphicSet.DoubleByte(
        "ISO-IR 87 (JIS X 0208)", 0, "$B", () => GraphicSet.CellsFromEucCodePage(20932),
        row => row is <= 0x28 or (>= 0x30 and <= 0x74));

    /// <summary>JIS X 0212 (ISO-IR 159) in G0, from the embedded table (no .NET code page carries it).</summary>
    internal static readonly GraphicSet JisX0212 = GraphicSet.DoubleByte("ISO-IR 159 (JIS X 0212)", 0, "$(D", JisX0212Table.Load);

    /// <summary>KS X 1001 (ISO-IR 149) in G1 via EUC-KR code page 51949.</summary>
    internal static readonly GraphicSet KsX1001 = GraphicSet.DoubleByte(
        "ISO-IR 149 (KS X 1001)", 1, "$)C", () => GraphicSet.CellsFromEucCodePage(51949));

    /// <summary>GB 2312 (ISO-IR 58) in G1 via code page 20936; 20936 lacks 0x212C, which is patched to U+2016 (as GBK/936 has it).</summary>
    internal static readonly GraphicSet Gb2312 = GraphicSet.DoubleByte("ISO-IR 58 (GB 2312)", 1, "$)A", () =>
    {
        var cells = GraphicSet.CellsFromEucCodePage(20936);
        cells[(0x21 - 0x21) * 94 + (0x2C - 0x21)] = '\u2016';
        return cells;
    });

    /// <summary>Designations accepted when decoding, keyed by the bytes after ESC; includes a few lenient aliases.</summary>
    internal static readonly Dictionary<string, GraphicSet> Designations = BuildDesignations();

    private static readonly CodeElement[] Elements = BuildElements();

    // Plain dictionaries: they are built at every start of a process that reads text, and FrozenDictionary's
    // construction costs milliseconds that a few dozen keys never pay back.
    private static readonly Dictionary<string, CodeElement> ByKey =
        Elements.ToDictionary(e => Key(e.Term), StringComparer.Ordinal);

    /// <summary>Non-standard spellings seen in the wild, keyed like <see cref="Key"/>, mapped to a canonical term.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["UTF8"] = "ISO_IR 192", ["ISOIR192UTF8"] = "ISO_IR 192",
        ["GB2312"] = "GBK", ["CP936"] = "GBK", ["ISO2022GBK"] = "GBK", ["ISO2022GB18030"] = "GB18030",
        ["ISO88591"] = "ISO_IR 100", ["LATIN1"] = "ISO_IR 100", ["ISO88592"] = "ISO_IR 101", ["ISO88593"] = "ISO_IR 109",
        ["ISO88594"] = "ISO_IR 110", ["ISO88595"] = "ISO_IR 144", ["ISO88596"] = "ISO_IR 127", ["ISO88597"] = "ISO_IR 126",
        ["ISO88598"] = "ISO_IR 138", ["ISO88599"] = "ISO_IR 148", ["ISO885915"] = "ISO_IR 203", ["TIS620"] = "ISO_IR 166",
        ["ISOIR87"] = "ISO 2022 IR 87", ["ISOIR159"] = "ISO 2022 IR 159", ["ISOIR149"] = "ISO 2022 IR 149",
        ["ISOIR58"] = "ISO 2022 IR 58", ["ASCII"] = "ISO_IR 6", ["USASCII"] = "ISO_IR 6",
    };

    public static CodeElement DefaultElement { get; } = ByKey[Key("ISO_IR 6")];

    public static IEnumerable<CodeElement> All => Elements;

    /// <summary>
    /// Resolves one value of (0008,0005). Exact terms resolve silently; case, '-'/'_'/space/padding variants and known
    /// aliases resolve with a warning; anything else returns null with a warning.
    /// </summary>
    public static CodeElement? Resolve(string raw, ICollection<string>? warnings)
    {
        var trimmed = raw.Trim(' ', '\0', '\t');
        var key = Key(trimmed);
        if (!ByKey.TryGetValue(key, out var element) &&
            !(Aliases.TryGetValue(key, out var canonical) && ByKey.TryGetValue(Key(canonical), out element)))
        {
            warnings?.Add($"Unknown Specific Character Set (0008,0005) term '{raw}' (PS3.3 C.12.1.1.2); ignored.");
            return null;
        }
        if (!string.Equals(trimmed, element.Term, StringComparison.Ordinal))
            warnings?.Add($"Specific Character Set (0008,0005) term '{raw}' is not a Defined Term; read as '{element.Term}'.");
        return element;
    }

    /// <summary>The term's letters and digits, upper-cased: "iso-ir 100", "ISO_IR100" and "ISO IR 100" all give "ISOIR100".</summary>
    internal static string Key(string term)
    {
        var sb = new StringBuilder(term.Length);
        foreach (var c in term)
            if (char.IsAsciiLetterOrDigit(c))
                sb.Append(char.ToUpperInvariant(c));
        return sb.ToString();
    }

    /// <summary>The ISO 2022 form of a single-byte term ("ISO_IR 100" → "ISO 2022 IR 100"), or the term itself.</summary>
    public static CodeElement WithExtensions(CodeElement element) =>
        element.UsesExtensions || element.IsWholeValue ? element
        : ByKey.TryGetValue(Key(element.Term.Replace("ISO_IR ", "ISO 2022 IR ", StringComparison.Ordinal)), out var e) ? e : element;

    private static CodeElement[] BuildElements()
    {
        var list = new List<CodeElement>();
        void SingleByte(int number, GraphicSet g0, GraphicSet? g1)
        {
            list.Add(new CodeElement($"ISO_IR {number}", false, g0, g1));
            list.Add(new CodeElement($"ISO 2022 IR {number}", true, g0, g1));
        }
        SingleByte(6, GraphicSet.Ascii, null);
        SingleByte(100, GraphicSet.Ascii, Latin1);
        SingleByte(101, GraphicSet.Ascii, Latin2);
        SingleByte(109, GraphicSet.Ascii, Latin3);
        SingleByte(110, GraphicSet.Ascii, Latin4);
        SingleByte(144, GraphicSet.Ascii, Cyrillic);
        SingleByte(127, GraphicSet.Ascii, Arabic);
        SingleByte(126, GraphicSet.Ascii, Greek);
        SingleByte(138, GraphicSet.Ascii, Hebrew);
        SingleByte(148, GraphicSet.Ascii, Latin5);
        SingleByte(203, GraphicSet.Ascii, Latin9);
        SingleByte(13, GraphicSet.JisRomaji, GraphicSet.JisKatakana);
        SingleByte(166, GraphicSet.Ascii, Thai);
        list.Add(new CodeElement("ISO 2022 IR 87", true, JisX0208, null));
        list.Add(new CodeElement("ISO 2022 IR 159", true, JisX0212, null));
        list.Add(new CodeElement("ISO 2022 IR 149", true, GraphicSet.Ascii, KsX1001));
        list.Add(new CodeElement("ISO 2022 IR 58", true, GraphicSet.Ascii, Gb2312));
        list.Add(new CodeElement("ISO_IR 192", false, GraphicSet.Ascii, null, () => CodePages.Get(65001)));
        list.Add(new CodeElement("GB18030", false, GraphicSet.Ascii, null, () => CodePages.Get(54936)));
        list.Add(new CodeElement("GBK", false, GraphicSet.Ascii, null, () => CodePages.Get(936)));
        return [.. list];
    }

    private static Dictionary<string, GraphicSet> BuildDesignations()
    {
        var map = new Dictionary<string, GraphicSet>(StringComparer.Ordinal);
        foreach (var set in new[]
                 {
                     GraphicSet.Ascii, GraphicSet.JisRomaji, GraphicSet.JisKatakana, Latin1, Latin2, Latin3, Latin4, Cyrillic,
                     Arabic, Greek, Hebrew, Latin5, Latin9, Thai, JisX0208, JisX0212, KsX1001, Gb2312,
                 })
            map[Encoding.Latin1.GetString(set.Designation, 1, set.Designation.Length - 1)] = set;
        map["$@"] = JisX0208;   // JIS C 6226-1978, treated as JIS X 0208
        map["$(B"] = JisX0208;  // long form of ESC $ B
        return map;
    }
}
