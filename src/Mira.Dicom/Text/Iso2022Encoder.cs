namespace Mira.Dicom.Text;

/// <summary>
/// Encodes text as ISO 2022 8-bit with code extensions (PS3.5 §6.1.2.5, Annexes H, I, K). ASCII goes to G0 as the
/// value-1 set; other characters use, in order, the set already invoked, then each term's sets in (0008,0005) order,
/// with a designation escape sequence whenever G0 or G1 must change. Before any delimiter or control character and at
/// the end of the value G0 is switched back to the value-1 set; before a delimiter G1 is switched back to value 1's G1
/// set if it has one, and a G1 set other than value 1's is designated again after each delimiter (PS3.5 §6.1.2.5.3;
/// this reproduces the byte streams of the PS3.5 Annex H/I examples and of common writers).
/// </summary>
internal static class Iso2022Encoder
{
    public static byte[] Encode(string text, Iso2022Profile profile, bool personName, bool backslashDelimits, string termsForMessage)
    {
        var output = new List<byte>(text.Length + 16);
        var g0 = profile.InitialG0;
        var g1 = profile.InitialG1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80)
            {
                if (c == '\u001B')
                    throw Unencodable(text, i, termsForMessage);
                if (g0 != profile.InitialG0)
                {
                    output.AddRange(profile.InitialG0.Designation);
                    g0 = profile.InitialG0;
                }
                var delimiter = c < 0x20 || (c == '\\' && backslashDelimits) || (personName && c is '^' or '=');
                if (delimiter && g1 != profile.InitialG1 && profile.InitialG1 is not null)
                    output.AddRange(profile.InitialG1.Designation); // explicit too, for readers that do not reset G1
                output.Add((byte)c);
                if (delimiter)
                    g1 = profile.InitialG1;
                continue;
            }
            var set = Choose(c, g0, g1, profile, out var code) ?? throw Unencodable(text, i, termsForMessage);
            if (set.Slot == 0)
            {
                if (g0 != set)
                {
                    output.AddRange(set.Designation);
                    g0 = set;
                }
                output.Add((byte)(code >> 8));
                output.Add((byte)(code & 0x7F));
            }
            else
            {
                if (g1 != set)
                {
                    output.AddRange(set.Designation);
                    g1 = set;
                }
                if (set.IsDoubleByte)
                {
                    output.Add((byte)((code >> 8) | 0x80));
                    output.Add((byte)((code & 0x7F) | 0x80));
                }
                else
                {
                    output.Add((byte)code);
                }
            }
        }
        if (g0 != profile.InitialG0)
            output.AddRange(profile.InitialG0.Designation);
        return [.. output];
    }

    private static GraphicSet? Choose(char c, GraphicSet g0, GraphicSet? g1, Iso2022Profile profile, out ushort code)
    {
        if (g0.IsDoubleByte && g0.TryEncode(c, out code))
            return g0;
        if (g1 is not null && g1.TryEncode(c, out code))
            return g1;
        foreach (var set in profile.EncodeOrder)
            if (set.TryEncode(c, out code))
                return set;
        code = 0;
        return null;
    }

    internal static ArgumentException Unencodable(string text, int index, string terms)
    {
        var c = text[index];
        var shown = char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1])
            ? $"'{text.Substring(index, 2)}' (U+{char.ConvertToUtf32(c, text[index + 1]):X4})"
            : char.IsControl(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
        var set = terms.Length == 0 ? "the default repertoire (ISO_IR 6)" : $"Specific Character Set '{terms}'";
        return new ArgumentException($"Character {shown} at index {index} cannot be encoded in {set}.", nameof(text));
    }
}
