using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mira.Conversion;

/// <summary>
/// The patient, study and specimen attributes a person gives with non-DICOM files (<c>mira import --meta</c>): a JSON
/// object of DICOM keywords for one file (<c>{"PatientID": "P-001", "PatientName": "Li^Wei", "Laterality": "R"}</c>), or
/// a CSV for a folder whose header row is <c>file</c> then keywords, one row per file (the file's path relative to the
/// folder, or its name). Read with limits (1 MiB, 100,000 rows); every error names the file and the line or key.
/// </summary>
public sealed class SidecarFile
{
    const long MaxBytes = 1 << 20;
    const int MaxRows = 100_000;

    readonly Dictionary<string, ConversionSubject> rows;
    readonly ConversionSubject? single;

    SidecarFile(ConversionSubject? single, Dictionary<string, ConversionSubject> rows) => (this.single, this.rows) = (single, rows);

    public string Path { get; private init; } = "";

    /// <summary>Reads a JSON (object) or CSV sidecar, told apart by content.</summary>
    public static SidecarFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ConversionException($"{path}: no such sidecar file");
        if (info.Length > MaxBytes) throw new ConversionException($"{path}: a sidecar is at most {MaxBytes} bytes; this one has {info.Length}");
        var text = File.ReadAllText(path, Encoding.UTF8).TrimStart('\uFEFF');
        return text.TrimStart().StartsWith('{')
            ? new SidecarFile(ParseJson(text, path), []) { Path = path }
            : new SidecarFile(null, ParseCsv(text, path)) { Path = path };
    }

    /// <summary>
    /// The subject for <paramref name="file"/> (its path relative to the imported folder, or its name): the JSON
    /// object for every file, or the CSV row naming it; null when the CSV has no row for it.
    /// </summary>
    public ConversionSubject? For(string relativePath)
    {
        if (single is not null) return single;
        var key = relativePath.Replace('\\', '/');
        return rows.GetValueOrDefault(key) ?? rows.GetValueOrDefault(System.IO.Path.GetFileName(key));
    }

    public int RowCount => single is null ? rows.Count : 1;

    /// <summary>A JSON object of DICOM keywords (the text of a sidecar); errors name <paramref name="path"/>.</summary>
    public static ConversionSubject ParseJson(string text, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new ConversionException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new ConversionException($"{path}: the sidecar must be one JSON object of DICOM keywords");
            var values = new List<KeyValuePair<string, string>>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var value = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString()!,
                    JsonValueKind.Number => p.Value.GetRawText(),
                    JsonValueKind.Null => "",
                    JsonValueKind.Array when p.Value.EnumerateArray().All(v => v.ValueKind is JsonValueKind.String or JsonValueKind.Number) =>
                        string.Join('\\', p.Value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
                    _ => throw new ConversionException($"{path}: \"{p.Name}\" must be a string, a number or a list of them"),
                };
                values.Add(new(p.Name, value));
            }
            return ConversionSubject.FromValues(values, path);
        }
    }

    static Dictionary<string, ConversionSubject> ParseCsv(string text, string path)
    {
        var lines = ReadCsv(text, path);
        if (lines.Count == 0) throw new ConversionException($"{path}: the CSV sidecar is empty");
        var header = lines[0];
        if (header.Count < 2 || !header[0].Trim().Equals("file", StringComparison.OrdinalIgnoreCase))
            throw new ConversionException($"{path}: line 1 must name the columns: file, then DICOM keywords (e.g. file,PatientID,PatientName)");
        if (lines.Count - 1 > MaxRows) throw new ConversionException($"{path}: at most {MaxRows} rows");
        var rows = new Dictionary<string, ConversionSubject>(StringComparer.Ordinal);
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Count == 1 && line[0].Length == 0) continue;
            var where = string.Create(CultureInfo.InvariantCulture, $"{path}, line {i + 1}");
            if (line.Count != header.Count) throw new ConversionException($"{where}: {line.Count} fields where the header has {header.Count}");
            var file = line[0].Trim().Replace('\\', '/');
            if (file.Length == 0) throw new ConversionException($"{where}: the file column is empty");
            if (!rows.TryAdd(file, ConversionSubject.FromValues(header.Skip(1).Select((h, k) => new KeyValuePair<string, string>(h.Trim(), line[k + 1]))
                    .Where(kv => kv.Value.Length > 0), where)))
                throw new ConversionException($"{where}: {file} has a row already");
        }
        return rows;
    }

    /// <summary>RFC 4180 fields: commas, double-quoted fields with "" for a quote, CRLF or LF line ends.</summary>
    static List<List<string>> ReadCsv(string text, string path)
    {
        var lines = new List<List<string>>();
        var line = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; break;
                case ',': line.Add(field.ToString()); field.Clear(); break;
                case '\r': break;
                case '\n': line.Add(field.ToString()); field.Clear(); lines.Add(line); line = []; break;
                default: field.Append(c); break;
            }
        }
        if (quoted) throw new ConversionException($"{path}: a quoted field is not closed");
        if (field.Length > 0 || line.Count > 0) { line.Add(field.ToString()); lines.Add(line); }
        return lines;
    }
}
