using System.Text.RegularExpressions;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>One case of a test set folder: its pseudonymous id, patient key, subgroup fields and where its images and reference are.</summary>
public sealed record TestSetCase(string CaseId, string PatientKey, IReadOnlyDictionary<string, string> Fields, string ImagesFolder, string? ReferencePath,
    int? ReferenceClass);

/// <summary>
/// A test set laid out as a dataset release's folder tree (docs/datasets.md) and as <c>mira eval offline</c> takes it:
/// <c>images/&lt;case&gt;/</c> (one DICOM series per case), <c>labels/&lt;case&gt;.nii.gz</c> (the reference label map in the
/// image's grid) and, optionally, <c>cases.tsv</c> (tab-separated with a header: <c>case</c>, <c>patient</c> and any
/// subgroup fields such as <c>site</c>, <c>device</c>, <c>age_band</c>, <c>sex</c>, <c>grade</c>). Without it every case is
/// its own patient. Case folders and label files must match one to one; a mismatch is named.
/// </summary>
public static partial class TestSetFolder
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex CaseIdPattern();

    /// <summary>The columns of cases.tsv that are not subgroup fields.</summary>
    static readonly HashSet<string> NotFields = new(StringComparer.Ordinal) { "case", "patient", "split" };

    public const int MaxCases = 100_000;

    public static IReadOnlyList<TestSetCase> Read(string images, string? labels, string? casesTsv, bool classification = false)
    {
        if (!Directory.Exists(images)) throw new EvaluationException($"{images}: no such images folder");
        var caseFolders = Directory.GetDirectories(images).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        if (caseFolders.Count == 0) throw new EvaluationException($"{images}: no case folders (one sub-folder per case, holding its DICOM series)");
        if (caseFolders.Count > MaxCases) throw new EvaluationException($"{images}: {caseFolders.Count} cases, more than the limit of {MaxCases}");
        foreach (var c in caseFolders)
            if (!CaseIdPattern().IsMatch(c)) throw new EvaluationException($"{images}: case folder '{c}' is not a plain name (letters, digits, '.', '_', '-')");
        var table = casesTsv is not null ? ReadTable(casesTsv) : null;
        if (table is not null)
        {
            var missing = caseFolders.Where(c => !table.ContainsKey(c)).ToList();
            if (missing.Count > 0) throw new EvaluationException($"{casesTsv}: no row for the case(s) {string.Join(", ", missing.Take(5))}");
        }
        if (labels is not null && !classification)
        {
            if (!Directory.Exists(labels)) throw new EvaluationException($"{labels}: no such labels folder");
            var extra = Directory.GetFiles(labels, "*.nii.gz").Select(f => Path.GetFileName(f)![..^".nii.gz".Length])
                .Where(c => !caseFolders.Contains(c, StringComparer.Ordinal)).Order(StringComparer.Ordinal).ToList();
            if (extra.Count > 0) throw new EvaluationException($"{labels}: label maps without a case folder in {images}: {string.Join(", ", extra.Take(5))}");
        }
        var list = new List<TestSetCase>(caseFolders.Count);
        foreach (var c in caseFolders)
        {
            var row = table?[c];
            string? reference = null;
            int? referenceClass = null;
            if (!classification)
            {
                if (labels is null) throw new EvaluationException("a segmentation test set needs a labels folder");
                reference = Path.Combine(labels, c + ".nii.gz");
                if (!File.Exists(reference)) throw new EvaluationException($"{labels}: no reference label map {c}.nii.gz for case {c}");
            }
            else
            {
                if (row is null || !row.TryGetValue("grade", out var g) || !int.TryParse(g, out var k))
                    throw new EvaluationException($"case {c}: a classification test set needs an integer 'grade' column in cases.tsv");
                referenceClass = k;
            }
            var fields = row?.Where(kv => !NotFields.Contains(kv.Key) && kv.Value.Length > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                         ?? new Dictionary<string, string>(StringComparer.Ordinal);
            var patient = row is not null && row.TryGetValue("patient", out var p) && p.Length > 0 ? p : c;
            list.Add(new TestSetCase(c, patient, fields, Path.Combine(images, c), reference, referenceClass));
        }
        return list;
    }

    static Dictionary<string, Dictionary<string, string>> ReadTable(string path)
    {
        if (!File.Exists(path)) throw new EvaluationException($"{path}: no such file");
        if (new FileInfo(path).Length > 64L << 20) throw new EvaluationException($"{path}: larger than 64 MiB");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new EvaluationException($"{path}: empty (a header with 'case' is needed)");
        var header = lines[0].Split('\t');
        var caseColumn = Array.IndexOf(header, "case");
        if (caseColumn < 0) throw new EvaluationException($"{path}: the header has no 'case' column");
        var rows = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split('\t');
            if (cells.Length != header.Length) throw new EvaluationException($"{path} line {i + 1}: {cells.Length} cells, the header has {header.Length}");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var j = 0; j < header.Length; j++) row[header[j]] = cells[j].Trim();
            if (!rows.TryAdd(row["case"], row)) throw new EvaluationException($"{path} line {i + 1}: case '{row["case"]}' is listed twice");
        }
        return rows;
    }
}
