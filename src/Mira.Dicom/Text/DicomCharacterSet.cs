using System.Buffers;
using System.Collections.Concurrent;
using System.Text;

namespace Mira.Dicom.Text;

/// <summary>
/// A Specific Character Set (0008,0005): decodes and encodes the values of the VRs it affects
/// (SH, LO, ST, LT, PN, UC, UT; PS3.5 §6.1.2.3). Supports the single-byte sets without code extensions
/// (PS3.3 Table C.12-2), ISO 2022 with code extensions (Tables C.12-3/C.12-4, PS3.5 §6.1.2.5, Annexes H, I, K),
/// and the sets that forbid extensions: ISO_IR 192 (UTF-8), GB18030 and GBK (PS3.5 Annex J, Table C.12-5).
/// Instances are immutable, thread-safe and cached per distinct set of terms.
/// </summary>
public sealed class DicomCharacterSet
{
    private enum Kind { SingleByte, Iso2022, WholeValue }

    private static readonly SearchValues<byte> EscOrHigh = SearchValues.Create(BuildEscOrHigh());
    private static readonly ConcurrentDictionary<string, DicomCharacterSet> Cache = new(StringComparer.Ordinal);

    private readonly Kind _kind;
    private readonly char[]? _table;           // SingleByte: 256 chars
    private readonly Iso2022Profile? _profile; // SingleByte and Iso2022
    private readonly Encoding? _encoding;      // WholeValue
    private readonly string _termsText;

    private DicomCharacterSet(IReadOnlyList<string> terms, IReadOnlyList<CodeElement> elements)
    {
        Terms = terms;
        _termsText = string.Join('\\', terms);
        var first = elements[0];
        if (first.IsWholeValue)
        {
            _kind = Kind.WholeValue;
            _encoding = first.WholeValue;
            return;
        }
        _profile = new Iso2022Profile(elements);
        if (elements.Count == 1 && !first.UsesExtensions)
        {
            _kind = Kind.SingleByte;
            _table = new char[256];
            for (var b = 0; b < 0x80; b++)
                _table[b] = (char)b;
            if (first.G1 is null)
                for (var b = 0x80; b < 0x100; b++)
                    _table[b] = (char)b; // ISO_IR 6: bytes above 0x7F read as ISO 8859-1, leniently (as pydicom does)
            else
                first.G1.HighHalf.CopyTo(_table.AsSpan(0x80));
            IsDefaultOrAsciiCompatibleSingleByte = true;
        }
        else
        {
            _kind = Kind.Iso2022;
        }
    }

    /// <summary>The default repertoire, ISO_IR 6 (PS3.5 §6.1.2.2), used when (0008,0005) is absent or empty.</summary>
    public static DicomCharacterSet Default { get; } = new([], [CharacterSetTerms.DefaultElement]);

    /// <summary>ISO_IR 192, Unicode in UTF-8 (PS3.3 Table C.12-5).</summary>
    public static DicomCharacterSet Utf8 { get; } = FromTerms(["ISO_IR 192"]);

    /// <summary>The canonical Defined Terms in effect ("" for an empty value 1); empty for <see cref="Default"/>. Suitable for writing (0008,0005).</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>
    /// True for the default repertoire and single-byte sets without code extensions (e.g. ISO_IR 100): every byte is one
    /// character, bytes below 0x80 are ASCII, and there is no escape-sequence state, so ASCII bytes can be widened directly.
    /// </summary>
    public bool IsDefaultOrAsciiCompatibleSingleByte { get; }

    /// <summary>
    /// Builds the set for the values of (0008,0005) as read, e.g. ["ISO_IR 100"] or ["", "ISO 2022 IR 87"]
    /// (PS3.3 C.12.1.1.2). Never throws: case, '-'/'_'/space and padding variants of Defined Terms are accepted; unknown
    /// terms are dropped (an unknown value 1 means the default repertoire); each such repair adds a warning.
    /// </summary>
    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms, ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0 || (terms.Count == 1 && (terms[0] ?? string.Empty).Trim(' ', '\0').Length == 0))
            return Default;
        var elements = new List<CodeElement>();
        var firstIsDefault = false; // value 1 empty or unknown: the default repertoire, written back as ""
        for (var i = 0; i < terms.Count; i++)
        {
            var raw = terms[i] ?? string.Empty;
            var element = raw.Trim(' ', '\0').Length == 0 ? null : CharacterSetTerms.Resolve(raw, warnings);
            if (i == 0)
            {
                firstIsDefault = element is null;
                elements.Add(element ?? CharacterSetTerms.DefaultElement);
                continue;
            }
            if (element is null || elements.Contains(element))
                continue;
            if (element.IsWholeValue || elements[0].IsWholeValue)
            {
                warnings?.Add($"Specific Character Set term '{element.Term}' cannot be combined with '{elements[0].Term}' " +
                              "(ISO_IR 192, GB18030 and GBK allow no code extensions, PS3.3 C.12.1.1.2); ignored.");
                continue;
            }
            elements.Add(element);
        }
        if (elements.Count == 1 && elements[0] == CharacterSetTerms.DefaultElement)
            return Default;
        if (elements.Count > 1)
        {
            for (var i = 0; i < elements.Count; i++)
            {
                var extended = CharacterSetTerms.WithExtensions(elements[i]);
                if (extended != elements[i] && !(i == 0 && firstIsDefault))
                    warnings?.Add($"Specific Character Set term '{elements[i].Term}' used with code extensions; read as '{extended.Term}'.");
                elements[i] = extended;
            }
        }
        var canonical = new string[elements.Count];
        for (var i = 0; i < elements.Count; i++)
            canonical[i] = i == 0 && firstIsDefault ? string.Empty : elements[i].Term;
        var key = string.Join('\\', canonical);
        return Cache.GetOrAdd(key, _ => new DicomCharacterSet(canonical, elements));
    }

    /// <summary>
    /// Decodes one element's whole value (all values; backslashes kept) for <paramref name="vr"/>. String VRs that
    /// Specific Character Set does not affect (AE, CS, DA, UI…) are read with the default repertoire. With ISO 2022 the
    /// state returns to value 1 at '\', CR, LF, TAB, FF (and at '^' and '=' for PN) per PS3.5 §6.1.2.5.3; in LT, ST,
    /// UT and UR '\' is text, not a delimiter. Never throws; undecodable bytes become U+FFFD.
    /// </summary>
    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        if (bytes.IsEmpty)
            return string.Empty;
        var set = DicomVRInfo.IsString(vr) && !DicomVRInfo.UsesCharacterSet(vr) ? Default : this;
        switch (set._kind)
        {
            case Kind.WholeValue:
                return Ascii.IsValid(bytes) ? Encoding.Latin1.GetString(bytes) : set._encoding!.GetString(bytes);
            case Kind.SingleByte:
            {
                var special = bytes.IndexOfAny(EscOrHigh);
                if (special < 0)
                    return Encoding.Latin1.GetString(bytes);
                if (bytes[special..].Contains((byte)0x1B)) // escape sequences in a set without extensions: honour them leniently
                    return Iso2022Decoder.Decode(bytes, set._profile!, vr == DicomVR.PN, !DicomVRInfo.IsSingleValuedText(vr));
                return set.MapSingleBytes(bytes);
            }
            default:
                return bytes.IndexOfAny(EscOrHigh) < 0
                    ? Encoding.Latin1.GetString(bytes)
                    : Iso2022Decoder.Decode(bytes, set._profile!, vr == DicomVR.PN, !DicomVRInfo.IsSingleValuedText(vr));
        }
    }

    /// <summary>
    /// Encodes text for writing an element of <paramref name="vr"/>; no padding is added. ISO 2022 sets get the escape
    /// sequences they need and return to value 1's G0 before delimiters and at the end (PS3.5 §6.1.2.5.3).
    /// Throws <see cref="ArgumentException"/> naming the first character the set cannot represent.
    /// </summary>
    public byte[] Encode(string text, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
            return [];
        var set = DicomVRInfo.IsString(vr) && !DicomVRInfo.UsesCharacterSet(vr) ? Default : this;
        if (set._kind == Kind.WholeValue)
            return set.EncodeWhole(text);
        var ascii = Ascii.IsValid(text) && !text.Contains('\u001B');
        if (ascii)
            return Encoding.ASCII.GetBytes(text);
        if (set._kind == Kind.Iso2022)
            return Iso2022Encoder.Encode(text, set._profile!, vr == DicomVR.PN, !DicomVRInfo.IsSingleValuedText(vr), set._termsText);
        var g1 = set._profile!.InitialG1;
        var result = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < 0x80 && c != '\u001B')
                result[i] = (byte)c;
            else if (g1 is not null && g1.TryEncode(c, out var code))
                result[i] = (byte)code;
            else
                throw Iso2022Encoder.Unencodable(text, i, set._termsText);
        }
        return result;
    }

    public override string ToString() => Terms.Count == 0 ? "ISO_IR 6 (default)" : _termsText;

    /// <summary>Every non-ASCII character this set can encode (for tests and diagnostics).</summary>
    internal IReadOnlyList<char> NonAsciiRepertoire()
    {
        if (_kind == Kind.WholeValue)
            throw new InvalidOperationException("whole-value encodings cover all of Unicode (UTF-8) or most of it (GB18030, GBK)");
        return _profile!.EncodeOrder.Concat(_profile.InitialG1 is { } g1 ? [g1] : [])
            .SelectMany(s => s.Repertoire).Where(c => c >= 0x80).Distinct().Order().ToArray();
    }

    private string MapSingleBytes(ReadOnlySpan<byte> bytes)
    {
        char[]? rented = null;
        Span<char> buffer = bytes.Length <= 512 ? stackalloc char[bytes.Length] : (rented = ArrayPool<char>.Shared.Rent(bytes.Length));
        var table = _table!;
        for (var i = 0; i < bytes.Length; i++)
            buffer[i] = table[bytes[i]];
        var result = new string(buffer[..bytes.Length]);
        if (rented is not null)
            ArrayPool<char>.Shared.Return(rented);
        return result;
    }

    private byte[] EncodeWhole(string text)
    {
        try
        {
            return _encoding!.GetBytes(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw Iso2022Encoder.Unencodable(text, ex.Index < 0 ? 0 : ex.Index, _termsText);
        }
    }

    private static byte[] BuildEscOrHigh()
    {
        var values = new byte[129];
        values[0] = 0x1B;
        for (var b = 0x80; b <= 0xFF; b++)
            values[b - 0x7F] = (byte)b;
        return values;
    }
}
