using System.Globalization;
using Mira.Dicom;
using Mira.Dicom.Values;

namespace Mira.Conversion;

/// <summary>Small builders for the binary and numeric-text attributes converted objects carry.</summary>
public static class DicomAttributes
{
    public static DicomElement US(DicomTag tag, params ushort[] values) => new(tag, DicomVR.US, DicomBinary.ToBytes<ushort>(values));

    /// <summary>One US value from an int (checked: a value outside 0 to 65535 is a bug, not a wrap-around).</summary>
    public static DicomElement US(DicomTag tag, int value) => US(tag, checked((ushort)value));

    public static DicomElement UL(DicomTag tag, params uint[] values) => new(tag, DicomVR.UL, DicomBinary.ToBytes<uint>(values));

    public static DicomElement FD(DicomTag tag, params double[] values) => new(tag, DicomVR.FD, DicomBinary.ToBytes<double>(values));

    public static DicomElement FL(DicomTag tag, params float[] values) => new(tag, DicomVR.FL, DicomBinary.ToBytes<float>(values));

    /// <summary>An AT value: the tags, each as group then element.</summary>
    public static DicomElement AT(DicomTag tag, params DicomTag[] values) => new(tag, DicomVR.AT, DicomBinary.TagsToBytes(values.Select(t => t.Value).ToArray()));

    /// <summary>A code sequence item (PS3.3 §8.8).</summary>
    public static DicomDataset Code(string value, string scheme, string meaning) => new DicomDataset()
        .Set(DicomTags.CodeValue, value).Set(DicomTags.CodingSchemeDesignator, scheme).Set(DicomTags.CodeMeaning, meaning);

    public static DicomSequence Sequence(DicomTag tag, params DicomDataset[] items) => new(tag, items);

    /// <summary>
    /// A Decimal String value (PS3.5 §6.2: at most 16 characters): the shortest round-trip text when it fits, else
    /// as many significant digits as fit (a position of -123.4567890123 keeps 1e-10 mm).
    /// </summary>
    public static string Ds(double v)
    {
        if (!double.IsFinite(v)) throw new ArgumentOutOfRangeException(nameof(v), v, "a Decimal String holds finite numbers");
        if (v == 0) return "0";
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        for (var digits = 15; s.Length > 16 && digits > 0; digits--) s = v.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return s;
    }

    public static string[] Ds(IEnumerable<double> values) => values.Select(Ds).ToArray();

    public static string Is(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A Long String (at most 64 characters), backslashes (the value delimiter) replaced.</summary>
    public static string Lo(string s)
    {
        s = s.Replace('\\', '/').Trim();
        return s.Length > 64 ? s[..64] : s;
    }
}
