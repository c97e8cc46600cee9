using System.Text.Json;
using System.Text.RegularExpressions;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>A new phase's fields, as a steward asks for them.</summary>
public sealed record PhaseRequest(string Id, string Title, string Project, string ReleaseId, string Protocol, string? RankingMetric,
    DateTimeOffset? Opens, DateTimeOffset? Closes, int MaxSubmissions, int MaxPerDay);

/// <summary>What a phase scores with, kept with it as JSON: the ranking metric and its direction.</summary>
public sealed record PhaseSpec(string RankingMetric, bool HigherIsBetter)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static PhaseSpec FromJson(string json) => JsonSerializer.Deserialize<PhaseSpec>(json, Json) ?? throw new InvalidDataException("an empty phase spec");

    /// <summary>The ranking metrics a phase may use (per-case metrics averaged over the test set).</summary>
    public static IReadOnlyList<string> Metrics { get; } = ["dice", "surface_dice", "hd95_mm", "hausdorff_mm", "reference_class_score"];

    public static PhaseSpec For(string? metric)
    {
        var m = metric ?? "dice";
        if (!Metrics.Contains(m)) throw new ArgumentException($"field 'rankingMetric': '{m}' is not one of {string.Join(", ", Metrics)}");
        return new PhaseSpec(m, EvaluationEngine.HigherIsBetter(m));
    }
}

/// <summary>Parsing of phase requests (the REST body and the CLI share it).</summary>
public static partial class PhaseRequests
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex IdPattern();

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    /// <summary>Reads a JSON body; every problem names its field. Defaults: open now, no close, 5 submissions, 1 a day.</summary>
    public static PhaseRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new ArgumentException("the body must be a JSON object {id, title, project, release, protocol, ...}");
        string Req(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s.Trim() : throw new ArgumentException($"field '{name}' is required (a string)");
        string? Opt(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int Int(string name, int fallback, int max) => !body.TryGetProperty(name, out var v) ? fallback
            : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 1 && n <= max ? n
            : throw new ArgumentException($"field '{name}' must be an integer from 1 to {max}");
        DateTimeOffset? Time(string name) => Opt(name) is { } t
            ? DateTimeOffset.TryParse(t, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d
                : throw new ArgumentException($"field '{name}' is not an ISO 8601 time: '{t}'")
            : null;
        var id = Req("id");
        if (!IsValidId(id)) throw new ArgumentException($"field 'id': '{id}' is not a slug (2-63 of a-z, 0-9, '-')");
        var title = Req("title");
        if (title.Length > 200) throw new ArgumentException("field 'title' is longer than 200 characters");
        var request = new PhaseRequest(id, title, Req("project"), Req("release"), Req("protocol"), Opt("rankingMetric"), Time("opens"), Time("closes"),
            Int("maxSubmissions", 5, 1000), Int("maxPerDay", 1, 100));
        if (request.Opens is { } o && request.Closes is { } c && c <= o) throw new ArgumentException("field 'closes' must be after 'opens'");
        PhaseSpec.For(request.RankingMetric);
        return request;
    }
}
