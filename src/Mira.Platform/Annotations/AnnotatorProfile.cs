using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mira.Platform.Annotations;

/// <summary>A training an annotator completed, and when.</summary>
public sealed record TrainingRecord(string Name, DateOnly Date);

/// <summary>An assessment an annotator took: its name, score and date.</summary>
public sealed record AssessmentRecord(string Name, double Score, DateOnly Date);

/// <summary>
/// An annotator's record (YY/T 1833.3-2022 and the NMPA guideline ask for qualified, trained annotators): title,
/// specialty, years of experience, institution, trainings done and assessment results. Stewards keep it; it is shown to
/// stewards and exported with datasets.
/// </summary>
public sealed record AnnotatorProfile(
    string User, string? Title, string? Specialty, int? YearsOfExperience, string? Institution,
    IReadOnlyList<TrainingRecord> Training, IReadOnlyList<AssessmentRecord> Assessments)
{
    public const int MaxText = 256, MaxItems = 200;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static AnnotatorProfile FromJson(string json) => JsonSerializer.Deserialize<AnnotatorProfile>(json, Json)!;

    /// <summary>
    /// Reads <c>{"title", "specialty", "yearsOfExperience", "institution", "training": [{"name", "date"}],
    /// "assessments": [{"name", "score", "date"}]}</c> (dates <c>yyyy-MM-dd</c>).
    /// </summary>
    /// <exception cref="AnnotationRefusedException">A field of the wrong type or out of range; the message names it.</exception>
    public static AnnotatorProfile Parse(string user, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw AnnotationRefusedException.Invalid("the annotator record is a JSON object");
        int? years = null;
        if (body.TryGetProperty("yearsOfExperience", out var y) && y.ValueKind != JsonValueKind.Null)
        {
            if (y.ValueKind != JsonValueKind.Number || !y.TryGetInt32(out var n) || n is < 0 or > 80)
                throw AnnotationRefusedException.Invalid("field 'yearsOfExperience': a whole number from 0 to 80");
            years = n;
        }
        var training = Items(body, "training", (e, i) => new TrainingRecord(Text(e, "name", $"training[{i}]") ?? throw Missing($"training[{i}].name"),
            Date(e, $"training[{i}]")));
        var assessments = Items(body, "assessments", (e, i) =>
        {
            if (!e.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number || !double.IsFinite(s.GetDouble()))
                throw AnnotationRefusedException.Invalid($"field 'assessments[{i}].score': a number is required");
            return new AssessmentRecord(Text(e, "name", $"assessments[{i}]") ?? throw Missing($"assessments[{i}].name"), s.GetDouble(), Date(e, $"assessments[{i}]"));
        });
        return new AnnotatorProfile(user, Text(body, "title", null), Text(body, "specialty", null), years, Text(body, "institution", null), training, assessments);
    }

    static AnnotationRefusedException Missing(string field) => AnnotationRefusedException.Invalid($"field '{field}': a non-empty string is required");

    static string? Text(JsonElement e, string name, string? owner)
    {
        var field = owner is null ? name : $"{owner}.{name}";
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.String) throw AnnotationRefusedException.Invalid($"field '{field}': a string is required");
        var s = v.GetString()!.Trim();
        if (s.Length > MaxText) throw AnnotationRefusedException.Invalid($"field '{field}': at most {MaxText} characters");
        return s.Length == 0 ? null : s;
    }

    static DateOnly Date(JsonElement e, string owner)
    {
        if (!e.TryGetProperty("date", out var v) || v.ValueKind != JsonValueKind.String
            || !DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            throw AnnotationRefusedException.Invalid($"field '{owner}.date': a date yyyy-MM-dd is required");
        return d;
    }

    static IReadOnlyList<T> Items<T>(JsonElement body, string name, Func<JsonElement, int, T> read)
    {
        if (!body.TryGetProperty(name, out var a) || a.ValueKind == JsonValueKind.Null) return [];
        if (a.ValueKind != JsonValueKind.Array) throw AnnotationRefusedException.Invalid($"field '{name}': an array is required");
        if (a.GetArrayLength() > MaxItems) throw AnnotationRefusedException.Invalid($"field '{name}': at most {MaxItems} items");
        return [.. a.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Object ? read(e, i) : throw AnnotationRefusedException.Invalid($"field '{name}[{i}]': an object is required"))];
    }
}
