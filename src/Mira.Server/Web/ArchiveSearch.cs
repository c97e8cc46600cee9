using System.Globalization;
using System.Text.RegularExpressions;
using Mira.Dicom;
using Mira.Storage.Query;

namespace Mira.Server.Web;

/// <summary>
/// The archive browser's search form (a GET form: the query string is the search, so a result page can be
/// bookmarked) turned into a QIDO-RS study query for the index, the same matching as <c>/dicomweb/studies</c>:
/// Patient's Name with '*' and '?' wildcards (PS3.4 §C.2.2.2.4; components case-insensitive in Mira), Patient ID
/// and Accession Number (single value or wildcard), a Study Date range (§C.2.2.2.5), Modalities in Study.
/// </summary>
public sealed partial record ArchiveSearch(string? PatientName, string? PatientId, string? From, string? To, string? Modality, string? Accession, int Offset)
{
    /// <summary>Studies per page.</summary>
    public const int PageSize = 25;

    /// <summary>The longest value a text field takes (PS3.5 §6.2: LO and each PN component group, 64 characters).</summary>
    const int MaxLength = 64;

    /// <summary>The most studies one can page through (QIDO-RS's own cap on a query's results).</summary>
    public const int MaxOffset = QidoQuery.MaxLimit;

    /// <summary>Modality values the form offers (PS3.3 §C.7.3.1.1.1 defined terms).</summary>
    public static IReadOnlyList<string> Modalities { get; } = ["CT", "MR", "PT", "NM", "CR", "DX", "MG", "US", "XA", "RF", "OT", "SEG", "SR"];

    /// <summary>What the pages show of a study besides QIDO-RS's study defaults (PS3.18 Table 10.6.3-3).</summary>
    public static IReadOnlyList<IReadOnlyList<DicomTag>> StudyFields { get; } = [[DicomTags.StudyDescription]];

    public bool IsEmpty => new[] { PatientName, PatientId, From, To, Modality, Accession }.All(string.IsNullOrWhiteSpace);

    /// <summary>The QIDO-RS query for one page (one study more than shown, to know whether a next page exists), or
    /// a message naming the field that is wrong.</summary>
    public QidoQuery ToQuery(out string? error)
    {
        error = null;
        var pairs = new List<KeyValuePair<string, string>>();
        string? Text(string label, string? value, string keyword)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            var v = value.Trim();
            if (v.Length > MaxLength) return $"{label}: at most {MaxLength} characters.";
            if (v.Contains('\\')) return $"{label}: '\\' separates multiple values in DICOM and is not accepted here.";
            pairs.Add(new(keyword, v));
            return null;
        }
        error = Text("Patient name", PatientName, "PatientName") ?? Text("Patient ID", PatientId, "PatientID") ?? Text("Accession number", Accession, "AccessionNumber");
        if (error is not null) return QidoQuery.Empty;
        if (!string.IsNullOrWhiteSpace(Modality))
        {
            var m = Modality.Trim().ToUpperInvariant();
            if (!CodeString().IsMatch(m))
            {
                error = $"Modality: '{Shorten(Modality)}' is not a modality (letters, digits and '_', at most 16).";
                return QidoQuery.Empty;
            }
            pairs.Add(new("ModalitiesInStudy", m));
        }
        var fromError = Date("From", From, out var from);
        var toError = Date("To", To, out var to);
        if ((fromError ?? toError) is { } dateError)
        {
            error = dateError;
            return QidoQuery.Empty;
        }
        if (from is not null && to is not null && string.CompareOrdinal(from, to) > 0)
        {
            error = "Study date: 'From' is after 'To'.";
            return QidoQuery.Empty;
        }
        if (from is not null || to is not null) pairs.Add(new("StudyDate", $"{from}-{to}"));
        if (Offset is < 0 or > MaxOffset)
        {
            error = $"offset: a number from 0 to {MaxOffset}.";
            return QidoQuery.Empty;
        }
        try
        {
            var parsed = QidoQuery.Parse(pairs);
            return new QidoQuery { Matches = parsed.Matches, IncludeFields = StudyFields, Limit = PageSize + 1, Offset = Offset };
        }
        catch (QidoQueryException e)
        {
            error = e.Message;
            return QidoQuery.Empty;
        }
    }

    /// <summary>A form date (YYYY-MM-DD, as <c>&lt;input type=date&gt;</c> sends it) as a DICOM DA (YYYYMMDD).</summary>
    static string? Date(string label, string? value, out string? da)
    {
        da = null;
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return $"{label}: '{Shorten(value)}' is not a date (YYYY-MM-DD).";
        da = d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>This search's query string with another offset (for the pager links).</summary>
    public string QueryString(int offset)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) parts.Add(name + "=" + Uri.EscapeDataString(value.Trim()));
        }
        Add("name", PatientName);
        Add("pid", PatientId);
        Add("from", From);
        Add("to", To);
        Add("modality", Modality);
        Add("accession", Accession);
        if (offset > 0) parts.Add("offset=" + offset.ToString(CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    static string Shorten(string s) => s.Length > 40 ? s[..40] + "…" : s;

    [GeneratedRegex("^[A-Z0-9_]{1,16}$")]
    private static partial Regex CodeString();
}
