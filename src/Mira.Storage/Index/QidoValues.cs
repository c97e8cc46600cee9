using System.Globalization;
using Mira.Dicom.Values;

namespace Mira.Storage.Index;

/// <summary>How DA, TM and IS values are kept in index columns so that ranges compare as numbers.</summary>
public static class QidoValues
{
    /// <summary>DA (PS3.5 Table 6.2-1) as the integer yyyymmdd, or null when absent or malformed.</summary>
    public static int? DateKey(string? da) => da is not null && DicomDate.TryParse(da, out var d) ? DateKey(d) : null;

    public static int DateKey(DicomDate d) => d.Year * 10000 + d.Month * 100 + d.Day;

    /// <summary>TM as microseconds since midnight of the start of the period it denotes, or null.</summary>
    public static long? TimeKey(string? tm) => tm is not null && DicomTime.TryParse(tm, out var t) ? t.Start.Ticks / 10 : null;

    /// <summary>IS as an integer, or null.</summary>
    public static int? IntKey(string? s) =>
        s is not null && long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v is >= int.MinValue and <= int.MaxValue ? (int)v : null;
}
