using System.Globalization;

namespace Mira.Server.Web;

/// <summary>How pages show DICOM values.</summary>
public static class WebFormat
{
    /// <summary>A DA value (YYYYMMDD, PS3.5 §6.2) as YYYY-MM-DD; anything else as it is.</summary>
    public static string Date(string? da) =>
        da is { Length: 8 } && DateTime.TryParseExact(da, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : da ?? "";

    /// <summary>A moment to the minute, in UTC (the server's clock; a browser's zone is not known to the page).</summary>
    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The day of a moment (UTC).</summary>
    public static string Day(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
