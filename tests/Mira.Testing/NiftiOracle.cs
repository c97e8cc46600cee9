using System.Text.Json;

namespace Mira.Testing;

/// <summary>
/// nibabel's view of a corpus NIfTI file (<c>oracle/nifti/&lt;path&gt;.json</c>, written by tools/make-oracles.py):
/// header fields by nibabel name, qform/sform/best affine, and the shape, dtype and SHA-256 of the stored data
/// array in C order (nibabel's axis order x, y, z, … so the last axis varies fastest).
/// </summary>
public sealed class NiftiOracle
{
    NiftiOracle(CorpusFile file, JsonElement root)
    {
        File = file;
        Root = root;
    }

    public CorpusFile File { get; }
    public JsonElement Root { get; }

    /// <summary>Corpus NIfTI files (everything under nifti/ that nibabel read: .nii, .nii.gz, .hdr).</summary>
    public static IEnumerable<CorpusFile> Files => Corpus.Files.Where(f => f.Path.StartsWith("nifti/", StringComparison.Ordinal)
        && (f.Path.EndsWith(".nii", StringComparison.Ordinal) || f.Path.EndsWith(".nii.gz", StringComparison.Ordinal) || f.Path.EndsWith(".hdr", StringComparison.Ordinal)));

    public static NiftiOracle For(CorpusFile file)
    {
        var p = Path.Combine(Corpus.Root, "oracle", "nifti", file.Path + ".json");
        // nibabel writes NaN literally, which JSON does not allow.
        var text = System.IO.File.ReadAllText(p).Replace("NaN", "\"NaN\"", StringComparison.Ordinal);
        return new NiftiOracle(file, JsonDocument.Parse(text).RootElement.Clone());
    }

    public bool Parsed => Root.TryGetProperty("nibabel_parse", out var v) && v.GetString() == "ok";
    public string? NibabelClass => Root.TryGetProperty("nibabel_class", out var v) ? v.GetString() : null;

    public IEnumerable<(string Name, JsonElement Value)> HeaderFields =>
        Root.GetProperty("header").EnumerateObject().Select(p => (p.Name, p.Value));

    /// <summary>The data record (shape, dtype, sha256_stored), or null when nibabel could not read the data.</summary>
    public JsonElement? Data => Root.TryGetProperty("data", out var d) && d.TryGetProperty("sha256_stored", out _) ? d : null;

    /// <summary>A 4×4 matrix property (qform, sform, best_affine) as 16 row-major values, or null.</summary>
    public double[]? Matrix(string name) =>
        Root.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Array ? m.EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(Number).ToArray() : null;

    public static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble();

    /// <summary>
    /// Reorders an array stored with the first axis fastest (NIfTI file order) into C order (last axis fastest),
    /// the byte layout numpy's tobytes() gives for nibabel's array.
    /// </summary>
    public static byte[] ToCOrder(byte[] data, IReadOnlyList<long> shape, int elementSize)
    {
        var n = shape.Count;
        long count = 1;
        foreach (var s in shape) count *= s;
        var output = new byte[count * elementSize];
        var strides = new long[n];
        long st = 1;
        for (var a = 0; a < n; a++) { strides[a] = st; st *= shape[a]; }
        var idx = new long[n];
        long src = 0;
        for (long o = 0; o < count; o++)
        {
            Array.Copy(data, src * elementSize, output, o * elementSize, elementSize);
            for (var a = n - 1; a >= 0; a--)
            {
                idx[a]++;
                src += strides[a];
                if (idx[a] < shape[a]) break;
                src -= strides[a] * shape[a];
                idx[a] = 0;
            }
        }
        return output;
    }
}
