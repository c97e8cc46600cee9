using System.Text.Json.Nodes;

namespace Mira.Server.Tests;

/// <summary>
/// Statistics recomputed from QIDO-RS answers alone (PS3.18 §10.6): every series with its study, modality, Study
/// Date, Institution Name and Number of Series Related Instances, and the per-modality and per-month study searches.
/// </summary>
public static class StatisticsQido
{
    public sealed record Series(string Study, string Patient, string Modality, string Month, string Site, long Instances);

    static string? Value(JsonNode? ds, string tag) => ds?[tag]?["Value"]?[0] switch
    {
        JsonObject pn => pn["Alphabetic"]?.ToString(),
        JsonNode v => v.ToString(),
        null => null,
    };

    public static async Task<List<Series>> SeriesAsync(HttpClient client, string dicomweb)
    {
        var found = JsonNode.Parse(await client.GetStringAsync($"{dicomweb}/series?includefield=0020000D,00080020,00080080,00100020,00100010"))!.AsArray();
        return [.. found.Select(s => new Series(Value(s, "0020000D")!, Value(s, "00100020") + "|" + Value(s, "00100010"), Value(s, "00080060") ?? "unknown",
            Value(s, "00080020") is { Length: 8 } d ? $"{d[..4]}-{d[4..6]}" : "unknown",
            string.IsNullOrWhiteSpace(Value(s, "00080080")) ? "unknown" : Value(s, "00080080")!.Trim(), long.Parse(Value(s, "00201209")!)))];
    }

    /// <summary>key → (studies, series, instances), ordered by key.</summary>
    public static List<(string Key, long Studies, long Series, long Instances)> By(IEnumerable<Series> series, Func<Series, string> key) =>
    [
        .. series.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (long)g.Select(s => s.Study).Distinct().Count(), (long)g.Count(), g.Sum(s => s.Instances))),
    ];

    public static List<(string Key, long Studies, long Series, long Instances)> Rows(JsonNode breakdown) =>
    [
        .. breakdown.AsArray().Select(b => (b!["key"]!.ToString(), (long)b["studies"]!, (long)b["series"]!, (long)b["instances"]!)),
    ];

    static async Task<int> CountAsync(HttpClient client, string url) => JsonNode.Parse(await client.GetStringAsync(url))!.AsArray().Count;

    /// <summary>Asserts that <c>GET /api/statistics</c>'s intake numbers are QIDO-RS's, and returns the series QIDO-RS found.</summary>
    public static async Task<List<Series>> AssertIntakeEqualsQidoAsync(HttpClient client, JsonNode stats)
    {
        var series = await SeriesAsync(client, "/dicomweb");
        var totals = stats["totals"]!;
        Assert.Equal(await CountAsync(client, "/dicomweb/studies"), (int)totals["studies"]!);
        Assert.Equal(series.Count, (int)totals["series"]!);
        Assert.Equal(await CountAsync(client, "/dicomweb/instances"), (long)totals["instances"]!);
        Assert.Equal(series.Sum(s => s.Instances), (long)totals["instances"]!);
        Assert.Equal(series.Select(s => s.Patient).Distinct().Count(), (int)totals["patients"]!);
        Assert.Equal(By(series, s => s.Modality), Rows(stats["byModality"]!));
        Assert.Equal(By(series, s => s.Site), Rows(stats["bySite"]!));
        Assert.Equal(By(series, s => s.Month), Rows(stats["byMonth"]!));
        foreach (var m in stats["byModality"]!.AsArray())
            Assert.Equal(await CountAsync(client, $"/dicomweb/studies?ModalitiesInStudy={m!["key"]}"), (int)m["studies"]!);
        foreach (var m in stats["byMonth"]!.AsArray().Where(m => m!["key"]!.ToString() != "unknown"))
        {
            var month = DateOnly.ParseExact(m!["key"]!.ToString() + "-01", "yyyy-MM-dd");
            Assert.Equal(await CountAsync(client, $"/dicomweb/studies?StudyDate={month:yyyyMMdd}-{month.AddMonths(1).AddDays(-1):yyyyMMdd}"), (int)m["studies"]!);
        }
        return series;
    }
}
