using Mira.Dicom.IO;
using Mira.Dicom.Text;

namespace Mira.Dicom;

/// <summary>
/// A data element (PS3.5 §7.1). Binary values are held in little-endian order whatever the source's byte
/// order; text values are held as the bytes read (decoded with the data set's character set on access) or as
/// strings when built in code. Large values may stay in their source until <see cref="Bytes"/> is read.
/// </summary>
public class DicomElement
{
    ValueBytes value;
    string[]? texts;

    public DicomElement(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> value)
    {
        Tag = tag;
        VR = vr;
        this.value = new ValueBytes(value);
    }

    public DicomElement(DicomTag tag, DicomVR vr, LazyValue value)
    {
        Tag = tag;
        VR = vr;
        this.value = new ValueBytes(value);
    }

    /// <summary>A text element built from values (not from bytes); encoded when written.</summary>
    public DicomElement(DicomTag tag, DicomVR vr, params string[] values)
    {
        Tag = tag;
        VR = vr;
        texts = values;
    }

    protected DicomElement(DicomTag tag, DicomVR vr)
    {
        Tag = tag;
        VR = vr;
    }

    public DicomTag Tag { get; }
    public DicomVR VR { get; }

    /// <summary>Byte offset of the element's tag in its source, or -1 when built in code.</summary>
    public long Offset { get; init; } = -1;

    /// <summary>True while the value still waits in its source.</summary>
    public bool IsLazy => value.IsLazy;

    /// <summary>True when the value was given as strings rather than bytes.</summary>
    public bool HasTextValues => texts is not null;

    /// <summary>Length of the value in bytes as held (without padding added on write); for string values, -1.</summary>
    public virtual long Length => texts is not null ? -1 : value.Length;

    /// <summary>The lazy reference (offset, length) when the value has not been loaded.</summary>
    public LazyValue? LazyReference => value.Lazy;

    /// <summary>The value's bytes (little endian), loading a lazy value on first access.</summary>
    public ReadOnlyMemory<byte> Bytes => value.Get();

    /// <summary>The values given as strings, when built from strings.</summary>
    public IReadOnlyList<string>? TextValues => texts;

    /// <summary>Decodes the whole text value with <paramref name="charset"/> (no splitting, no trimming).</summary>
    public string GetText(DicomCharacterSet charset)
    {
        if (texts is not null) return string.Join('\\', texts);
        if (!DicomVRInfo.IsString(VR) && VR != DicomVR.UN) throw new InvalidOperationException($"{Tag} {DicomVRInfo.Code(VR)} is not text");
        var span = Bytes.Span;
        return DicomVRInfo.UsesCharacterSet(VR) ? charset.Decode(span, VR) : DicomCharacterSet.Default.Decode(span, VR);
    }

    /// <summary>
    /// The values of a text element: split on backslash (except LT, ST, UT, UR, PS3.5 §6.4) and stripped of the
    /// padding and non-significant spaces its VR allows (PS3.5 Table 6.2-1).
    /// </summary>
    public string[] GetStrings(DicomCharacterSet charset)
    {
        if (texts is not null) return texts;
        if (Length == 0) return [];
        var whole = GetText(charset);
        if (DicomVRInfo.IsSingleValuedText(VR)) return [TrimValue(whole, VR)];
        var parts = whole.Split('\\');
        for (var i = 0; i < parts.Length; i++) parts[i] = TrimValue(parts[i], VR);
        return parts;
    }

    /// <summary>
    /// Removes padding (PS3.5 Table 6.2-1): trailing spaces and NULs from every value; leading spaces too from the
    /// VRs whose leading spaces are never significant (AE, AS, CS, DA, DS, DT, IS, TM). Text VRs (SH, LO, UC, PN, ST,
    /// LT, UT, UR) and UI keep leading spaces, as dcmtk and pydicom both do.
    /// </summary>
    public static string TrimValue(string s, DicomVR vr) => vr switch
    {
        DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR or DicomVR.UI or
        DicomVR.PN or DicomVR.LO or DicomVR.SH or DicomVR.UC => s.TrimEnd('\0', ' '),
        _ => s.Trim('\0', ' '),
    };

    /// <summary>Value multiplicity: number of values held.</summary>
    public int Count(DicomCharacterSet charset)
    {
        if (texts is not null) return texts.Length;
        if (DicomVRInfo.IsString(VR)) return GetStrings(charset).Length;
        var unit = VR == DicomVR.AT ? 4 : DicomVRInfo.UnitSize(VR);
        return VR is DicomVR.OB or DicomVR.OW or DicomVR.OF or DicomVR.OD or DicomVR.OL or DicomVR.OV or DicomVR.UN
            ? (Length > 0 ? 1 : 0)
            : (int)(Length / unit);
    }

    public override string ToString() => $"{Tag} {DicomVRInfo.Code(VR)} length {Length}";
}

/// <summary>A sequence of items (PS3.5 §7.5).</summary>
public sealed class DicomSequence : DicomElement
{
    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset>? items = null) : base(tag, DicomVR.SQ)
    {
        if (items is not null) foreach (var i in items) Add(i);
    }

    public List<DicomDataset> Items { get; } = [];

    /// <summary>The data set holding this sequence, so items inherit its character set (PS3.5 §6.1.2.5).</summary>
    public DicomDataset? Owner { get; internal set; }

    /// <summary>True when the sequence was read from an explicit VR UN element (PS3.5 §6.2.2).</summary>
    public bool WasUN { get; init; }

    public override long Length => -1;

    public void Add(DicomDataset item)
    {
        item.Parent = this;
        Items.Add(item);
    }
}
