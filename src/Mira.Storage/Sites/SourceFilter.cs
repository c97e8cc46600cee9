using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mira.Storage.Sites;

/// <summary>
/// What a source site sends to a project: all of its intake (no field set), or the studies of some modalities and/or
/// whose Study Date (0008,0020, DA: YYYYMMDD) lies in an inclusive range. A steward sets it with the source.
/// </summary>
public sealed record SourceFilter(
    [property: JsonPropertyName("modalities")] IReadOnlyList<string>? Modalities = null,
    [property: JsonPropertyName("studyDateFrom")] string? StudyDateFrom = null,
    [property: JsonPropertyName("studyDateTo")] string? StudyDateTo = null)
{
    public static SourceFilter All { get; } = new();

    public bool IsAll => (Modalities is null || Modalities.Count == 0) && StudyDateFrom is null && StudyDateTo is null;

    /// <summary>Null when valid; else what is wrong, naming the field.</summary>
    public string? Validate()
    {
        foreach (var m in Modalities ?? [])
            if (m.Length is 0 or > 16 || !m.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or '_'))
                return $"field 'modalities': '{m}' is not a modality code (CS, PS3.3 §C.7.3.1.1.1)";
        foreach (var (name, value) in new[] { ("studyDateFrom", StudyDateFrom), ("studyDateTo", StudyDateTo) })
            if (value is not null && !DateOnly.TryParseExact(value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return $"field '{name}': '{value}' is not a date YYYYMMDD (DA, PS3.5 §6.2)";
        return null;
    }

    /// <summary>Whether a study with these modalities and date is sent (a study without a date passes no date bound).</summary>
    public bool Admits(IEnumerable<string> studyModalities, string? studyDate)
    {
        if (Modalities is { Count: > 0 } wanted && !studyModalities.Any(m => wanted.Contains(m, StringComparer.Ordinal))) return false;
        if (StudyDateFrom is not null && (studyDate is null || string.CompareOrdinal(studyDate, StudyDateFrom) < 0)) return false;
        if (StudyDateTo is not null && (studyDate is null || string.CompareOrdinal(studyDate, StudyDateTo) > 0)) return false;
        return true;
    }

    public string ToJson() => JsonSerializer.Serialize(this);

    public static SourceFilter FromJson(string json) => JsonSerializer.Deserialize<SourceFilter>(json) ?? All;
}
