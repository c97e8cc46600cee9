namespace Mira.Testing;

/// <summary>One row of <c>../shared/corpus/MANIFEST.tsv</c>.</summary>
public sealed record CorpusFile(string Path, string Source, string Licence, string Sha256, long Bytes, string Exercises, string Derivation)
{
    public string FullPath => System.IO.Path.Combine(Corpus.Root, Path);
    /// <summary>A DICOM object, as the oracle classified it (DICOMDIR media files have no extension).</summary>
    public bool IsDicom => Corpus.Summary.TryGetValue(Path, out var row) && row["kind"] == "dicom";
    public override string ToString() => Path;
}

/// <summary>Typed access to the shared test corpus (../shared/corpus beside the repository) through its manifest.</summary>
public static class Corpus
{
    static readonly Lazy<string> root = new(FindRoot);
    static readonly Lazy<IReadOnlyList<CorpusFile>> files = new(LoadManifest);
    static readonly Lazy<IReadOnlyDictionary<string, OracleSummaryRow>> summary = new(() => OracleSummaryRow.Load(System.IO.Path.Combine(Root, "oracle", "summary.tsv")));

    /// <summary>The repository root (the folder holding Mira.slnx).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Mira.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Mira.slnx) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The shared folder: MIRA_SHARED if set, else ../shared beside the repository.</summary>
    public static string SharedRoot =>
        Environment.GetEnvironmentVariable("MIRA_SHARED") is { Length: > 0 } s ? s : System.IO.Path.GetFullPath(System.IO.Path.Combine(RepositoryRoot, "..", "shared"));

    public static string Root => root.Value;

    public static IReadOnlyList<CorpusFile> Files => files.Value;

    public static IEnumerable<CorpusFile> DicomFiles => Files.Where(f => f.IsDicom);

    public static CorpusFile Get(string path) => Files.FirstOrDefault(f => f.Path == path) ?? throw new KeyNotFoundException($"{path} is not in MANIFEST.tsv");

    public static IReadOnlyDictionary<string, OracleSummaryRow> Summary => summary.Value;

    /// <summary>The oracle's DICOM JSON for a file from one tool ("pydicom" or "dcmtk"), or null when that tool wrote none.</summary>
    public static string? OracleJsonPath(CorpusFile file, string tool)
    {
        var p = System.IO.Path.Combine(Root, "oracle", "dicom-json", tool, file.Path + ".json");
        return File.Exists(p) ? p : null;
    }

    static string FindRoot()
    {
        var r = System.IO.Path.Combine(SharedRoot, "corpus");
        if (!File.Exists(System.IO.Path.Combine(r, "MANIFEST.tsv")))
            throw new InvalidOperationException($"the shared corpus is missing: expected {r}/MANIFEST.tsv (set MIRA_SHARED to the shared folder)");
        return r;
    }

    static IReadOnlyList<CorpusFile> LoadManifest()
    {
        var list = new List<CorpusFile>();
        foreach (var line in File.ReadLines(System.IO.Path.Combine(Root, "MANIFEST.tsv")).Skip(1))
        {
            if (line.Length == 0) continue;
            var c = line.Split('\t');
            list.Add(new CorpusFile(c[0], c[1], c[2], c[3], long.Parse(c[4], System.Globalization.CultureInfo.InvariantCulture), c[5], c.Length > 6 ? c[6] : "none"));
        }
        return list;
    }
}

/// <summary>One row of <c>oracle/summary.tsv</c>, by column name.</summary>
public sealed class OracleSummaryRow(IReadOnlyDictionary<string, string> columns)
{
    public string this[string column] => columns.TryGetValue(column, out var v) ? v : "";
    public bool DcmtkParses => this["dcmtk_parse"] == "ok";
    public bool PydicomParses => this["pydicom_parse"].StartsWith("ok", StringComparison.Ordinal);
    public string TransferSyntax => this["transfer_syntax"];

    internal static IReadOnlyDictionary<string, OracleSummaryRow> Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split('\t');
        var rows = new Dictionary<string, OracleSummaryRow>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var c = line.Split('\t');
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length && i < c.Length; i++) d[header[i]] = c[i];
            rows[c[0]] = new OracleSummaryRow(d);
        }
        return rows;
    }
}
