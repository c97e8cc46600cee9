using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mira.Platform.Statistics;
using Mira.Testing;
using static Mira.Server.Tests.Dicomweb;

namespace Mira.Server.Tests;

/// <summary>
/// The bench studies of ../shared/bench/gen_bench_data.py (CT, MR, PET at scale 0.05 and 24 fundus photographs of 12
/// patients: 15 studies, 75 instances, four institutions, both sexes, many ages), stored over STOW-RS into a fresh
/// archive; then copied into a research project for the auditor's aggregate queries.
/// </summary>
public sealed class StatisticsBenchArchive : TestArchive
{
    public string Data { get; } = Directory.CreateTempSubdirectory("mira-statistics-bench-").FullName;
    public int Files { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Archive.Accounts.CreateUserAsync("auditor", UserPassword, [Roles.Auditor]);
        await Task.Run(() => ExternalTool.Run("/usr/bin/python3", Path.Combine(Corpus.SharedRoot, "bench", "gen_bench_data.py"), Data,
            "--only", "ct,mr,pet,fundus", "--scale", "0.05", "--fundus-count", "24", "--jobs", "1"));
        var files = Directory.GetFiles(Data, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Files = files.Count;
        foreach (var batch in files.Chunk(10))
        {
            var r = await Stow(Admin, "/dicomweb/studies", [.. batch.Select(File.ReadAllBytes)]);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(Data, true); } catch (IOException) { }
    }
}

public sealed class StatisticsBenchTests(StatisticsBenchArchive server) : IClassFixture<StatisticsBenchArchive>
{
    HttpClient Steward => server.Basic("steward", TestArchive.UserPassword);
    HttpClient Auditor => server.Basic("auditor", TestArchive.UserPassword);

    [Fact]
    public async Task Api_statistics_equals_the_counts_qido_finds_on_the_bench_studies()
    {
        var stats = JsonNode.Parse(await Steward.GetStringAsync("/api/statistics"))!;
        var series = await StatisticsQido.AssertIntakeEqualsQidoAsync(Steward, stats);
        Assert.Equal(server.Files, (int)stats["totals"]!["instances"]!);
        Assert.Equal(15, (int)stats["totals"]!["studies"]!);
        Assert.Equal(15, (int)stats["totals"]!["patients"]!);
        Assert.Equal(["CT", "MR", "OP", "PT"], stats["byModality"]!.AsArray().Select(b => b!["key"]!.ToString()));
        Assert.True(stats["bySite"]!.AsArray().Count >= 2, "the bench studies come from several institutions");
        Assert.Equal(["stow-rs admin"], stats["bySource"]!.AsArray().Select(b => b!["key"]!.ToString()));
        Assert.Equal(series.Count, stats["bySource"]![0]!["series"]!.GetValue<long>());
    }

    static string Band(string? age) => age is { Length: 4 } a && a[3] == 'Y' ? StatisticsValues.AgeBand(a, null, null) : "unknown";

    [Fact]
    public async Task The_auditors_aggregates_of_the_bench_copy_show_true_counts_and_hide_every_small_one_beyond_recomputation()
    {
        var studies = JsonNode.Parse(await Steward.GetStringAsync("/dicomweb/studies"))!.AsArray().Select(s => s!["0020000D"]!["Value"]![0]!.ToString()).ToArray();
        Assert.Equal(HttpStatusCode.Created, (await Steward.PostAsJsonAsync("/api/projects", new { id = "bench", name = "Bench", recipe = "research", domain = "fundus-dr-multidisease" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Steward.PostAsJsonAsync("/api/projects/bench/members", new { user = "annotator", role = "member" })).StatusCode);
        var copy = JsonNode.Parse(await (await Steward.PostAsJsonAsync("/api/projects/bench/copy", new { studies })).Content.ReadAsStringAsync())!;
        Assert.Equal(server.Files, (int)copy["copied"]!);

        // The truth, from the project's own QIDO-RS answers (as a member sees them).
        var member = server.Basic("annotator", TestArchive.UserPassword);
        var copied = JsonNode.Parse(await member.GetStringAsync("/api/projects/bench/dicomweb/studies?includefield=00100040,00101010"))!.AsArray();
        string V(JsonNode s, string tag) => s[tag]?["Value"]?[0]?.ToString() ?? "";
        var truth = copied.GroupBy(s => (Modality: string.Join('+', s!["00080061"]!["Value"]!.AsArray().Select(v => v!.ToString()).Order(StringComparer.Ordinal)),
                Sex: V(s, "00100040") is "F" or "M" or "O" ? V(s, "00100040") : "unknown", Band: Band(V(s, "00101010"))))
            .ToDictionary(g => g.Key, g => (long)g.Count());

        var r = JsonNode.Parse(await Auditor.GetStringAsync("/api/statistics/aggregate?by=modality,sex,ageBand&projects=bench"))!;
        var cells = r["cells"]!.AsArray();
        Assert.Equal(truth.Count, cells.Count);
        foreach (var c in cells)
        {
            var count = truth[(c!["modality"]!.ToString(), c["sex"]!.ToString(), c["ageBand"]!.ToString())];
            var shown = c["studies"]!;
            if (count < 5) Assert.Equal("<5", shown.ToString());
            else if (shown.GetValueKind() == System.Text.Json.JsonValueKind.Number) Assert.Equal(count, shown.GetValue<long>());
            else Assert.Equal("suppressed", shown.ToString());
        }
        AssertNoLoneWithheldItem(r);

        // One dimension: the 12 fundus studies are shown, CT, MR and PT (one each) are not.
        var byModality = JsonNode.Parse(await Auditor.GetStringAsync("/api/statistics/aggregate?by=modality&projects=bench"))!;
        Assert.Equal(["CT:<5", "MR:<5", "OP:12", "PT:<5"], byModality["cells"]!.AsArray().Select(c => $"{c!["modality"]}:{c["studies"]}"));
        Assert.Equal(15, byModality["totals"]!["all"]!.GetValue<long>());
        AssertNoLoneWithheldItem(byModality);
    }

    /// <summary>In every relation the response reports (a one-way total and its cells; the grand total and a dimension's totals), never exactly one withheld item.</summary>
    static void AssertNoLoneWithheldItem(JsonNode r)
    {
        static bool Withheld(JsonNode? n) => n!.GetValueKind() == System.Text.Json.JsonValueKind.String;
        var by = r["by"]!.AsArray().Select(d => d!.ToString()).ToList();
        var cells = r["cells"]!.AsArray();
        var grand = Withheld(r["totals"]!["all"]);
        foreach (var d in by)
        {
            var totals = r["totals"]![d]!.AsArray();
            Assert.NotEqual(1, totals.Count(t => Withheld(t!["studies"])) + (grand ? 1 : 0));
            if (by.Count == 1) continue;
            foreach (var t in totals)
            {
                var parts = cells.Where(c => c![d]!.ToString() == t!["value"]!.ToString()).Count(c => Withheld(c!["studies"]));
                Assert.NotEqual(1, parts + (Withheld(t!["studies"]) ? 1 : 0));
            }
        }
    }
}
