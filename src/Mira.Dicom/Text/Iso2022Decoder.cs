using System.Buffers;

namespace Mira.Dicom.Text;

/// <summary>
/// The code elements of one Specific Character Set in ISO 2022 terms: what G0 and G1 hold at the start of every value
/// and after every delimiter (value 1 of (0008,0005), PS3.5 §6.1.2.5.3), and the order the encoder tries the sets in.
/// </summary>
internal sealed class Iso2022Profile
{
    public Iso2022Profile(IReadOnlyList<CodeElement> elements)
    {
        Elements = elements;
        InitialG0 = elements[0].G0.IsAsciiLike ? elements[0].G0 : GraphicSet.Ascii;
        InitialG1 = elements[0].G1;
        FallbackG1 = InitialG1 ?? elements.Select(e => e.G1).FirstOrDefault(g => g is not null);
        var order = new List<GraphicSet>();
        foreach (var e in elements)
        {
            if (!e.G0.IsAsciiLike && !order.Contains(e.G0))
                order.Add(e.G0);
            if (e.G1 is not null && !order.Contains(e.G1))
                order.Add(e.G1);
        }
        EncodeOrder = order;
    }

    public IReadOnlyList<CodeElement> Elements { get; }

    public GraphicSet InitialG0 { get; }

    public GraphicSet? InitialG1 { get; }

    /// <summary>Used leniently for GR bytes when no G1 set is designated: the first G1 set any term names, else none (Latin-1).</summary>
    public GraphicSet? FallbackG1 { get; }

    public IReadOnlyList<GraphicSet> EncodeOrder { get; }
}

/// <summary>
/// Decodes ISO 2022 8-bit text with code extensions (PS3.5 §6.1.2.5, Annexes H, I, K): escape sequences designate
/// sets into G0 (bytes 0x21..0x7E) or G1 (bytes 0xA0..0xFF); at CR, LF, TAB, FF, other C0 controls, '\' (multi-valued
/// VRs) and '^' '=' (PN) both return to the value-1 sets (§6.1.2.5.3). Bytes inside a double-byte G0 run are never
/// taken as delimiters (e.g. "$^" is HIRAGANA MA in JIS X 0208). Never throws: bad bytes become U+FFFD, unknown
/// escape sequences are skipped, GR bytes with nothing in G1 fall back to <see cref="Iso2022Profile.FallbackG1"/> or Latin-1.
/// </summary>
internal static class Iso2022Decoder
{
    private const byte Esc = 0x1B;

    public static string Decode(ReadOnlySpan<byte> bytes, Iso2022Profile profile, bool personName, bool backslashDelimits)
    {
        char[]? rented = null;
        Span<char> buffer = bytes.Length <= 512 ? stackalloc char[bytes.Length] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        var g0 = profile.InitialG0;
        var g1 = profile.InitialG1;
        var o = 0;
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == Esc)
            {
                i += ParseEscape(bytes[i..], out var designated);
                if (designated is not null)
                {
                    if (designated.Slot == 0)
                        g0 = designated;
                    else
                        g1 = designated;
                }
                continue;
            }
            if (b < 0x80)
            {
                if (g0.IsDoubleByte && b is >= 0x21 and <= 0x7E)
                {
                    if (i + 1 < bytes.Length && bytes[i + 1] is >= 0x21 and <= 0x7E)
                    {
                        buffer[o++] = g0.DecodePair(b, bytes[i + 1]);
                        i += 2;
                    }
                    else
                    {
                        buffer[o++] = '\uFFFD';
                        i++;
                    }
                    continue;
                }
                buffer[o++] = (char)b; // ASCII, JIS X 0201 romaji read as ASCII, or SPACE / control
                i++;
                if (b < 0x20 || (b == (byte)'\\' && backslashDelimits) || (personName && b is (byte)'^' or (byte)'='))
                {
                    g0 = profile.InitialG0;
                    g1 = profile.InitialG1;
                }
                continue;
            }
            var gr = g1 ?? profile.FallbackG1;
            if (gr is null)
            {
                buffer[o++] = (char)b; // lenient: ISO 8859-1
                i++;
            }
            else if (!gr.IsDoubleByte)
            {
                buffer[o++] = gr.DecodeHigh(b);
                i++;
            }
            else if (b >= 0xA1 && b <= 0xFE && i + 1 < bytes.Length && bytes[i + 1] is >= 0xA1 and <= 0xFE)
            {
                buffer[o++] = gr.DecodePair(b & 0x7F, bytes[i + 1] & 0x7F);
                i += 2;
            }
            else
            {
                buffer[o++] = '\uFFFD';
                i++;
            }
        }
        var result = new string(buffer[..o]);
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return result;
    }

    /// <summary>
    /// Parses ESC, intermediate bytes (0x20..0x2F) and a final byte (0x30..0x7E) (ISO/IEC 2022 §13);
    /// returns the bytes consumed and the designated set, or null when the sequence is unknown or truncated.
    /// </summary>
    internal static int ParseEscape(ReadOnlySpan<byte> s, out GraphicSet? designated)
    {
        designated = null;
        var n = 1;
        while (n < s.Length && s[n] is >= 0x20 and <= 0x2F)
            n++;
        if (n >= s.Length || s[n] is < 0x30 or > 0x7E)
            return n; // truncated or malformed: drop ESC and intermediates
        n++;
        if (n <= 5)
        {
            Span<char> key = stackalloc char[n - 1];
            for (var k = 1; k < n; k++)
                key[k - 1] = (char)s[k];
            var lookup = CharacterSetTerms.Designations.GetAlternateLookup<ReadOnlySpan<char>>();
            lookup.TryGetValue(key, out designated);
        }
        return n;
    }
}
