using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mira.Testing;

/// <summary>
/// Semantic comparison of DICOM JSON (PS3.18 Annex F) under the corpus rules (../shared/corpus/README.md,
/// "JSON agreement"): long InlineBinary compared by SHA-256, numbers with relative tolerance 1e-6, empty
/// values in multi-valued strings "" ≡ null, person names compared after stripping trailing separators,
/// group lengths and Data Set Trailing Padding not counted, encapsulated Pixel Data left out.
/// </summary>
public static partial class DicomJsonComparer
{
    /// <summary>
    /// The corpus criterion for one file: equal to one oracle outright, or (where the two tools disagree with
    /// each other) every element equal to at least one tool's rendering of it. Null when it passes, else the report.
    /// </summary>
    public static string? Judge(JsonObject actual, JsonObject? pydicom, JsonObject? dcmtk, out string matched)
    {
        matched = "";
        var results = new List<(string Tool, List<JsonDifference> Diffs)>();
        if (pydicom is not null) results.Add(("pydicom", Diff(pydicom, actual)));
        if (dcmtk is not null) results.Add(("dcmtk", Diff(dcmtk, actual)));
        if (results.Count == 0) return "no oracle JSON";
        foreach (var (tool, diffs) in results)
            if (diffs.Count == 0)
            {
                matched = tool;
                return null;
            }
        if (results.Count == 2)
        {
            var dcmtkPaths = results[1].Diffs.Select(d => d.Path).ToHashSet(StringComparer.Ordinal);
            if (!results[0].Diffs.Any(d => dcmtkPaths.Contains(d.Path)))
            {
                matched = "per element";
                return null;
            }
        }
        return string.Join("\n", results.Select(r => $"{r.Tool}: {r.Diffs.Count} difference(s):\n  " + string.Join("\n  ", r.Diffs.Take(12))));
    }

    const int BulkBase64Threshold = 1024;

    /// <summary>Elements that differ, by tag path (e.g. <c>00321064[0].00100010</c>); empty when the two are semantically equal.</summary>
    public static List<JsonDifference> Diff(JsonObject expected, JsonObject actual)
    {
        var diffs = new List<JsonDifference>();
        DiffDataset(Normalise(expected), Normalise(actual), "", diffs);
        return diffs;
    }

    /// <summary>Replaces InlineBinary longer than 1024 base64 characters by "sha256:&lt;hex&gt;" BulkDataURIs, as the oracle does.</summary>
    public static JsonObject Normalise(JsonObject ds)
    {
        var copy = (JsonObject)ds.DeepClone();
        NormaliseNode(copy);
        return copy;
    }

    static void NormaliseNode(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["InlineBinary"] is JsonValue v && v.TryGetValue<string>(out var b64) && b64.Length > BulkBase64Threshold)
                {
                    o.Remove("InlineBinary");
                    o["BulkDataURI"] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(b64)));
                }
                foreach (var kv in o.ToList()) NormaliseNode(kv.Value);
                break;
            case JsonArray a:
                foreach (var x in a) NormaliseNode(x);
                break;
        }
    }

    static bool Ignorable(string tag, JsonNode? element) =>
        tag.EndsWith("0000", StringComparison.Ordinal) || tag == "FFFCFFFC"
        || element?["BulkDataURI"]?.GetValue<string>() == "encapsulated:omitted";

    static void DiffDataset(JsonObject a, JsonObject b, string prefix, List<JsonDifference> diffs)
    {
        foreach (var key in a.Select(kv => kv.Key).Union(b.Select(kv => kv.Key)).Order(StringComparer.Ordinal))
        {
            var inA = a.TryGetPropertyValue(key, out var ea);
            var inB = b.TryGetPropertyValue(key, out var eb);
            if (!inA || !inB)
            {
                if (!Ignorable(key, inA ? ea : eb)) diffs.Add(new(prefix + key, inA ? "only expected" : "only actual"));
                continue;
            }
            var vrA = ea?["vr"]?.GetValue<string>();
            var vrB = eb?["vr"]?.GetValue<string>();
            if (vrA == "SQ" && vrB == "SQ")
            {
                var ia = ea?["Value"] as JsonArray ?? [];
                var ib = eb?["Value"] as JsonArray ?? [];
                if (ia.Count != ib.Count)
                {
                    diffs.Add(new(prefix + key, $"item count {ia.Count} vs {ib.Count}"));
                    continue;
                }
                for (var i = 0; i < ia.Count; i++)
                    DiffDataset(ia[i] as JsonObject ?? [], ib[i] as JsonObject ?? [], $"{prefix}{key}[{i}].", diffs);
                continue;
            }
            if (!ElementsEquivalent(ea as JsonObject ?? [], eb as JsonObject ?? []))
                diffs.Add(new(prefix + key, $"expected {Short(ea)}, actual {Short(eb)}"));
        }
    }

    static string Short(JsonNode? n)
    {
        var s = n?.ToJsonString() ?? "null";
        return s.Length > 160 ? s[..157] + "..." : s;
    }

    static bool ElementsEquivalent(JsonObject a, JsonObject b)
    {
        if (Str(a, "vr") != Str(b, "vr")) return false;
        if (Str(a, "InlineBinary") != Str(b, "InlineBinary") || Str(a, "BulkDataURI") != Str(b, "BulkDataURI")) return false;
        var va = Values(a);
        var vb = Values(b);
        if (va.Count != vb.Count) return false;
        for (var i = 0; i < va.Count; i++)
            if (!Same(va[i], vb[i])) return false;
        return true;
    }

    static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    static List<JsonNode?> Values(JsonObject e)
    {
        if (e["Value"] is not JsonArray arr) return [];
        var pn = Str(e, "vr") == "PN";
        var list = new List<JsonNode?>();
        foreach (var v in arr)
        {
            var x = v?.DeepClone();
            if (pn && x is JsonObject groups)
            {
                var stripped = new JsonObject();
                foreach (var kv in groups)
                    if (kv.Value is JsonValue gv && gv.TryGetValue<string>(out var s) && TrailingSeparators().Replace(s, "") is { Length: > 0 } t)
                        stripped[kv.Key] = t;
                x = stripped.Count > 0 ? stripped : null;
            }
            if (x is JsonValue sv && sv.TryGetValue<string>(out var str) && str.Length == 0) x = null;
            list.Add(x);
        }
        while (list.Count > 0 && list[^1] is null) list.RemoveAt(list.Count - 1);
        return list;
    }

    static bool Same(JsonNode? x, JsonNode? y)
    {
        if (x is null || y is null) return x is null && y is null;
        if (x is JsonValue xv && y is JsonValue yv && TryNumber(xv, out var dx) && TryNumber(yv, out var dy))
            return dx == dy || Math.Abs(dx - dy) <= 1e-6 * Math.Max(Math.Abs(dx), Math.Abs(dy)) + 1e-30;
        return JsonNode.DeepEquals(x, y);
    }

    static bool TryNumber(JsonValue v, out double d)
    {
        d = 0;
        if (v.GetValueKind() != System.Text.Json.JsonValueKind.Number) return false;
        d = v.GetValue<double>();
        return true;
    }

    [GeneratedRegex(@"[\^=]+$")]
    private static partial Regex TrailingSeparators();
}

/// <summary>One element that differs between two DICOM JSON objects.</summary>
public sealed record JsonDifference(string Path, string Detail)
{
    public override string ToString() => $"{Path} ({Detail})";
}
