using System.Globalization;
using System.Text.Json;
using Json.Schema;

namespace Mira.Annotations.Protocols;

/// <summary>
/// Reads a protocol definition: the JSON is validated against <c>protocol.schema.json</c> (JSON Schema 2020-12) first,
/// so a custom protocol that breaks it is refused with every violation named by its JSON pointer; then the parts
/// Mira uses are read, and the rules the schema cannot say are checked (unique label names and values, derived
/// regions naming existing values, allowed values unique per field (an enum listing none, as PI-RADS sectors, takes any text), a workflow naming existing labels, regions or fields).
/// </summary>
public static class ProtocolReader
{
    /// <summary>Definitions larger than this are refused before parsing (the largest shipped one is about 60 KB).</summary>
    public const int MaxBytes = 1 << 20;

    static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(BuiltInProtocols.ReadResource("protocol.schema.json")));

    /// <summary>Parses and validates a definition; <paramref name="workflow"/> null takes <see cref="ProtocolWorkflow.DefaultFor"/>.</summary>
    /// <exception cref="ProtocolException">The JSON is malformed, breaks the schema or a rule above; the message says where.</exception>
    public static Protocol Read(string json, ProtocolWorkflow? workflow = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxBytes) throw new ProtocolException($"the protocol is {json.Length} characters, more than the limit of {MaxBytes}");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"the protocol is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            var results = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!results.IsValid)
            {
                var problems = (results.Details ?? [])
                    .Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{Pointer(d.InstanceLocation.ToString())}: {e.Value}"))
                    .Distinct().Take(20).ToArray();
                throw new ProtocolException("the protocol does not follow protocol.schema.json: " +
                    (problems.Length == 0 ? "(no detail)" : string.Join("; ", problems)));
            }
            var p = Parse(doc.RootElement, json, workflow);
            Check(p);
            return p;
        }
    }

    static string Pointer(string p) => p.Length == 0 ? "/" : p;

    static Protocol Parse(JsonElement root, string json, ProtocolWorkflow? workflow)
    {
        var modality = root.GetProperty("modality");
        var labels = root.GetProperty("labels").EnumerateArray().Select(Label).ToArray();
        var regions = root.GetProperty("derivedRegions").EnumerateArray()
            .Select(r => new DerivedRegion(Str(r, "name"), r.GetProperty("from").EnumerateArray().Select(v => v.GetInt32()).ToArray())).ToArray();
        var fields = root.GetProperty("fields").EnumerateArray().Select(Field).ToArray();
        var measurements = root.GetProperty("measurements").EnumerateArray().Select(m => new ProtocolMeasurement(
            Str(m, "name"), Str(m, "displayName"),
            m.TryGetProperty("appliesTo", out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [],
            OptStr(m, "unit"), OptStr(m, "method"), Code(m, "code"), m.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True)).ToArray();
        var geometry = root.GetProperty("geometry").EnumerateArray().Select(g => g.GetString() ?? "").ToArray();
        var id = Str(root, "id");
        return new Protocol(id, Str(root, "title"), Str(root, "domain"), Str(root, "status"),
            modality.GetProperty("dicomModality").EnumerateArray().Select(x => x.GetString() ?? "").ToArray(),
            modality.GetProperty("sopClasses").EnumerateArray().Select(x => Str(x, "uid")).ToArray(),
            geometry, Str(root.GetProperty("labelEncoding"), "type"), labels, regions, fields, measurements,
            workflow ?? BuiltInProtocols.WorkflowOf(id) ?? ProtocolWorkflow.DefaultFor(geometry, labels, regions, fields), json);
    }

    static ProtocolLabel Label(JsonElement l) => new(
        Str(l, "name"), Str(l, "displayName"), l.GetProperty("value").GetInt32(), Str(l, "color"),
        l.GetProperty("geometry").EnumerateArray().Select(g => g.GetString() ?? "").ToArray(),
        Code(l, "category")!, Code(l, "type")!, Code(l, "anatomicRegion"), Str(l, "description"),
        l.TryGetProperty("altValues", out var alt) && alt.ValueKind == JsonValueKind.Object
            ? alt.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal)
            : new Dictionary<string, int>(StringComparer.Ordinal));

    static ProtocolField Field(JsonElement f) => new(
        Str(f, "name"), Str(f, "displayName"), Str(f, "level"), Str(f, "type"), f.GetProperty("required").GetBoolean(),
        f.TryGetProperty("values", out var vs) ? vs.EnumerateArray().Select(v => new FieldValue(ValueText(v.GetProperty("value")), Str(v, "meaning"), Code(v, "code"))).ToArray() : [],
        OptStr(f, "unit"), OptStr(f, "standard"), OptStr(f, "notes"));

    static string ValueText(JsonElement v) => v.ValueKind == JsonValueKind.Number ? v.GetInt64().ToString(CultureInfo.InvariantCulture) : v.GetString() ?? "";

    static CodedConcept? Code(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.Object
            ? new CodedConcept(Str(c, "scheme"), Str(c, "code"), Str(c, "meaning"), OptStr(c, "status") ?? "local")
            : null;

    static string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    static string? OptStr(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The rules the schema cannot state.</summary>
    static void Check(Protocol p)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(p.Id, "^[a-z0-9]+(-[a-z0-9]+)*$"))
            throw new ProtocolException($"/id: '{p.Id}' is not lower-case words joined by hyphens");
        Unique(p.Labels.Select(l => l.Name), "/labels: label name");
        Unique(p.Labels.Select(l => l.Value.ToString(CultureInfo.InvariantCulture)), "/labels: label value");
        if (p.Labels.Count > ushort.MaxValue) throw new ProtocolException($"/labels: {p.Labels.Count} labels, more than a Segmentation's 65535 segments");
        Unique(p.DerivedRegions.Select(r => r.Name), "/derivedRegions: region name");
        var values = p.Labels.Select(l => l.Value).ToHashSet();
        foreach (var r in p.DerivedRegions)
            foreach (var v in r.From.Where(v => !values.Contains(v)))
                throw new ProtocolException($"/derivedRegions/{r.Name}: value {v} is not a label of the protocol");
        Unique(p.Fields.Select(f => f.Name), "/fields: field name");
        foreach (var f in p.Fields) Unique(f.Values.Select(v => v.Value), $"/fields/{f.Name}: value");
        var w = p.Workflow;
        if (!AgreementStatistic.IsKnown(w.Statistic))
            throw new ProtocolException($"workflow: statistic '{w.Statistic}' is not one of {string.Join(", ", AgreementStatistic.All)}");
        if (w.Readers is < 1 or > 16) throw new ProtocolException($"workflow: {w.Readers} readers; 1 to 16 independent reads are supported");
        foreach (var target in w.AppliesTo)
        {
            var known = w.Statistic switch
            {
                AgreementStatistic.Dice or AgreementStatistic.SurfaceDice => p.LabelByName(target) is not null || p.DerivedRegions.Any(r => r.Name == target),
                AgreementStatistic.Icc => p.Measurements.Any(m => m.Name == target),
                _ => p.FieldByName(target) is not null,
            };
            if (!known) throw new ProtocolException($"workflow: '{target}' is not a {(w.Statistic is AgreementStatistic.Icc ? "measurement" : w.Statistic.Contains("kappa", StringComparison.Ordinal) ? "field" : "label or derived region")} of protocol {p.Id}");
        }
    }

    static void Unique(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
            if (!seen.Add(n)) throw new ProtocolException($"{what} '{n}' appears twice");
    }
}

/// <summary>A protocol definition or workflow that cannot be used; the message says where and why.</summary>
public sealed class ProtocolException(string message) : Exception(message);
