using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Workitems;

/// <summary>
/// The work items' rows (<see cref="WorkitemSchema"/>). SQL only: the state machine and who may do what are the
/// platform's business. Every change is a compare-and-set on the state and Transaction UID read before it, so two
/// performers racing for one item never both win.
/// </summary>
public sealed partial class WorkitemStore(StorageDatabase db)
{
    /// <summary>The most rows one search reads from the table before the data set matching (docs/workitems.md, limits).</summary>
    public const int SearchCap = 5000;

    sealed class Row
    {
        public string uid { get; set; } = "";
        public string state { get; set; } = "";
        public string? transaction_uid { get; set; }
        public long? scheduled_start_us { get; set; }
        public string priority { get; set; } = "";
        public string? worklist_label { get; set; }
        public string? input_study { get; set; }
        public string? input_series { get; set; }
        public string? performer { get; set; }
        public string creator { get; set; } = "";
        public string dataset { get; set; } = "";
        public long created_us { get; set; }
        public long updated_us { get; set; }

        public WorkitemRecord ToRecord() => new(uid, state, transaction_uid, scheduled_start_us is { } s ? FromMicros(s) : null, priority,
            worklist_label, input_study, SplitSeries(input_series), performer, creator, dataset, FromMicros(created_us), FromMicros(updated_us));
    }

    const string Columns = "uid, state, transaction_uid, scheduled_start_us, priority, worklist_label, input_study, input_series, performer, "
                           + "creator, dataset, created_us, updated_us";

    static IReadOnlyList<string> SplitSeries(string? s) => string.IsNullOrEmpty(s) ? [] : s.Split('\\');

    static object Parameters(WorkitemRecord r) => new
    {
        r.Uid, r.State, r.TransactionUid, start = r.ScheduledStart is { } s ? ToMicros(s) : (long?)null, r.Priority, r.WorklistLabel,
        r.InputStudy, series = r.InputSeries.Count == 0 ? null : string.Join('\\', r.InputSeries), r.Performer, r.Creator,
        r.DatasetJson, created = ToMicros(r.Created), updated = ToMicros(r.Updated),
    };

    /// <summary>Adds a work item; false (nothing changed) when one with its UID exists.</summary>
    public async Task<bool> AddAsync(WorkitemRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_workitems ({Columns}) VALUES (@Uid, @State, @TransactionUid, @start, @Priority, @WorklistLabel, @InputStudy,
                @series, @Performer, @Creator, @DatasetJson, @created, @updated)
            ON CONFLICT (uid) DO NOTHING
            """, Parameters(r), cancellationToken: ct)) == 1;
    }

    public async Task<WorkitemRecord?> GetAsync(string uid, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mira_workitems WHERE uid = @uid", new { uid }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>
    /// Writes <paramref name="updated"/> (every column but the UID, creator and creation time) when the row is still in
    /// <paramref name="expectedState"/> with <paramref name="expectedTransaction"/>; false when another change came first.
    /// </summary>
    public async Task<bool> ReplaceAsync(WorkitemRecord updated, string expectedState, string? expectedTransaction, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_workitems SET state = @State, transaction_uid = @TransactionUid, scheduled_start_us = @start, priority = @Priority,
                worklist_label = @WorklistLabel, input_study = @InputStudy, input_series = @series, performer = @Performer,
                dataset = @DatasetJson, updated_us = @updated
            WHERE uid = @Uid AND state = @expectedState
                AND (transaction_uid = @expectedTransaction OR (transaction_uid IS NULL AND @expectedTransaction IS NULL))
            """, new DynamicParameters(Parameters(updated)).Merged(new { expectedState, expectedTransaction }), cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// The rows the filter selects, most urgent first (priority HIGH, MEDIUM, LOW; then scheduled start; then creation),
    /// at most <see cref="SearchCap"/>.
    /// </summary>
    public async Task<IReadOnlyList<WorkitemRecord>> SearchAsync(WorkitemFilter f, CancellationToken ct = default)
    {
        var where = new List<string>();
        var p = new DynamicParameters();
        if (f.States is { Count: > 0 } states)
        {
            where.Add(db.InList("state", "@states"));
            p.Add("states", states.ToArray());
        }
        if (f.WorklistLabel is { } label) { where.Add("worklist_label = @label"); p.Add("label", label); }
        if (f.ScheduledFrom is { } from) { where.Add("scheduled_start_us >= @from"); p.Add("from", ToMicros(from)); }
        if (f.ScheduledTo is { } to) { where.Add("scheduled_start_us <= @to"); p.Add("to", ToMicros(to)); }
        if (f.InputStudy is { } study) { where.Add("input_study = @study"); p.Add("study", study); }
        if (f.Uid is { } uid) { where.Add("uid = @uid"); p.Add("uid", uid); }
        if (f.VisibleTo is { } who) { where.Add("(state = 'SCHEDULED' OR performer = @who)"); p.Add("who", who); }
        var sql = $"""
            SELECT {Columns} FROM mira_workitems {(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))}
            ORDER BY CASE priority WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END, scheduled_start_us, created_us, uid
            LIMIT {SearchCap}
            """;
        await using var c = await db.OpenAsync(ct);
        return [.. (await c.QueryAsync<Row>(new CommandDefinition(sql, p, cancellationToken: ct))).Select(r => r.ToRecord())];
    }

    /// <summary>
    /// The input series of the IN PROGRESS work items on <paramref name="study"/> that <paramref name="performer"/> holds:
    /// null when none; an empty list when one of them takes the whole study.
    /// </summary>
    public async Task<IReadOnlyList<string>?> HeldInputSeriesAsync(string performer, string study, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<string?>(new CommandDefinition(
            "SELECT input_series FROM mira_workitems WHERE input_study = @study AND performer = @performer AND state = 'IN PROGRESS'",
            new { study, performer }, cancellationToken: ct))).ToList();
        if (rows.Count == 0) return null;
        if (rows.Any(string.IsNullOrEmpty)) return [];
        return [.. rows.SelectMany(SplitSeries).Distinct(StringComparer.Ordinal)];
    }
}

static class DynamicParametersExtensions
{
    public static DynamicParameters Merged(this DynamicParameters p, object more)
    {
        p.AddDynamicParams(more);
        return p;
    }
}
