using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Mira.Dicom.Values;

namespace Mira.Dicom;

/// <summary>Typed value access on a data set.</summary>
public sealed partial class DicomDataset
{
    /// <summary>All values of a text element, padding removed; empty when absent or empty.</summary>
    public string[] GetStrings(DicomTag tag) => Find(tag) is { } e ? e.GetStrings(CharacterSet) : [];

    /// <summary>The first value of a text element, or null when absent or empty.</summary>
    public string? GetString(DicomTag tag)
    {
        var v = GetStrings(tag);
        return v.Length > 0 ? v[0] : null;
    }

    /// <summary>The sequence at <paramref name="tag"/>, or null.</summary>
    public DicomSequence? GetSequence(DicomTag tag) => Find(tag) as DicomSequence;

    /// <summary>Numeric values of a binary (US, SS, UL, SL, UV, SV, FL, FD, OW…) or numeric string (DS, IS) element, as doubles.</summary>
    public double[] GetDoubles(DicomTag tag)
    {
        if (Find(tag) is not { } e) return [];
        if (e.VR is DicomVR.DS or DicomVR.IS)
            return e.GetStrings(CharacterSet).Where(s => s.Length > 0).Select(s => DicomNumberString.TryParseDouble(s, out var d) ? d
                : throw new DicomFormatException($"'{s}' is not a {DicomVRInfo.Code(e.VR)} number", tag, e.Offset)).ToArray();
        var b = e.Bytes.Span;
        return e.VR switch
        {
            DicomVR.US or DicomVR.OW => Convert(MemoryMarshal.Cast<byte, ushort>(b[..(b.Length & ~1)]), x => x),
            DicomVR.SS => Convert(MemoryMarshal.Cast<byte, short>(b[..(b.Length & ~1)]), x => x),
            DicomVR.UL or DicomVR.OL => Convert(MemoryMarshal.Cast<byte, uint>(b[..(b.Length & ~3)]), x => x),
            DicomVR.SL => Convert(MemoryMarshal.Cast<byte, int>(b[..(b.Length & ~3)]), x => x),
            DicomVR.UV or DicomVR.OV => Convert(MemoryMarshal.Cast<byte, ulong>(b[..(b.Length & ~7)]), x => x),
            DicomVR.SV => Convert(MemoryMarshal.Cast<byte, long>(b[..(b.Length & ~7)]), x => x),
            DicomVR.FL or DicomVR.OF => Convert(MemoryMarshal.Cast<byte, float>(b[..(b.Length & ~3)]), x => x),
            DicomVR.FD or DicomVR.OD => Convert(MemoryMarshal.Cast<byte, double>(b[..(b.Length & ~7)]), x => x),
            _ => throw new InvalidOperationException($"{tag} {DicomVRInfo.Code(e.VR)} is not numeric"),
        };
    }

    static double[] Convert<T>(ReadOnlySpan<T> s, Func<T, double> f)
    {
        var r = new double[s.Length];
        for (var i = 0; i < s.Length; i++) r[i] = f(s[i]);
        return r;
    }

    public double? GetDouble(DicomTag tag) => GetDoubles(tag) is { Length: > 0 } v ? v[0] : null;

    public int? GetInt32(DicomTag tag) => GetDouble(tag) is { } d ? (int)d : null;

    /// <summary>A DA value (PS3.5 Table 6.2-1), or null when absent, empty or malformed.</summary>
    public DicomDate? GetDate(DicomTag tag) => GetString(tag) is { } s && DicomDate.TryParse(s, out var v) ? v : null;

    /// <summary>A TM value, or null when absent, empty or malformed.</summary>
    public DicomTime? GetTime(DicomTag tag) => GetString(tag) is { } s && DicomTime.TryParse(s, out var v) ? v : null;

    /// <summary>A DT value, or null when absent, empty or malformed.</summary>
    public DicomDateTime? GetDateTime(DicomTag tag) => GetString(tag) is { } s && DicomDateTime.TryParse(s, out var v) ? v : null;

    /// <summary>An AS value, or null when absent, empty or malformed.</summary>
    public DicomAge? GetAge(DicomTag tag) => GetString(tag) is { } s && DicomAge.TryParse(s, out var v) ? v : null;

    /// <summary>Attribute tags of an AT element (PS3.5 §6.2: pairs of 16-bit group and element).</summary>
    public DicomTag[] GetTags(DicomTag tag)
    {
        if (Find(tag) is not { } e) return [];
        var b = e.Bytes.Span;
        var r = new DicomTag[b.Length / 4];
        for (var i = 0; i < r.Length; i++)
            r[i] = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 4)..]), BinaryPrimitives.ReadUInt16LittleEndian(b[(i * 4 + 2)..]));
        return r;
    }
}
