using System.Globalization;
using System.Text.Json;
using Mira.Annotations.Protocols;

namespace Mira.Annotations.Reads;

/// <summary>
/// A reader's answers to a protocol's form: field name → value(s), as text (an integer grade "2", an enum value
/// "TR3", a number "4.5", "true"). Built only through <see cref="Parse"/>, which checks every answer against the
/// protocol: known field, allowed value, number or boolean where the field says so, one value unless multiEnum, and
/// every required field that is not derived answered.
/// </summary>
public sealed record FormAnswers
{
    FormAnswers(IReadOnlyDictionary<string, IReadOnlyList<string>> values) => Values = values;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Values { get; }

    /// <summary>The single answer to a field, or null.</summary>
    public string? this[string field] => Values.TryGetValue(field, out var v) && v.Count > 0 ? v[0] : null;

    /// <summary>
    /// Reads a JSON object of answers, e.g. <c>{"icdrDr": 2, "icdrDme": "0", "organisms": ["candida"]}</c>.
    /// <paramref name="requireAll"/> false accepts a partial form (a draft, or a prior label).
    /// </summary>
    /// <exception cref="AnnotationException">An answer the protocol does not allow; the message names the field.</exception>
    public static FormAnswers Parse(JsonElement json, Protocol protocol, bool requireAll = true)
    {
        if (json.ValueKind != JsonValueKind.Object) throw new AnnotationException("the form's answers are a JSON object of field names and values");
        var values = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var p in json.EnumerateObject())
        {
            var field = protocol.FieldByName(p.Name)
                ?? throw new AnnotationException($"field '{p.Name}' is not in protocol {protocol.Id} (its fields: {string.Join(", ", protocol.Fields.Select(f => f.Name))})");
            if (p.Value.ValueKind == JsonValueKind.Null) continue;
            var items = p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().ToArray() : [p.Value];
            if (items.Length > 1 && field.Type != "multiEnum") throw new AnnotationException($"field '{field.Name}' takes one value, {items.Length} were given");
            values[field.Name] = items.Select(i => Check(field, i)).ToArray();
        }
        if (requireAll)
        {
            var missing = protocol.Fields.Where(f => f.Required && !f.IsDerived && !values.ContainsKey(f.Name)).Select(f => f.Name).ToArray();
            if (missing.Length > 0) throw new AnnotationException($"required field(s) not answered: {string.Join(", ", missing)}");
        }
        return new FormAnswers(values);
    }

    /// <summary>Answers from text values (as read back from an SR), checked as <see cref="Parse"/> does.</summary>
    public static FormAnswers FromValues(IReadOnlyDictionary<string, IReadOnlyList<string>> values, Protocol protocol, bool requireAll = false)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(values));
        return Parse(doc.RootElement, protocol, requireAll);
    }

    static string Check(ProtocolField field, JsonElement v)
    {
        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new AnnotationException($"field '{field.Name}': {v.ValueKind} is not a value"),
        };
        switch (field.Type)
        {
            case "enum" or "multiEnum" when field.Values.Count > 0:
                if (field.IndexOf(text) < 0)
                    throw new AnnotationException($"field '{field.Name}': '{text}' is not an allowed value ({string.Join(", ", field.Values.Select(x => x.Value))})");
                break;
            case "integer":
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                    throw new AnnotationException($"field '{field.Name}': '{text}' is not an integer");
                break;
            case "number":
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                    throw new AnnotationException($"field '{field.Name}': '{text}' is not a number");
                break;
            case "boolean":
                if (text is not ("true" or "false")) throw new AnnotationException($"field '{field.Name}': '{text}' is not true or false");
                break;
        }
        if (text.Length > 1024) throw new AnnotationException($"field '{field.Name}': an answer of {text.Length} characters, more than 1024");
        return text;
    }

    /// <summary>The answers as a JSON object (one value as a string, several as an array).</summary>
    public string ToJson() => JsonSerializer.Serialize(Values.ToDictionary(kv => kv.Key, kv => kv.Value.Count == 1 ? (object)kv.Value[0] : kv.Value));
}
