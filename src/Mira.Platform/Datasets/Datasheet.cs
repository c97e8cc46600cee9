using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mira.Platform.Datasets;

/// <summary>What the datasheet is computed from, besides the cases: the platform's records about the project and its annotation.</summary>
public sealed record DatasheetSources(
    string ProjectName, string RecipeName, string RecipeSha256, IReadOnlyList<object> DeidRuns, IReadOnlyList<object> Protocols,
    IReadOnlyList<object> Annotators, IReadOnlyList<object> Agreement, IReadOnlyList<string> PreviousChangelog);

/// <summary>
/// A release's datasheet: the fields of YY/T 1833.2 (AI medical device — training and test data sets: quality
/// requirements: data source, collection, de-identification, annotation, size and distribution, version) and of the
/// CLAIM checklist (Checklist for Artificial Intelligence in Medical Imaging: intended use, data sources, inclusion and
/// exclusion, reference standard, annotator qualifications, inter-reader agreement, partitions and their leakage), as
/// JSON (<c>datasheet.json</c>) and as an HTML page (<c>datasheet.html</c>). It counts cases; it never lists them, so a
/// datasheet says nothing about which cases a release holds (<c>cases.tsv</c> does).
/// </summary>
public static class Datasheet
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static JsonObject Build(DatasetRelease release, ReleaseRequest request, IReadOnlyList<SeriesReading> readings, IReadOnlyList<ReleaseCase> cases,
        LeakageResult leakage, DatasheetSources sources)
    {
        var text = request.Text;
        var byCase = readings.ToDictionary(r => r.SeriesInstanceUid, StringComparer.Ordinal);
        var dates = readings.Select(r => r.StudyDate).Where(d => d is { Length: 8 }).Order(StringComparer.Ordinal).ToList();
        var splits = cases.Select(c => c.Split).Distinct().OrderBy(s => Splits.All.ToList().IndexOf(s)).ToList();
        var changelog = sources.PreviousChangelog.Append($"version {release.Version}: {text.Changelog ?? (release.Version == 1 ? "first release" : "new version")}").ToList();
        var sheet = new
        {
            standards = new[] { "YY/T 1833.2", "CLAIM (Checklist for Artificial Intelligence in Medical Imaging)" },
            release = new { release.Id, release.Project, projectName = sources.ProjectName, release.Name, release.Version, release.Kind, release.Supersedes, release.CreatedBy, release.Created },
            intendedUse = text.IntendedUse,
            inclusionCriteria = text.Inclusion,
            exclusionCriteria = text.Exclusion,
            referenceStandard = text.ReferenceStandard,
            licence = text.Licence,
            sourcesAndSites = new { description = text.Sources, sites = Count(cases, CaseFields.Site) },
            devicesAndAcquisition = new
            {
                description = text.Acquisition,
                devices = Count(cases, CaseFields.Device),
                parameters = cases.Select(c => byCase[c.SeriesInstanceUid])
                    .GroupBy(r => (r.Fields[CaseFields.Device], r.Modality ?? "", string.Join(";", r.Acquisition.Where(a => a.Key != "images").OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))))
                    .Select(g => new { device = g.Key.Item1, modality = g.Key.Item2, parameters = g.First().Acquisition.Where(a => a.Key != "images").ToDictionary(), cases = g.Count() })
                    .OrderByDescending(x => x.cases).ToList(),
            },
            period = new
            {
                from = dates.FirstOrDefault(), to = dates.LastOrDefault(),
                note = "Study Date as stored in the de-identified copies: shifted by the project's key where the recipe shifts dates",
            },
            deidentification = new { recipe = sources.RecipeName, recipeSha256 = sources.RecipeSha256, runs = sources.DeidRuns },
            size = new
            {
                cases = cases.Count,
                patients = cases.Select(c => c.Patient).Distinct().Count(),
                images = readings.Sum(r => r.Instances.Count),
                bySplit = splits.ToDictionary(s => s, s => new { cases = cases.Count(c => c.Split == s), patients = cases.Where(c => c.Split == s).Select(c => c.Patient).Distinct().Count() }),
            },
            distributions = CaseFields.All.ToDictionary(f => f, f => new Dictionary<string, SortedDictionary<string, int>>
            {
                ["all"] = Count(cases, f),
            }.Concat(splits.Select(s => KeyValuePair.Create(s, Count(cases.Where(c => c.Split == s), f)))).ToDictionary()),
            annotation = new
            {
                choice = request.Annotations,
                gradeField = request.GradeField,
                casesWithAnnotation = cases.Count(c => c.Annotation is not null),
                protocols = sources.Protocols,
                annotatorQualifications = sources.Annotators,
                interReaderAgreement = sources.Agreement,
            },
            splitMethod = new
            {
                method = release.Kind == ReleaseKinds.Training
                    ? "by patient pseudonym (every case of a patient in one split), stratified by the fields listed, patients ordered by SHA-256(seed, pseudonym)"
                    : "every case in the test split",
                fractions = new { train = request.Splits.Train, tune = request.Splits.Tune, test = request.Splits.Test },
                stratify = request.Splits.Stratify,
                seed = request.Splits.Seed,
                placedByHand = request.Assign.Count,
            },
            leakageCheck = new
            {
                result = leakage.Passed ? "passed" : "failed",
                checks = new[]
                {
                    "no patient pseudonym in two splits",
                    "no image (SHA-256 of decoded pixel data) in two splits",
                    release.Kind == ReleaseKinds.Training ? "no patient or image shared with a test or sequestered release of the project" : "no patient or image shared with a training release of the project",
                },
                releasesCompared = leakage.ReleasesCompared,
                problems = leakage.Problems,
            },
            version = release.Version,
            changelog,
        };
        return JsonSerializer.SerializeToNode(sheet, Json)!.AsObject();
    }

    static SortedDictionary<string, int> Count(IEnumerable<ReleaseCase> cases, string field)
    {
        var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in cases) d[c.Field(field)] = d.GetValueOrDefault(c.Field(field)) + 1;
        return d;
    }

    public static string ToJson(JsonNode sheet) => sheet.ToJsonString(Json);

    /// <summary>The datasheet as a self-contained HTML page: every field as a row, nested objects as nested tables, all text encoded.</summary>
    public static string ToHtml(JsonObject sheet)
    {
        var title = HtmlEncoder.Default.Encode($"{sheet["release"]?["name"]} version {sheet["release"]?["version"]}");
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Datasheet: ").Append(title)
          .Append("</title><style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}</style></head><body>\n<h1>Datasheet: ")
          .Append(title).Append("</h1>\n");
        Render(sheet, sb);
        sb.Append("\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The datasheet as nested HTML tables (every text encoded), for a page to place in its own layout.</summary>
    public static string ToHtmlFragment(JsonObject sheet)
    {
        var sb = new StringBuilder();
        Render(sheet, sb);
        return sb.ToString();
    }

    static void Render(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case JsonObject o:
                sb.Append("<table>");
                foreach (var (k, v) in o) { sb.Append("<tr><th>").Append(HtmlEncoder.Default.Encode(k)).Append("</th><td>"); Render(v, sb); sb.Append("</td></tr>"); }
                sb.Append("</table>");
                break;
            case JsonArray a:
                sb.Append("<ul>");
                foreach (var v in a) { sb.Append("<li>"); Render(v, sb); sb.Append("</li>"); }
                sb.Append("</ul>");
                break;
            case null:
                sb.Append("—");
                break;
            default:
                sb.Append(HtmlEncoder.Default.Encode(node.ToString()));
                break;
        }
    }
}
