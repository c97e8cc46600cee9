using System.Reflection;
using System.Text.Json;
using Json.Schema;

namespace Mira.Inference.Manifest;

/// <summary>
/// Reads <c>mira-model.json</c>: the JSON is validated against <c>mira-model.schema.json</c> (JSON Schema 2020-12) first, so
/// a manifest that breaks it is refused with every violation named by its JSON pointer; then the rules the schema cannot
/// say are checked (label values and names unique, class indices 0…K−1 once each, an output kind that fits the task,
/// a clip range that is a range, an SUV input read from PET).
/// </summary>
public static class ModelManifestReader
{
    /// <summary>Manifests larger than this are refused before parsing.</summary>
    public const int MaxChars = 1 << 20;

    static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(SchemaText));

    /// <summary>The schema text (embedded resource).</summary>
    public static string SchemaText
    {
        get
        {
            using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("Mira.Inference.Manifest.mira-model.schema.json")
                ?? throw new InvalidOperationException("mira-model.schema.json is not embedded");
            using var r = new StreamReader(s);
            return r.ReadToEnd();
        }
    }

    /// <exception cref="ModelPackageException">The JSON is malformed, breaks the schema or a rule above; the message names every place.</exception>
    public static ModelManifest Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxChars) throw new ModelPackageException($"mira-model.json is {json.Length} characters, more than the limit of {MaxChars}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 }); }
        catch (JsonException e) { throw new ModelPackageException($"mira-model.json is not valid JSON: {e.Message}"); }
        using (doc)
        {
            var results = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!results.IsValid)
            {
                var problems = (results.Details ?? [])
                    .Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{Pointer(d.InstanceLocation.ToString())}: {e.Value}"))
                    .Distinct().Take(30).ToArray();
                throw new ModelPackageException("mira-model.json does not follow mira-model.schema.json: " +
                    (problems.Length == 0 ? "(no detail)" : string.Join("; ", problems)));
            }
            var m = Parse(doc.RootElement, json);
            Check(m);
            return m;
        }
    }

    static string Pointer(string p) => p.Length == 0 ? "/" : p;

    static ModelManifest Parse(JsonElement root, string json)
    {
        var input = root.GetProperty("input");
        var intensity = input.GetProperty("intensity");
        var resampling = input.GetProperty("resampling");
        var output = root.GetProperty("output");
        var card = root.GetProperty("card");
        return new ModelManifest(Str(root, "name")!, Str(root, "version")!, Str(root, "task")!, Str(root, "protocol")!, Str(root, "description"),
            new ModelInput(Str(input, "name"), Str(input, "modality")!, Str(input, "layout")!, Str(input, "dtype")!,
                resampling.ValueKind == JsonValueKind.Object ? Numbers(resampling, "spacing") : null,
                new IntensityTransform(Str(intensity, "source")!, Numbers(intensity, "clip"),
                    Num(intensity, "scale") ?? 1, Num(intensity, "offset") ?? 0)),
            new ModelOutput(Str(output, "name"), Str(output, "kind")!,
                Items(output, "labels").Select(l => new OutputLabel(l.GetProperty("value").GetInt32(), Str(l, "name")!, Code(l)!)).ToArray(),
                Num(output, "threshold"),
                Items(output, "classes").Select(c => new OutputClass(c.GetProperty("index").GetInt32(), Str(c, "name")!, Code(c))).ToArray(),
                Str(output, "activation") ?? "none"),
            new ModelCard(Str(card, "summary")!, card.TryGetProperty("baseline", out var b) && b.ValueKind == JsonValueKind.True,
                Str(card, "intendedUse")!, Texts(card, "intendedUsers"), Texts(card, "outOfScopeUse"), Texts(card, "trainingReleases"),
                Str(card, "trainingData"),
                Items(card, "metrics").Select(x => new CardMetric(Str(x, "name")!, x.GetProperty("value").GetDouble(), Str(x, "dataset"),
                    Num(x, "threshold"), Str(x, "notes"))).ToArray(),
                Str(card, "calibration")!, Texts(card, "knownFailureModes"), Str(card, "licence")!, Texts(card, "authors"),
                Str(card, "regulatoryClass"), Texts(card, "references")),
            json);
    }

    static CodedValue? Code(JsonElement owner) =>
        owner.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Object
            ? new CodedValue(Str(c, "scheme")!, Str(c, "code")!, Str(c, "meaning")!) : null;

    static IEnumerable<JsonElement> Items(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    static string[] Texts(JsonElement e, string name) => Items(e, name).Select(x => x.GetString()!).ToArray();

    static double[]? Numbers(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray() : null;

    static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    static double? Num(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>The rules the schema cannot state.</summary>
    static void Check(ModelManifest m)
    {
        var problems = new List<string>();
        var o = m.Output;
        for (var i = 0; i < o.Labels.Count; i++)
        {
            if (o.Labels.Take(i).Any(l => l.Value == o.Labels[i].Value)) problems.Add($"/output/labels/{i}/value: {o.Labels[i].Value} is given twice");
            if (o.Labels.Take(i).Any(l => l.Name == o.Labels[i].Name)) problems.Add($"/output/labels/{i}/name: '{o.Labels[i].Name}' is given twice");
        }
        var indices = o.Classes.Select(c => c.Index).Order().ToArray();
        if (o.Classes.Count > 0 && !indices.SequenceEqual(Enumerable.Range(0, indices.Length)))
            problems.Add($"/output/classes: the indices [{string.Join(", ", indices)}] are not 0…{indices.Length - 1} once each");
        switch (m.Task)
        {
            case ModelTasks.Classification when o.Kind != OutputKinds.Scores:
                problems.Add($"/output/kind: a classification model gives class scores, not '{o.Kind}'");
                break;
            case ModelTasks.Segmentation or ModelTasks.Detection when o.Kind == OutputKinds.Scores:
                problems.Add($"/output/kind: a {m.Task} model gives a voxel map (labelmap or probabilities), not 'scores'");
                break;
        }
        if (m.Task == ModelTasks.Segmentation && m.Input.Layout is not ("NCDHW" or "NCHW"))
            problems.Add($"/input/layout: '{m.Input.Layout}' is not a layout a segmentation model can take");
        if (m.Input.Intensity.Clip is { } c && !(c[0] < c[1])) problems.Add($"/input/intensity/clip: [{c[0]}, {c[1]}] is not a range (low < high)");
        if (!double.IsFinite(m.Input.Intensity.Scale) || m.Input.Intensity.Scale == 0) problems.Add("/input/intensity/scale: must be finite and not 0");
        if (m.Input.Intensity.Source == IntensityTransform.SuvBw && m.Input.Modality != "PT")
            problems.Add($"/input/intensity/source: suvbw needs a PET input, not modality {m.Input.Modality}");
        if (problems.Count > 0) throw new ModelPackageException("mira-model.json: " + string.Join("; ", problems));
    }
}
