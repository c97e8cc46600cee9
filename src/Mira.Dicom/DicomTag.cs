namespace Mira.Dicom;

/// <summary>A data element tag (PS3.5 §7.1): group and element number packed as <c>gggg eeee</c>.</summary>
public readonly record struct DicomTag(uint Value) : IComparable<DicomTag>
{
    public DicomTag(ushort group, ushort element) : this(((uint)group << 16) | element) { }

    public ushort Group => (ushort)(Value >> 16);
    public ushort Element => (ushort)Value;

    /// <summary>Private tags have an odd group number (PS3.5 §7.8).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group != 0xFFFF;

    /// <summary>A private creator element: (gggg,0010)–(gggg,00FF) in an odd group (PS3.5 §7.8.1).</summary>
    public bool IsPrivateCreator => IsPrivate && Element >= 0x0010 && Element <= 0x00FF;

    /// <summary>Group length elements (gggg,0000), retired in data sets but still met in files.</summary>
    public bool IsGroupLength => Element == 0x0000;

    /// <summary>For a private data element (gggg,xxee), the tag of its creator (gggg,00xx).</summary>
    public DicomTag PrivateCreatorTag => new(Group, (ushort)(Element >> 8));

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>The PS3.18 JSON key form, e.g. <c>0010001F</c>.</summary>
    public string ToJsonKey() => Value.ToString("X8");

    public override string ToString() => $"({Group:X4},{Element:X4})";

    public static bool operator <(DicomTag a, DicomTag b) => a.Value < b.Value;
    public static bool operator >(DicomTag a, DicomTag b) => a.Value > b.Value;
    public static bool operator <=(DicomTag a, DicomTag b) => a.Value <= b.Value;
    public static bool operator >=(DicomTag a, DicomTag b) => a.Value >= b.Value;

    public static readonly DicomTag Item = new(0xFFFEE000);
    public static readonly DicomTag ItemDelimitation = new(0xFFFEE00D);
    public static readonly DicomTag SequenceDelimitation = new(0xFFFEE0DD);

    /// <summary>Parses <c>(gggg,eeee)</c>, <c>gggg,eeee</c> or <c>ggggeeee</c>.</summary>
    public static bool TryParse(string text, out DicomTag tag)
    {
        tag = default;
        var s = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length != 8) return false;
        if (!uint.TryParse(s, System.Globalization.NumberStyles.HexNumber, null, out var v)) return false;
        tag = new DicomTag(v);
        return true;
    }
}
