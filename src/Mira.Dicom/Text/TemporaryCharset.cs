using System.Text;

namespace Mira.Dicom.Text;

// Interim stand-in until the full character-set implementation lands (same public API).
public sealed class DicomCharacterSet
{
    readonly Encoding encoding;

    DicomCharacterSet(Encoding e, IReadOnlyList<string> terms)
    {
        encoding = e;
        Terms = terms;
    }

    public static DicomCharacterSet Default { get; } = new(Encoding.Latin1, []);
    public static DicomCharacterSet Utf8 { get; } = new(new UTF8Encoding(false), ["ISO_IR 192"]);
    public IReadOnlyList<string> Terms { get; }
    public bool IsDefaultOrAsciiCompatibleSingleByte => true;

    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms, ICollection<string>? warnings = null) =>
        terms.Any(t => t.Trim() == "ISO_IR 192") ? Utf8 : Default;

    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr) => encoding.GetString(bytes);

    public byte[] Encode(string text, DicomVR vr) => encoding.GetBytes(text);
}
