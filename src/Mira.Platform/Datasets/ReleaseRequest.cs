using System.Text.Json;

namespace Mira.Platform.Datasets;

/// <summary>How a training release is split: fractions of patients for train, tune and test, the fields to stratify by, the seed.</summary>
public sealed record SplitSettings(double Train, double Tune, double Test, IReadOnlyList<string> Stratify, int Seed)
{
    public static SplitSettings Default { get; } = new(0.7, 0.15, 0.15, [], 0);

    public double FractionOf(string split) => split switch { Splits.Train => Train, Splits.Tune => Tune, _ => Test };
}

/// <summary>
/// The steward's text for the datasheet: what the platform cannot know (intended use, inclusion and exclusion criteria,
/// reference standard, licence, changelog line) and what it may be told better (sources, acquisition notes).
/// </summary>
public sealed record DatasheetText(
    string IntendedUse, string Inclusion, string Exclusion, string ReferenceStandard, string Licence, string? Changelog, string? Sources,
    string? Acquisition);

/// <summary>
/// A request for a release: name and kind; which series (null: every image series with a chosen annotation version,
/// "all annotated"); which annotation version to take per case (<c>consensus</c>: the task's latest consensus version;
/// <c>none</c>); the form field read as the grade (null: the form's first field); the splits; manual placements of
/// series into splits (checked like any other); the datasheet's text.
/// </summary>
public sealed record ReleaseRequest(
    string Name, string Kind, IReadOnlyList<string>? Series, string Annotations, string? GradeField, SplitSettings Splits,
    IReadOnlyDictionary<string, string> Assign, DatasheetText Text)
{
    public const int MaxSeries = 100_000, MaxText = 8192, MaxName = 128;

    /// <summary>Reads a request body (<c>docs/datasets.md</c> lists the fields); every error names the field.</summary>
    public static ReleaseRequest Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw DatasetRefusedException.Invalid("the body is a JSON object");
        var name = TextOf(body, "name", required: true, MaxName)!;
        if (name.Any(c => char.IsControl(c) || c is '/' or '\\')) throw DatasetRefusedException.Invalid("field 'name': no control characters or slashes");
        var kind = TextOf(body, "kind", required: false, 32) ?? ReleaseKinds.Training;
        if (!ReleaseKinds.All.Contains(kind)) throw DatasetRefusedException.Invalid($"field 'kind': one of {string.Join(", ", ReleaseKinds.All)}");
        List<string>? series = null;
        if (body.TryGetProperty("series", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            if (s.ValueKind == JsonValueKind.String && s.GetString() == "all-annotated") series = null;
            else if (s.ValueKind != JsonValueKind.Array) throw DatasetRefusedException.Invalid("field 'series': an array of Series Instance UIDs or \"all-annotated\"");
            else
            {
                if (s.GetArrayLength() > MaxSeries) throw DatasetRefusedException.Invalid($"field 'series': at most {MaxSeries} series");
                series = [];
                foreach (var e in s.EnumerateArray())
                    series.Add(e.ValueKind == JsonValueKind.String && IsUid(e.GetString()!) ? e.GetString()! : throw DatasetRefusedException.Invalid($"field 'series[{series.Count}]': not a UID"));
                if (series.Count == 0) throw DatasetRefusedException.Invalid("field 'series': empty");
            }
        }
        var annotations = TextOf(body, "annotations", required: false, 32) ?? "consensus";
        if (annotations is not ("consensus" or "none")) throw DatasetRefusedException.Invalid("field 'annotations': consensus or none");
        return new ReleaseRequest(name, kind, series, annotations, TextOf(body, "gradeField", false, 128), ParseSplits(body), ParseAssign(body), ParseText(body));
    }

    static SplitSettings ParseSplits(JsonElement body)
    {
        if (!body.TryGetProperty("splits", out var s) || s.ValueKind == JsonValueKind.Null) return SplitSettings.Default;
        if (s.ValueKind != JsonValueKind.Object) throw DatasetRefusedException.Invalid("field 'splits': an object {fractions, stratify, seed}");
        double train = 0.7, tune = 0.15, test = 0.15;
        if (s.TryGetProperty("fractions", out var f))
        {
            if (f.ValueKind != JsonValueKind.Array || f.GetArrayLength() != 3 || f.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number))
                throw DatasetRefusedException.Invalid("field 'splits.fractions': three numbers (train, tune, test)");
            var v = f.EnumerateArray().Select(x => x.GetDouble()).ToArray();
            if (v.Any(x => !(x >= 0) || !double.IsFinite(x)) || Math.Abs(v.Sum() - 1) > 1e-6)
                throw DatasetRefusedException.Invalid("field 'splits.fractions': non-negative and summing to 1");
            (train, tune, test) = (v[0], v[1], v[2]);
        }
        var stratify = new List<string>();
        if (s.TryGetProperty("stratify", out var st))
        {
            if (st.ValueKind != JsonValueKind.Array) throw DatasetRefusedException.Invalid("field 'splits.stratify': an array of field names");
            foreach (var e in st.EnumerateArray())
            {
                var name = e.ValueKind == JsonValueKind.String ? e.GetString()! : "";
                if (!CaseFields.All.Contains(name)) throw DatasetRefusedException.Invalid($"field 'splits.stratify': '{name}' is not one of {string.Join(", ", CaseFields.All)}");
                if (!stratify.Contains(name)) stratify.Add(name);
            }
        }
        var seed = 0;
        if (s.TryGetProperty("seed", out var sd) && !(sd.ValueKind == JsonValueKind.Number && sd.TryGetInt32(out seed)))
            throw DatasetRefusedException.Invalid("field 'splits.seed': a 32-bit integer");
        return new SplitSettings(train, tune, test, stratify, seed);
    }

    static Dictionary<string, string> ParseAssign(JsonElement body)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!body.TryGetProperty("assign", out var a) || a.ValueKind == JsonValueKind.Null) return map;
        if (a.ValueKind != JsonValueKind.Object) throw DatasetRefusedException.Invalid("field 'assign': an object {seriesInstanceUid: split}");
        foreach (var p in a.EnumerateObject())
        {
            if (!IsUid(p.Name)) throw DatasetRefusedException.Invalid($"field 'assign': '{p.Name}' is not a UID");
            var split = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
            if (!Datasets.Splits.All.Contains(split)) throw DatasetRefusedException.Invalid($"field 'assign.{p.Name}': one of {string.Join(", ", Datasets.Splits.All)}");
            map[p.Name] = split;
            if (map.Count > MaxSeries) throw DatasetRefusedException.Invalid($"field 'assign': at most {MaxSeries} entries");
        }
        return map;
    }

    static DatasheetText ParseText(JsonElement body)
    {
        if (!body.TryGetProperty("datasheet", out var d) || d.ValueKind != JsonValueKind.Object)
            throw DatasetRefusedException.Invalid("field 'datasheet': an object with intendedUse, inclusion, exclusion, referenceStandard, licence");
        return new DatasheetText(TextOf(d, "intendedUse", true, MaxText, "datasheet.")!, TextOf(d, "inclusion", true, MaxText, "datasheet.")!,
            TextOf(d, "exclusion", true, MaxText, "datasheet.")!, TextOf(d, "referenceStandard", true, MaxText, "datasheet.")!,
            TextOf(d, "licence", true, MaxText, "datasheet.")!, TextOf(d, "changelog", false, MaxText, "datasheet."), TextOf(d, "sources", false, MaxText, "datasheet."),
            TextOf(d, "acquisition", false, MaxText, "datasheet."));
    }

    static string? TextOf(JsonElement o, string field, bool required, int max, string prefix = "")
    {
        if (!o.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            return required ? throw DatasetRefusedException.Invalid($"field '{prefix}{field}' is required") : null;
        if (v.ValueKind != JsonValueKind.String) throw DatasetRefusedException.Invalid($"field '{prefix}{field}': a string");
        var s = v.GetString()!.Trim();
        if (s.Length == 0) return required ? throw DatasetRefusedException.Invalid($"field '{prefix}{field}' is empty") : null;
        if (s.Length > max) throw DatasetRefusedException.Invalid($"field '{prefix}{field}': at most {max} characters");
        return s;
    }

    /// <summary>A UID as PS3.5 §9.1 writes it: digits and dots, at most 64 characters.</summary>
    public static bool IsUid(string s) => s.Length is > 0 and <= 64 && s.All(c => c is (>= '0' and <= '9') or '.') && s[0] != '.' && s[^1] != '.';
}
