using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mira.Testing;

/// <summary>What one decoder of the oracle run made of a file's pixels (<c>oracle/summary.json</c> → <c>pixel_&lt;tool&gt;</c>).</summary>
public sealed record PixelDecode(string Tool, string? Sha256, int[]? Shape, string? DType, string? Photometric, string? Error, string? Decoder)
{
    public bool HasHash => Sha256 is { Length: 64 };
    /// <summary>numpy's shape text, e.g. "(2, 512, 512)".</summary>
    public string? ShapeText => Shape is null ? null : Shape.Length == 1 ? $"({Shape[0]},)" : "(" + string.Join(", ", Shape) + ")";
}

/// <summary>The pixel oracle of one corpus file: pydicom's, GDCM's and DCMTK's decodes.</summary>
public sealed record PixelOracle(string Path, string? TransferSyntax, PixelDecode Pydicom, PixelDecode Gdcm, PixelDecode Dcmtk, bool? DecodersAgree)
{
    public IEnumerable<PixelDecode> Decodes => [Pydicom, Gdcm, Dcmtk];
}

/// <summary>One row of <c>oracle/same-pixels.tsv</c>: files for which some decoder produced the same array.</summary>
public sealed record SamePixelsGroup(string Sha256, IReadOnlyList<string> Files);

/// <summary>Access to the pixel columns of the corpus oracle.</summary>
public static class PixelOracles
{
    static readonly Lazy<IReadOnlyDictionary<string, PixelOracle>> all = new(Load);
    static readonly Lazy<IReadOnlyList<SamePixelsGroup>> groups = new(LoadGroups);

    public static IReadOnlyDictionary<string, PixelOracle> All => all.Value;

    public static PixelOracle? Get(string path) => All.TryGetValue(path, out var o) ? o : null;

    public static IReadOnlyList<SamePixelsGroup> SamePixels => groups.Value;

    static IReadOnlyDictionary<string, PixelOracle> Load()
    {
        // Python's json module writes NaN and Infinity (nibabel headers), which JSON does not have: read them as null.
        var text = File.ReadAllText(System.IO.Path.Combine(Corpus.Root, "oracle", "summary.json"));
        text = Regex.Replace(text, @"(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])", "null");
        using var doc = JsonDocument.Parse(text);
        var result = new Dictionary<string, PixelOracle>(StringComparer.Ordinal);
        foreach (var file in doc.RootElement.EnumerateObject())
        {
            if (!file.Value.TryGetProperty("kind", out var kind) || kind.GetString() != "dicom") continue;
            var v = file.Value;
            result[file.Name] = new PixelOracle(
                file.Name,
                v.TryGetProperty("transfer_syntax", out var ts) && ts.ValueKind == JsonValueKind.String ? ts.GetString() : null,
                Decode(v, "pydicom"), Decode(v, "gdcm"), Decode(v, "dcmtk"),
                v.TryGetProperty("pixel_decoders_agree", out var a) && a.ValueKind is JsonValueKind.True or JsonValueKind.False ? a.GetBoolean() : null);
        }
        return result;
    }

    static PixelDecode Decode(JsonElement file, string tool)
    {
        if (!file.TryGetProperty("pixel_" + tool, out var p) || p.ValueKind != JsonValueKind.Object)
            return new PixelDecode(tool, null, null, null, null, null, null);
        string? S(string name) => p.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        int[]? shape = p.TryGetProperty("shape", out var sh) && sh.ValueKind == JsonValueKind.Array ? [.. sh.EnumerateArray().Select(x => x.GetInt32())] : null;
        return new PixelDecode(tool, S("sha256"), shape, S("dtype"), S("photometric"), S("error") ?? S("note"), S("decoder"));
    }

    static IReadOnlyList<SamePixelsGroup> LoadGroups() =>
        [.. File.ReadLines(System.IO.Path.Combine(Corpus.Root, "oracle", "same-pixels.tsv")).Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(c => new SamePixelsGroup(c[0], c[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)))];
}
