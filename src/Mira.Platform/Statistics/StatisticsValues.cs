using System.Globalization;
using System.Net;

namespace Mira.Platform.Statistics;

/// <summary>
/// How a statistics dimension's value is read from what the index holds. Every absent or unreadable value is
/// <see cref="Unknown"/> (de-identified copies often have them removed).
/// </summary>
public static class StatisticsValues
{
    public const string Unknown = "unknown";

    /// <summary>Patient's Sex (0010,0040): <c>F</c>, <c>M</c>, <c>O</c> (PS3.3 C.7.1.1), else unknown.</summary>
    public static string Sex(string? sex) => sex?.Trim().ToUpperInvariant() is "F" or "M" or "O" ? sex.Trim().ToUpperInvariant() : Unknown;

    /// <summary>The study month <c>yyyy-MM</c> of a Study Date (0008,0020) kept as yyyymmdd.</summary>
    public static string Month(int? studyDate) =>
        studyDate is { } d && d / 10000 is >= 1 and <= 9999 && d / 100 % 100 is >= 1 and <= 12
            ? string.Create(CultureInfo.InvariantCulture, $"{d / 10000:D4}-{d / 100 % 100:D2}")
            : Unknown;

    /// <summary>
    /// Institution Name (0008,0080), trimmed; unknown when absent, empty, or the de-identifier's dummy value
    /// (<see cref="Mira.Deid.DummyValues.Text"/>, which PS3.15 Annex E's action D leaves in a project copy).
    /// </summary>
    public static string Site(string? institutionName) =>
        string.IsNullOrWhiteSpace(institutionName) || institutionName.Trim() == Mira.Deid.DummyValues.Text ? Unknown : institutionName.Trim();

    public static string Modality(string? modality) => string.IsNullOrWhiteSpace(modality) ? Unknown : modality.Trim();

    /// <summary>
    /// The age in whole years at the study: Patient's Age (0010,1010, an AS value <c>nnnD</c>, <c>nnnW</c>,
    /// <c>nnnM</c> or <c>nnnY</c>, PS3.5 §6.2) when present, else from Patient's Birth Date and the Study Date.
    /// </summary>
    public static int? AgeYears(string? patientAge, int? birthDate, int? studyDate)
    {
        if (patientAge is { Length: 4 } a && int.TryParse(a.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            return char.ToUpperInvariant(a[3]) switch { 'Y' => n, 'M' => n / 12, 'W' => n / 52, 'D' => n / 365, _ => null };
        if (birthDate is not { } b || studyDate is not { } s || !IsDate(b) || !IsDate(s) || s < b) return null;
        var years = s / 10000 - b / 10000;
        return s % 10000 < b % 10000 ? years - 1 : years;
    }

    static bool IsDate(int yyyymmdd) => yyyymmdd / 10000 is >= 1 and <= 9999 && yyyymmdd / 100 % 100 is >= 1 and <= 12 && yyyymmdd % 100 is >= 1 and <= 31;

    /// <summary>Ten-year bands <c>0-9</c> … <c>80-89</c>, and <c>90+</c> (ages of 90 and over are one band: few people are that old).</summary>
    public static string AgeBand(string? patientAge, int? birthDate, int? studyDate) => AgeYears(patientAge, birthDate, studyDate) switch
    {
        null => Unknown,
        >= 90 => "90+",
        var y => string.Create(CultureInfo.InvariantCulture, $"{y / 10 * 10}-{y / 10 * 10 + 9}"),
    };

    /// <summary>
    /// The intake route of an instance from its recorded source (<c>instances.source</c>, an <c>IngestSource</c>):
    /// <c>dimse AE</c> (the calling AE title), <c>stow-rs account</c> (the uploading account), or the transport alone
    /// (<c>import</c>, <c>demo</c>, …). Network addresses are left out.
    /// </summary>
    public static string IntakeRoute(string? source)
    {
        var parts = (source ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return Unknown;
        return parts[0] switch
        {
            "dimse" when parts.Length > 1 => "dimse " + parts[1].Split('@')[0],
            "stow-rs" when parts.Length > 1 && !IPAddress.TryParse(parts[^1], out _) => "stow-rs " + parts[^1],
            var transport => transport,
        };
    }
}
