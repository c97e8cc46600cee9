using System.Text;
using Dapper;
using Mira.Dicom.Values;
using Mira.Storage.Index;

namespace Mira.Storage.Query;

/// <summary>
/// Translates QIDO-RS matching keys into SQL conditions following PS3.4 §C.2.2.2: single value matching
/// (§C.2.2.2.1; case-sensitive, except Person Names which Mira matches case-insensitively on each component group),
/// universal matching for empty values (§C.2.2.2.3), wildcard matching with '*' and '?' (§C.2.2.2.4), range matching of
/// dates and times (§C.2.2.2.5) and list of UID matching (§C.2.2.2.2). Values are always bound as parameters.
/// </summary>
internal sealed class QidoSqlBuilder(StorageDatabase db, QidoLevel level)
{
    readonly List<string> conditions = [];
    int next;

    public DynamicParameters Parameters { get; } = new();

    /// <summary>Matching keys the index cannot match on (ignored, as PS3.18 §8.3.4.1 allows; the caller may warn).</summary>
    public List<QidoMatch> Unsupported { get; } = [];

    public string Where => conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);

    string P(object? value)
    {
        var name = "p" + next++;
        Parameters.Add(name, value);
        return "@" + name;
    }

    public void AddEquals(string column, string value) => conditions.Add($"{column} = {P(value)}");

    /// <summary>Date/Time attribute pairs whose ranges combine into one date-time range (PS3.4 §C.2.2.2.5.1).</summary>
    static readonly (Mira.Dicom.DicomTag Date, Mira.Dicom.DicomTag Time)[] DateTimePairs =
    [
        (Mira.Dicom.DicomTags.StudyDate, Mira.Dicom.DicomTags.StudyTime),
        (Mira.Dicom.DicomTags.PerformedProcedureStepStartDate, Mira.Dicom.DicomTags.PerformedProcedureStepStartTime),
    ];

    /// <summary>
    /// Adds every matching key. When a Date and its paired Time are both given as ranges, they are matched as one
    /// date-time range, as PS3.4 §C.2.2.2.5.1 requires: <c>StudyDate=20240105-20240107&amp;StudyTime=1000-1800</c>
    /// finds studies from 5 January 10:00 to 7 January 18:00, not only those between 10:00 and 18:00 on each day.
    /// An instance without a time matches on its date alone.
    /// </summary>
    public void AddAll(IEnumerable<QidoMatch> matches)
    {
        var list = matches.ToList();
        foreach (var (dateTag, timeTag) in DateTimePairs)
        {
            var d = list.FirstOrDefault(m => m.Path.Count == 1 && m.Path[0] == dateTag);
            var t = list.FirstOrDefault(m => m.Path.Count == 1 && m.Path[0] == timeTag);
            if (d is null || t is null || !d.Value.Contains('-') || !t.Value.Contains('-')) continue;
            var da = QidoAttributes.Find(d.Path);
            var ta = QidoAttributes.Find(t.Path);
            if (da is null || ta is null || da.Level > level || ta.Level > level) continue;
            if (!DicomDateRange.TryParse(d.Value, out var dr)) throw new QidoQueryException($"{d.Tag}: '{d.Value}' is not a date or date range");
            if (!DicomTimeRange.TryParse(t.Value, out var tr)) throw new QidoQueryException($"{t.Tag}: '{t.Value}' is not a time or time range");
            Bound(da.Column, ta.Column, dr.Lower is { } dl ? QidoValues.DateKey(dl) : null, tr.Lower is { } tl ? tl.Start.Ticks / 10 : null, ">");
            Bound(da.Column, ta.Column, dr.Upper is { } du ? QidoValues.DateKey(du) : null, tr.Upper is { } tu ? tu.End.Ticks / 10 : null, "<");
            list.Remove(d);
            list.Remove(t);
        }
        foreach (var m in list) Add(m);
    }

    /// <summary>One end of a combined date-time range: past the date, or on the date and past the time.</summary>
    void Bound(string dateColumn, string timeColumn, long? date, long? time, string op)
    {
        if (date is null)
        {
            if (time is { } only) conditions.Add($"({timeColumn} IS NULL OR {timeColumn} {op}= {P(only)})");
            return;
        }
        if (time is null)
        {
            conditions.Add($"{dateColumn} {op}= {P(date)}");
            return;
        }
        var pd = P(date);
        conditions.Add($"({dateColumn} {op} {pd} OR ({dateColumn} = {pd} AND ({timeColumn} IS NULL OR {timeColumn} {op}= {P(time)})))");
    }

    public void Add(QidoMatch match)
    {
        var attr = QidoAttributes.Find(match.Path);
        if (attr is null || attr.Level > level)
        {
            Unsupported.Add(match);
            return;
        }
        var value = match.Value;
        if (value.Length == 0 || value == "*") return; // universal matching
        switch (attr.Kind)
        {
            case QidoMatchKind.Uid:
                var uids = value.Split('\\', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                conditions.Add(uids.Length == 1 ? $"{attr.Column} = {P(uids[0])}" : db.InList(attr.Column, P(uids)));
                break;
            case QidoMatchKind.CodeList:
                conditions.Add(IsWildcard(value) ? Wildcard(attr.Column, value) : db.InList(attr.Column, P(Split(value))));
                break;
            case QidoMatchKind.ModalitiesInStudy:
                conditions.Add($"EXISTS (SELECT 1 FROM series ms WHERE ms.study_fk = st.id AND {db.InList("ms.modality", P(Split(value)))})");
                break;
            case QidoMatchKind.Text:
                conditions.Add(IsWildcard(value) ? Wildcard(attr.Column, value) : $"{attr.Column} = {P(value)}");
                break;
            case QidoMatchKind.Integer:
                conditions.Add(QidoValues.IntKey(value) is { } i ? $"{attr.Column} = {P(i)}"
                    : throw new QidoQueryException($"{match.Tag} needs an integer, not '{value}'"));
                break;
            case QidoMatchKind.PersonName:
                conditions.Add(PersonName(attr.Column, value));
                break;
            case QidoMatchKind.Date:
                if (!DicomDateRange.TryParse(value, out var dr)) throw new QidoQueryException($"{match.Tag}: '{value}' is not a date or date range");
                Range(attr.Column, dr.Lower is { } dl ? QidoValues.DateKey(dl) : null, dr.Upper is { } du ? QidoValues.DateKey(du) : null);
                break;
            case QidoMatchKind.Time:
                if (!DicomTimeRange.TryParse(value, out var tr)) throw new QidoQueryException($"{match.Tag}: '{value}' is not a time or time range");
                Range(attr.Column, tr.Lower is { } tl ? tl.Start.Ticks / 10 : null, tr.Upper is { } tu ? tu.End.Ticks / 10 : null);
                break;
        }
    }

    static string[] Split(string value) => value.Split('\\', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    void Range(string column, long? lower, long? upper)
    {
        if (lower is { } lo) conditions.Add($"{column} >= {P(lo)}");
        if (upper is { } hi) conditions.Add($"{column} <= {P(hi)}");
    }

    /// <summary>
    /// Person Name matching on the normalised group columns: a value with '=' matches group by group; a value
    /// without matches when any group (alphabetic, ideographic or phonetic) does, so <c>Wang*</c> and <c>王*</c>
    /// both find <c>Wang^XiaoDong=王^小東</c>.
    /// </summary>
    string PersonName(string column, string value)
    {
        string[] suffixes = ["_a", "_i", "_p"];
        if (value.Contains('='))
        {
            var groups = value.Split('=');
            var parts = new List<string>();
            for (var g = 0; g < Math.Min(3, groups.Length); g++)
                if (groups[g].Length > 0 && groups[g] != "*") parts.Add(One(column + suffixes[g], groups[g]));
            return parts.Count == 0 ? "1 = 1" : "(" + string.Join(" AND ", parts) + ")";
        }
        return "(" + string.Join(" OR ", suffixes.Select(s => One(column + s, value))) + ")";

        string One(string col, string v)
        {
            var key = IsWildcard(v) ? v.ToUpperInvariant() : PersonNameKey.Normalise(v);
            return IsWildcard(key) ? Wildcard(col, key) : $"{col} = {P(key)}";
        }
    }

    static bool IsWildcard(string v) => v.Contains('*') || v.Contains('?');

    /// <summary>SQLite: GLOB (case-sensitive; '[' escaped as <c>[[]</c>). PostgreSQL: LIKE with '\' escaping '%', '_' and '\'.</summary>
    string Wildcard(string column, string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 8);
        if (db.Provider == StorageProvider.Sqlite)
        {
            foreach (var c in pattern) sb.Append(c == '[' ? "[[]" : c.ToString());
            return $"{column} GLOB {P(sb.ToString())}";
        }
        foreach (var c in pattern)
            sb.Append(c switch { '*' => "%", '?' => "_", '%' => "\\%", '_' => "\\_", '\\' => "\\\\", _ => c.ToString() });
        return $"{column} LIKE {P(sb.ToString())} ESCAPE '\\'";
    }
}
