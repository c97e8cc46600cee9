using System.Globalization;
using System.Text;

namespace Mira.Metrics.Reports;

/// <summary>
/// A predictions CSV as <c>mira metrics cls</c> reads it: a header row, then one row per case, comma-separated,
/// fields optionally in double quotes ("" for a quote inside). Column names are matched case-insensitively.
/// </summary>
/// <remarks>
/// Columns: <c>label</c> (required): the reference, an integer (0/1 for a binary task, or a class/grade);
/// <c>score</c>: the model's score for the positive class (binary tasks; higher = more positive; a probability
/// when it lies in [0, 1]); <c>prediction</c>: the predicted class/grade (integer); at least one of score and
/// prediction. <c>case_id</c>, if present, must be unique. Any other columns (site, sex, age band…) can be named
/// for subgroups. Blank lines are skipped.
/// </remarks>
public sealed class PredictionTable
{
    PredictionTable(string[] header, List<string[]> rows)
    {
        Header = header;
        Rows = rows;
    }

    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<string[]> Rows { get; }
    public int Count => Rows.Count;

    public static PredictionTable Read(string path) => Parse(File.ReadAllText(path), path);

    public static PredictionTable Parse(string text, string source = "CSV")
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string[]? header = null;
        var rows = new List<string[]>();
        for (var n = 0; n < lines.Length; n++)
        {
            if (lines[n].Trim().Length == 0) continue;
            var fields = Split(lines[n], source, n + 1);
            if (header is null)
            {
                header = fields.Select(f => f.Trim()).ToArray();
                if (header.Distinct(StringComparer.OrdinalIgnoreCase).Count() != header.Length) throw new FormatException($"{source}: repeated column names in the header");
                continue;
            }
            if (fields.Length != header.Length) throw new FormatException($"{source} line {n + 1}: {fields.Length} fields, the header has {header.Length}");
            rows.Add(fields);
        }
        if (header is null) throw new FormatException($"{source}: no header row");
        if (rows.Count == 0) throw new FormatException($"{source}: no cases");
        var t = new PredictionTable(header, rows);
        if (t.Has("case_id"))
        {
            var dup = t.Strings("case_id").GroupBy(s => s).FirstOrDefault(g => g.Count() > 1);
            if (dup is not null) throw new FormatException($"{source}: case_id {dup.Key} appears {dup.Count()} times");
        }
        return t;
    }

    public bool Has(string column) => Index(column) >= 0;

    int Index(string column) => Array.FindIndex(Header.ToArray(), h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));

    int Require(string column)
    {
        var i = Index(column);
        return i >= 0 ? i : throw new FormatException($"no column '{column}' (columns: {string.Join(", ", Header)})");
    }

    public string[] Strings(string column)
    {
        var i = Require(column);
        return Rows.Select(r => r[i].Trim()).ToArray();
    }

    public int[] Integers(string column) => Strings(column).Select((s, n) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue ? (int)d
        : throw new FormatException($"row {n + 1}: {column} '{s}' is not an integer")).ToArray();

    public double[] Numbers(string column) => Strings(column).Select((s, n) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsNaN(v) ? v
        : throw new FormatException($"row {n + 1}: {column} '{s}' is not a number")).ToArray();

    static string[] Split(string line, string source, int lineNumber)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else sb.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(sb.ToString()); sb.Clear(); }
            else sb.Append(c);
        }
        if (quoted) throw new FormatException($"{source} line {lineNumber}: unterminated quote");
        fields.Add(sb.ToString());
        return [.. fields];
    }
}
