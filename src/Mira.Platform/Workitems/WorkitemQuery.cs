using Mira.Dicom;
using Mira.Dicom.Values;

namespace Mira.Platform.Workitems;

/// <summary>One matching key of a worklist search: an attribute path (top level, or a sequence then an attribute in its items) and a value.</summary>
public sealed record WorkitemMatchKey(IReadOnlyList<DicomTag> Path, string Value);

/// <summary>
/// A worklist search (PS3.18 §11.9, with the matching of PS3.4 §C.2.2.2 that QIDO-RS uses): the keys, and a page.
/// Single value matching, wildcards <c>*</c> and <c>?</c> on text, UID lists (<c>\</c>-separated), date-time ranges
/// (<c>from-to</c>) on DA/DT, and sequence matching (any item). An empty value matches everything (universal matching).
/// </summary>
public sealed record WorkitemQuery(IReadOnlyList<WorkitemMatchKey> Keys, int Offset = 0, int Limit = WorkitemQuery.DefaultLimit)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static WorkitemQuery All { get; } = new([]);

    /// <summary>The value of a top-level key, or null.</summary>
    public string? ValueOf(DicomTag tag) => Keys.FirstOrDefault(k => k.Path.Count == 1 && k.Path[0] == tag)?.Value is { Length: > 0 } v ? v : null;

    /// <summary>Whether a work item's data set matches every key.</summary>
    public bool Matches(DicomDataset ds) => Keys.All(k => Matches(ds, k.Path, 0, k.Value));

    static bool Matches(DicomDataset ds, IReadOnlyList<DicomTag> path, int at, string value)
    {
        if (value.Length == 0) return true;
        var tag = path[at];
        if (at < path.Count - 1)
            return ds.GetSequence(tag) is { } sq && sq.Items.Any(item => Matches(item, path, at + 1, value));
        var e = ds.Find(tag);
        if (e is null || e is DicomSequence) return false;
        var values = ds.GetStrings(tag);
        return e.VR switch
        {
            DicomVR.UI => value.Split('\\').Any(v => values.Contains(v, StringComparer.Ordinal)),
            DicomVR.DT => values.Any(v => InDateTimeRange(v, value)),
            DicomVR.DA => values.Any(v => InDateRange(v, value)),
            DicomVR.PN => values.Any(v => Wildcard(v, value, ignoreCase: true)),
            _ => values.Any(v => Wildcard(v, value, ignoreCase: false)),
        };
    }

    static bool InDateTimeRange(string stored, string range)
    {
        if (!DicomDateTime.TryParse(stored, out var v)) return false;
        if (!range.Contains('-', StringComparison.Ordinal) || range.StartsWith('+'))
            return DicomDateTime.TryParse(range, out var exact) && exact.Start(TimeSpan.Zero) == v.Start(TimeSpan.Zero);
        if (!DicomDateTimeRange.TryParse(range, out var r)) return false;
        var at = v.Start(TimeSpan.Zero);
        return (r.Lower is not { } lo || at >= lo.Start(TimeSpan.Zero)) && (r.Upper is not { } hi || at <= hi.End(TimeSpan.Zero));
    }

    static bool InDateRange(string stored, string range) =>
        DicomDate.TryParse(stored, out var d) && (range.Contains('-', StringComparison.Ordinal)
            ? DicomDateRange.TryParse(range, out var r) && r.Contains(d)
            : stored == range);

    /// <summary><c>*</c>: any run of characters; <c>?</c>: one character; everything else literal.</summary>
    public static bool Wildcard(string text, string pattern, bool ignoreCase)
    {
        if (ignoreCase)
        {
            text = text.ToUpperInvariant();
            pattern = pattern.ToUpperInvariant();
        }
        int t = 0, p = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { t++; p++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
