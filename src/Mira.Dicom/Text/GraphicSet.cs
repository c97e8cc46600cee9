using System.Collections.Frozen;
using System.Text;

namespace Mira.Dicom.Text;

/// <summary>
/// One ISO/IEC 2022 graphic character set as used by DICOM (PS3.5 §6.1.2.5, PS3.3 Tables C.12-3/C.12-4):
/// ASCII or JIS X 0201 romaji in G0, the upper half of an ISO 8859 / TIS 620 / JIS X 0201 katakana set in G1,
/// or a 94×94 double-byte set (JIS X 0208 and JIS X 0212 in G0, KS X 1001 and GB 2312 in G1).
/// Tables are built lazily, once per process, from the .NET code pages (or the embedded JIS X 0212 table).
/// </summary>
internal sealed class GraphicSet
{
    private readonly Lazy<char[]> _table;          // single-byte: 128 chars for 0x80..0xFF; double-byte: 94×94 cells
    private readonly Func<int, bool> _rowEncodable; // double-byte rows (0x21..0x7E) the encoder may use
    private FrozenDictionary<char, ushort>? _reverse;

    private GraphicSet(string name, int slot, bool isDoubleByte, byte[] designation, Func<char[]> load, Func<int, bool>? rowEncodable = null)
    {
        Name = name;
        Slot = slot;
        IsDoubleByte = isDoubleByte;
        Designation = designation;
        _table = new Lazy<char[]>(load, LazyThreadSafetyMode.PublicationOnly);
        _rowEncodable = rowEncodable ?? (_ => true);
    }

    public string Name { get; }

    /// <summary>0 = G0 (invoked in GL, 0x21..0x7E), 1 = G1 (invoked in GR, 0xA0..0xFF).</summary>
    public int Slot { get; }

    public bool IsDoubleByte { get; }

    /// <summary>The escape sequence designating this set (PS3.3 Table C.12-4), ESC included.</summary>
    public byte[] Designation { get; }

    /// <summary>True for ASCII and JIS X 0201 romaji, which this toolkit treats as ASCII in G0.</summary>
    public bool IsAsciiLike => Slot == 0 && !IsDoubleByte;

    /// <summary>Chars for bytes 0x80..0xFF of a single-byte G1 set (C1 controls kept, holes as U+FFFD).</summary>
    public ReadOnlySpan<char> HighHalf => _table.Value;

    public char DecodeHigh(byte b) => _table.Value[b - 0x80];

    /// <summary>Decodes a double-byte cell from two 7-bit bytes 0x21..0x7E; U+FFFD if unassigned.</summary>
    public char DecodePair(int first, int second)
    {
        var c = _table.Value[(first - 0x21) * 94 + (second - 0x21)];
        return c == '\0' ? '\uFFFD' : c;
    }

    /// <summary>
    /// The code of <paramref name="c"/> in this set: the GR byte (0xA0..0xFF) for single-byte G1 sets,
    /// or (first &lt;&lt; 8 | second) with 7-bit bytes for double-byte sets.
    /// </summary>
    public bool TryEncode(char c, out ushort code) => Reverse.TryGetValue(c, out code);

    public IEnumerable<char> Repertoire => Reverse.Keys;

    private FrozenDictionary<char, ushort> Reverse => _reverse ??= BuildReverse();

    private FrozenDictionary<char, ushort> BuildReverse()
    {
        var map = new Dictionary<char, ushort>();
        var table = _table.Value;
        if (IsAsciiLike)
            return map.ToFrozenDictionary();
        if (!IsDoubleByte)
        {
            for (var b = 0xA0; b <= 0xFF; b++) // C1 controls (0x80..0x9F) are never written
                if (table[b - 0x80] != '\uFFFD')
                    map.TryAdd(table[b - 0x80], (ushort)b);
            return map.ToFrozenDictionary();
        }
        for (var row = 0; row < 94; row++)
        {
            if (!_rowEncodable(row + 0x21))
                continue;
            for (var cell = 0; cell < 94; cell++)
            {
                var c = table[row * 94 + cell];
                if (c != '\0')
                    map.TryAdd(c, (ushort)(((row + 0x21) << 8) | (cell + 0x21)));
            }
        }
        return map.ToFrozenDictionary();
    }

    // ---- The sets (PS3.3 Table C.12-4 escape sequences) ----

    public static readonly GraphicSet Ascii = new("ISO-IR 6 (ASCII)", 0, false, [0x1B, (byte)'(', (byte)'B'], () => []);

    /// <summary>JIS X 0201 romaji (ISO-IR 14). Decoded as ASCII, like pydicom: 0x5C stays the value delimiter rather than YEN SIGN.</summary>
    public static readonly GraphicSet JisRomaji = new("ISO-IR 14 (JIS X 0201 romaji)", 0, false, [0x1B, (byte)'(', (byte)'J'], () => []);

    /// <summary>JIS X 0201 katakana (ISO-IR 13) in G1: 0xA1..0xDF map to U+FF61..U+FF9F.</summary>
    public static readonly GraphicSet JisKatakana = new("ISO-IR 13 (JIS X 0201 katakana)", 1, false, [0x1B, (byte)')', (byte)'I'], () =>
    {
        var t = new char[128];
        for (var b = 0x80; b <= 0xFF; b++)
            t[b - 0x80] = b is >= 0xA1 and <= 0xDF ? (char)(0xFF61 + b - 0xA1) : '\uFFFD';
        return t;
    });

    /// <summary>An ISO 8859 or TIS 620 96-character set designated to G1 with ESC - F.</summary>
    public static GraphicSet Upper96(string name, char final, int codePage) =>
        new(name, 1, false, [0x1B, (byte)'-', (byte)final], () => HighHalfFromCodePage(codePage));

    /// <summary>A 94×94 set; <paramref name="intermediates"/> follow ESC (e.g. "$B", "$(D", "$)C").</summary>
    public static GraphicSet DoubleByte(string name, int slot, string intermediates, Func<char[]> load, Func<int, bool>? rowEncodable = null)
    {
        var designation = new byte[intermediates.Length + 1];
        designation[0] = 0x1B;
        for (var i = 0; i < intermediates.Length; i++)
            designation[i + 1] = (byte)intermediates[i];
        return new GraphicSet(name, slot, true, designation, load, rowEncodable);
    }

    internal static char[] HighHalfFromCodePage(int codePage)
    {
        var encoding = CodePages.Get(codePage);
        var bytes = new byte[128];
        for (var i = 0; i < 128; i++)
            bytes[i] = (byte)(0x80 + i);
        var chars = encoding.GetChars(bytes);
        if (chars.Length != 128)
            throw new InvalidOperationException($"code page {codePage} is not single-byte");
        for (var i = 0; i < 128; i++)
        {
            if (i < 0x20)
                chars[i] = (char)(0x80 + i); // C1 as in ISO 8859 (cp874 puts Windows punctuation here)
            else if (chars[i] is >= '\uE000' and <= '\uF8FF')
                chars[i] = '\uFFFD';          // .NET maps the holes of 8859-3/6/7/8 and TIS 620 to private use
        }
        return chars;
    }

    /// <summary>Builds a 94×94 table by decoding each cell, with both bytes' high bits set, through an EUC-form code page.</summary>
    internal static char[] CellsFromEucCodePage(int codePage)
    {
        var encoding = CodePages.Get(codePage);
        var cells = new char[94 * 94];
        Span<byte> pair = stackalloc byte[2];
        Span<char> decoded = stackalloc char[4];
        for (var row = 0; row < 94; row++)
        {
            for (var cell = 0; cell < 94; cell++)
            {
                pair[0] = (byte)(0xA1 + row);
                pair[1] = (byte)(0xA1 + cell);
                var n = encoding.GetChars(pair, decoded);
                var c = decoded[0];
                cells[row * 94 + cell] = n == 1 && c != '\uFFFD' && !char.IsSurrogate(c) ? c : '\0';
            }
        }
        return cells;
    }
}
