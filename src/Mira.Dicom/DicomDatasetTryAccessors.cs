using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using Mira.Dicom.Values;

namespace Mira.Dicom;

/// <summary>
/// Typed value access that never throws on a malformed value: each <c>TryGet*</c> returns false where the matching
/// <c>Get*</c> would return nothing or throw (absent element, wrong VR, a value its VR does not allow, a lazy value
/// that cannot be loaded because the input is shorter than it declared). Use these for lenient reading, e.g.
/// extracting geometry from objects of unknown quality; use <c>Get*</c> where a malformed value must be an error.
/// </summary>
public sealed partial class DicomDataset
{
    /// <summary>
    /// The first value of a text element (padding removed, PS3.5 Table 6.2-1); false when the element is absent, has
    /// no value, is not text (PS3.5 §6.2: string VRs and UN), or cannot be read.
    /// </summary>
    public bool TryGetString(DicomTag tag, [NotNullWhen(true)] out string? value)
    {
        value = TryGetStrings(tag, out var values) && values.Length > 0 ? values[0] : null;
        return value is not null;
    }

    /// <summary>
    /// All values of a text element; false when the element is absent, is not text or cannot be read. An empty
    /// element gives true and no values.
    /// </summary>
    public bool TryGetStrings(DicomTag tag, out string[] values)
    {
        values = [];
        if (Find(tag) is not { } e || e is DicomSequence) return false;
        if (!e.HasTextValues && !DicomVRInfo.IsString(e.VR) && e.VR != DicomVR.UN) return false;
        if (!e.HasTextValues && !TryLoad(e)) return false;
        values = e.GetStrings(CharacterSet); // decoding never throws (undecodable bytes become U+FFFD)
        return true;
    }

    /// <summary>
    /// The numeric values of a binary numeric (US, SS, UL, SL, UV, SV, FL, FD, OW, OL, OV, OF, OD) or numeric string
    /// (DS, IS) element as doubles, as <see cref="GetDoubles"/> reads them (a trailing partial binary value is ignored);
    /// false when the element is absent, of another VR, or a string is not a number (PS3.5 Table 6.2-1).
    /// </summary>
    public bool TryGetDoubles(DicomTag tag, out double[] values)
    {
        values = [];
        if (Find(tag) is not { } e || e is DicomSequence) return false;
        if (e.VR is DicomVR.DS or DicomVR.IS)
        {
            if (!TryGetStrings(tag, out var texts)) return false;
            var list = new List<double>(texts.Length);
            foreach (var s in texts)
            {
                if (s.Length == 0) continue;
                if (!DicomNumberString.TryParseDouble(s, out var d)) return false;
                list.Add(d);
            }
            values = [.. list];
            return true;
        }
        if (e.HasTextValues || !TryLoad(e)) return false;
        var b = e.Bytes.Span;
        double[]? r = e.VR switch
        {
            DicomVR.US or DicomVR.OW => ToDoublesLenient<ushort>(b),
            DicomVR.SS => ToDoublesLenient<short>(b),
            DicomVR.UL or DicomVR.OL => ToDoublesLenient<uint>(b),
            DicomVR.SL => ToDoublesLenient<int>(b),
            DicomVR.UV or DicomVR.OV => ToDoublesLenient<ulong>(b),
            DicomVR.SV => ToDoublesLenient<long>(b),
            DicomVR.FL or DicomVR.OF => ToDoublesLenient<float>(b),
            DicomVR.FD or DicomVR.OD => ToDoublesLenient<double>(b),
            _ => null,
        };
        if (r is null) return false;
        values = r;
        return true;
    }

    /// <summary>The first numeric value (see <see cref="TryGetDoubles"/>); false also when the element has no value.</summary>
    public bool TryGetDouble(DicomTag tag, out double value)
    {
        value = TryGetDoubles(tag, out var v) && v.Length > 0 ? v[0] : double.NaN;
        return v.Length > 0;
    }

    /// <summary>The first numeric value truncated to an integer; false also when it is not finite or outside <see cref="int"/>.</summary>
    public bool TryGetInt32(DicomTag tag, out int value)
    {
        value = 0;
        if (!TryGetDouble(tag, out var d) || !double.IsFinite(d) || Math.Abs(d) >= int.MaxValue) return false;
        value = (int)d;
        return true;
    }

    /// <summary>
    /// The values of a binary element as <typeparamref name="T"/> (little endian, as <see cref="GetValues{T}"/>); false
    /// when the element is absent, is text or a sequence, or its length is not a whole number of values.
    /// </summary>
    public bool TryGetValues<T>(DicomTag tag, out T[] values) where T : unmanaged
    {
        values = [];
        if (Find(tag) is not { } e || e is DicomSequence || e.HasTextValues || DicomVRInfo.IsString(e.VR)) return false;
        if (Unsafe.SizeOf<T>() is not (1 or 2 or 4 or 8) || !TryLoad(e) || e.Bytes.Length % Unsafe.SizeOf<T>() != 0) return false;
        values = DicomBinary.GetValues<T>(e.Bytes.Span);
        return true;
    }

    /// <summary>The first value of a binary element as <typeparamref name="T"/> (see <see cref="TryGetValues{T}"/>); false also when it is empty.</summary>
    public bool TryGetValue<T>(DicomTag tag, out T value) where T : unmanaged
    {
        value = default;
        if (!TryGetValues<T>(tag, out var v) || v.Length == 0) return false;
        value = v[0];
        return true;
    }

    /// <summary>The first US value (e.g. Rows, Bits Allocated); see <see cref="TryGetValue{T}"/>.</summary>
    public bool TryGetUInt16(DicomTag tag, out ushort value) => TryGetValue(tag, out value);

    /// <summary>The sequence at <paramref name="tag"/>; false when the element is absent or is not a sequence.</summary>
    public bool TryGetSequence(DicomTag tag, [NotNullWhen(true)] out DicomSequence? sequence)
    {
        sequence = Find(tag) as DicomSequence;
        return sequence is not null;
    }

    /// <summary>The first item of the sequence at <paramref name="tag"/>; false when there is none.</summary>
    public bool TryGetFirstItem(DicomTag tag, [NotNullWhen(true)] out DicomDataset? item)
    {
        item = TryGetSequence(tag, out var s) && s.Items.Count > 0 ? s.Items[0] : null;
        return item is not null;
    }

    /// <summary>Loads a lazy value; false when its source is shorter than declared (a truncated input, <see cref="DicomReadProblemCode.Truncated"/>).</summary>
    static bool TryLoad(DicomElement e)
    {
        if (!e.IsLazy) return true;
        try
        {
            _ = e.Bytes;
            return true;
        }
        catch (DicomFormatException)
        {
            return false;
        }
    }

    static double[] ToDoublesLenient<T>(ReadOnlySpan<byte> b) where T : unmanaged, INumberBase<T>
    {
        var size = Unsafe.SizeOf<T>();
        var values = DicomBinary.GetValues<T>(b[..(b.Length - b.Length % size)]);
        var r = new double[values.Length];
        for (var i = 0; i < r.Length; i++) r[i] = double.CreateTruncating(values[i]);
        return r;
    }
}
