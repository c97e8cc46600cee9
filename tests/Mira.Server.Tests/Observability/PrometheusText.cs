using System.Globalization;
using System.Text;

namespace Mira.Server.Tests.Observability;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",…} value [timestamp]</c>.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Label, string Value)[] labels) => labels.All(l => Labels.TryGetValue(l.Label, out var v) && v == l.Value);
}

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4 (the exposition formats' "Text format details"): comments and
/// <c># TYPE</c>/<c># HELP</c> lines, then one sample per line with quoted, escaped label values. A malformed line fails
/// the test rather than being skipped, so a test never passes on a loose match.
/// </summary>
public sealed class PrometheusText
{
    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>The <c># TYPE</c> of each metric family.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    PrometheusText(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types) => (Samples, Types) = (samples, types);

    public IEnumerable<PrometheusSample> Named(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The sum of the samples named <paramref name="name"/> with these labels (0 when there are none: a counter not yet incremented).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Named(name).Where(s => s.Has(labels)).Sum(s => s.Value);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var words = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 4 && words[1] == "TYPE") types[words[2]] = words[3];
                continue;
            }
            samples.Add(ParseSample(line, lineNumber));
        }
        return new PrometheusText(samples, types);
    }

    static PrometheusSample ParseSample(string line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        if (i == 0) throw Bad("no metric name");
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i >= line.Length) throw Bad("unterminated label set");
                if (line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                var label = line[start..i];
                if (label.Length == 0 || i + 1 >= line.Length || line[i] != '=' || line[i + 1] != '"') throw Bad($"label at column {start}");
                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw Bad("unterminated label value");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c != '\\') { value.Append(c); continue; }
                    if (i >= line.Length) throw Bad("dangling escape");
                    var e = line[i++];
                    value.Append(e switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw Bad($"escape \\{e}") });
                }
                if (!labels.TryAdd(label, value.ToString())) throw Bad($"label {label} twice");
                if (i < line.Length && line[i] == ',') i++;
            }
        }
        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2) throw Bad("expected a value and an optional timestamp");
        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw Bad($"value '{v}'"),
        };
        return new PrometheusSample(name, labels, number);

        FormatException Bad(string what) => new($"Prometheus text line {lineNumber}: {what}: {line}");
    }
}
