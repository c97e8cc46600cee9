using System.Numerics;
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
                : throw new DicomFormatException(DicomReadProblemCode.InvalidValue, $"'{s}' is not a {DicomVRInfo.Code(e.VR)} number", tag, e.Offset)).ToArray();
        var b = e.Bytes.Span;
        return e.VR switch
        {
            DicomVR.US or DicomVR.OW => ToDoubles<ushort>(b),
            DicomVR.SS => ToDoubles<short>(b),
            DicomVR.UL or DicomVR.OL => ToDoubles<uint>(b),
            DicomVR.SL => ToDoubles<int>(b),
            DicomVR.UV or DicomVR.OV => ToDoubles<ulong>(b),
            DicomVR.SV => ToDoubles<long>(b),
            DicomVR.FL or DicomVR.OF => ToDoubles<float>(b),
            DicomVR.FD or DicomVR.OD => ToDoubles<double>(b),
            _ => throw new InvalidOperationException($"{tag} {DicomVRInfo.Code(e.VR)} is not numeric"),
        };
    }

    static double[] ToDoubles<T>(ReadOnlySpan<byte> b) where T : unmanaged, INumberBase<T>
    {
        var values = DicomBinary.AsValues<T>(b[..(b.Length - b.Length % System.Runtime.CompilerServices.Unsafe.SizeOf<T>())]);
        var r = new double[values.Length];
        for (var i = 0; i < values.Length; i++) r[i] = double.CreateTruncating(values[i]);
        return r;
    }

    /// <summary>The values of a binary element as <typeparamref name="T"/> (e.g. ushort for US, float for FL/OF), little endian.</summary>
    public T[] GetValues<T>(DicomTag tag) where T : unmanaged =>
        Find(tag) is { } e ? DicomBinary.GetValues<T>(e.Bytes.Span) : [];

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
    public DicomTag[] GetTags(DicomTag tag) =>
        Find(tag) is { } e ? DicomBinary.GetTags(e.Bytes.Span[..(e.Bytes.Length & ~3)]).Select(v => new DicomTag(v)).ToArray() : [];

    /// <summary>A PN value split into its component groups and components, or null when absent or empty.</summary>
    public DicomPersonName? GetPersonName(DicomTag tag) => GetString(tag) is { } s ? DicomPersonName.Parse(s) : null;
}
