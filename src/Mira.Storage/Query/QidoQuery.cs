using System.Globalization;
using Mira.Dicom;

namespace Mira.Storage.Query;

/// <summary>The level a QIDO-RS query searches (PS3.18 §10.6.1: /studies, /series, /instances).</summary>
public enum QidoLevel { Study, Series, Instance }

/// <summary>One matching key: an attribute (or a sequence and an attribute of its items) and its value.</summary>
public sealed record QidoMatch(IReadOnlyList<DicomTag> Path, string Value)
{
    public DicomTag Tag => Path[^1];
}

/// <summary>A malformed QIDO-RS query (PS3.18 §8.3.4: 400 Bad Request).</summary>
public sealed class QidoQueryException(string message) : MiraException(message);

/// <summary>
/// A QIDO-RS query (PS3.18 §8.3.4 and §10.6.1.2): matching keys <c>{attribute}={value}</c> where the attribute is a
/// keyword or eight hex digits, optionally a sequence path joined by '.'; <c>includefield</c> (repeatable, comma
/// separated, or <c>all</c>); <c>limit</c>; <c>offset</c>; <c>fuzzymatching</c> (accepted, not applied).
/// </summary>
public sealed class QidoQuery
{
    /// <summary>The most results one query returns, whatever <see cref="Limit"/> asks.</summary>
    public const int MaxLimit = 10000;

    public IReadOnlyList<QidoMatch> Matches { get; init; } = [];
    public IReadOnlyList<IReadOnlyList<DicomTag>> IncludeFields { get; init; } = [];
    public bool IncludeAll { get; init; }
    public int? Limit { get; init; }
    public int Offset { get; init; }
    public bool FuzzyMatching { get; init; }

    public static QidoQuery Empty { get; } = new();

    /// <summary>Parses a URL query string (<c>a=b&amp;c=d</c>, percent-encoded).</summary>
    public static QidoQuery Parse(string queryString)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
            pairs.Add(eq < 0 ? new(Decode(part), "") : new(Decode(part[..eq]), Decode(part[(eq + 1)..])));
        }
        return Parse(pairs);
    }

    /// <summary>Parses decoded query parameters; throws <see cref="QidoQueryException"/> when one is invalid.</summary>
    public static QidoQuery Parse(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var matches = new List<QidoMatch>();
        var include = new List<IReadOnlyList<DicomTag>>();
        bool all = false, fuzzy = false;
        int? limit = null;
        var offset = 0;
        foreach (var (key, value) in parameters)
        {
            switch (key.ToLowerInvariant())
            {
                case "includefield":
                    foreach (var f in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        if (f.Equals("all", StringComparison.OrdinalIgnoreCase)) all = true;
                        else include.Add(ParsePath(f));
                    break;
                case "limit":
                    limit = ParseCount(key, value);
                    break;
                case "offset":
                    offset = ParseCount(key, value);
                    break;
                case "fuzzymatching":
                    fuzzy = value.Equals("true", StringComparison.OrdinalIgnoreCase);
                    break;
                default:
                    var path = ParsePath(key);
                    if (matches.Any(m => m.Path.SequenceEqual(path))) throw new QidoQueryException($"matching key '{key}' is given twice");
                    matches.Add(new QidoMatch(path, value));
                    break;
            }
        }
        return new QidoQuery { Matches = matches, IncludeFields = include, IncludeAll = all, Limit = limit, Offset = offset, FuzzyMatching = fuzzy };
    }

    static int ParseCount(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new QidoQueryException($"'{key}' must be a non-negative integer, not '{value}'");

    /// <summary>An attribute path: keywords or 8-hex tags joined by '.' (PS3.18 §8.3.4.1 attributeID).</summary>
    public static IReadOnlyList<DicomTag> ParsePath(string text)
    {
        var parts = text.Split('.');
        var path = new DicomTag[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i].Trim();
            if (p.Length == 8 && uint.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)) path[i] = new DicomTag(v);
            else if (DicomDictionary.Lookup(p) is { } entry) path[i] = entry.Tag;
            else throw new QidoQueryException($"'{p}' is neither a DICOM keyword nor a tag (8 hex digits)");
        }
        return path;
    }
}
