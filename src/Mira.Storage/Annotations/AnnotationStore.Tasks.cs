using System.Data.Common;
using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Annotations;

/// <summary>Tasks, their assignments and versions. State changes are conditional on the state read before (the
/// platform's rules ran on it), so two requests racing on one task cannot both move it.</summary>
public sealed partial class AnnotationStore
{
    sealed class TaskRow
    {
        public long id { get; set; }
        public string project { get; set; } = "";
        public string study_uid { get; set; } = "";
        public string? series_uid { get; set; }
        public string? sop_uid { get; set; }
        public string protocol { get; set; } = "";
        public long protocol_version { get; set; }
        public string state { get; set; } = "";
        public string? batch { get; set; }
        public long? due_us { get; set; }
        public long gold { get; set; }
        public long qc { get; set; }
        public string? agreement { get; set; }
        public string? comment { get; set; }
        public long reads_after { get; set; }
        public string created_by { get; set; } = "";
        public long created_us { get; set; }
        public long updated_us { get; set; }

        public AnnotationTaskRecord ToRecord() => new(id, project, study_uid, series_uid, sop_uid, protocol, (int)protocol_version, state, batch,
            due_us is { } d ? FromMicros(d) : null, gold != 0, qc != 0, agreement, comment, created_by, FromMicros(created_us), FromMicros(updated_us)) { ReadsAfter = (int)reads_after };
    }

    const string TaskColumns = "t.id, t.project, t.study_uid, t.series_uid, t.sop_uid, t.protocol, t.protocol_version, t.state, t.batch, t.due_us, " +
        "t.gold, t.qc, t.agreement, t.comment, t.reads_after, t.created_by, t.created_us, t.updated_us";

    /// <summary>Creates tasks with their assignments in one transaction (all or none); returns their ids in order.</summary>
    public async Task<IReadOnlyList<long>> CreateTasksAsync(IReadOnlyList<(NewAnnotationTask Task, IReadOnlyList<(string User, string Role)> People)> tasks,
        DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await BeginAsync(c, ct);
        var ids = new List<long>(tasks.Count);
        foreach (var (t, people) in tasks)
        {
            var id = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
                INSERT INTO mira_annotation_tasks (project, study_uid, series_uid, sop_uid, protocol, protocol_version, state, batch, due_us, gold, qc,
                    created_by, created_us, updated_us)
                VALUES (@Project, @StudyUid, @SeriesUid, @SopUid, @Protocol, @ProtocolVersion, @State, @Batch, @due, @gold, @qc, @CreatedBy, @now, @now)
                RETURNING id
                """, new
            {
                t.Project, t.StudyUid, t.SeriesUid, t.SopUid, t.Protocol, t.ProtocolVersion, t.State, t.Batch,
                due = t.Due is { } d ? ToMicros(d) : (long?)null, gold = t.Gold ? 1 : 0, qc = t.Qc ? 1 : 0, t.CreatedBy, now = ToMicros(now),
            }, tx, cancellationToken: ct));
            foreach (var (user, role) in people)
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO mira_annotation_assignments (task, user_name, role) VALUES (@id, @user, @role)", new { id, user, role }, tx, cancellationToken: ct));
            ids.Add(id);
        }
        await tx.CommitAsync(ct);
        return ids;
    }

    public async Task<AnnotationTaskRecord?> GetTaskAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<TaskRow>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM mira_annotation_tasks t WHERE t.id = @id", new { id }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>A project's tasks, optionally in one state, by id.</summary>
    public async Task<IReadOnlyList<AnnotationTaskRecord>> ListTasksAsync(string project, string? state = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TaskRow>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM mira_annotation_tasks t WHERE t.project = @project" + (state is null ? "" : " AND t.state = @state") + " ORDER BY t.id",
            new { project, state }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>The tasks a person is assigned to, with their role on each, by due date (none last) then id.</summary>
    public async Task<IReadOnlyList<(AnnotationTaskRecord Task, string Role)>> TasksOfAsync(string user, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TaskRow, string, (TaskRow, string)>(new CommandDefinition(
            $"""
            SELECT {TaskColumns}, a.role FROM mira_annotation_tasks t JOIN mira_annotation_assignments a ON a.task = t.id
            WHERE a.user_name = @user ORDER BY CASE WHEN t.due_us IS NULL THEN 1 ELSE 0 END, t.due_us, t.id
            """, new { user }, cancellationToken: ct), (t, r) => (t, r), splitOn: "role");
        return [.. rows.Select(r => (r.Item1.ToRecord(), r.Item2))];
    }

    /// <summary>Who holds which role on a task.</summary>
    public async Task<IReadOnlyList<TaskAssignmentRecord>> AssignmentsAsync(long task, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string User, string Role)>(new CommandDefinition(
            "SELECT user_name, role FROM mira_annotation_assignments WHERE task = @task ORDER BY role, user_name", new { task }, cancellationToken: ct));
        return [.. rows.Select(r => new TaskAssignmentRecord(task, r.User, r.Role))];
    }

    sealed class VersionRow
    {
        public long task { get; set; }
        public long number { get; set; }
        public string author { get; set; } = "";
        public string role { get; set; } = "";
        public string protocol { get; set; } = "";
        public long protocol_version { get; set; }
        public string tool { get; set; } = "";
        public string kind { get; set; } = "";
        public long created_us { get; set; }
        public string content_key { get; set; } = "";
        public string sop_uids { get; set; } = "";

        public AnnotationVersionRecord ToRecord() => new(task, (int)number, author, role, protocol, (int)protocol_version, tool, kind, FromMicros(created_us),
            content_key, sop_uids.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>A task's versions, by number.</summary>
    public async Task<IReadOnlyList<AnnotationVersionRecord>> VersionsAsync(long task, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<VersionRow>(new CommandDefinition("""
            SELECT task, number, author, role, protocol, protocol_version, tool, kind, created_us, content_key, sop_uids
            FROM mira_annotation_versions WHERE task = @task ORDER BY number
            """, new { task }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>
    /// Adds versions (numbered after the task's latest, in order, whatever their <see cref="AnnotationVersionRecord.Number"/>)
    /// while the task is in <paramref name="expectedState"/>, and moves it to <paramref name="newState"/> with
    /// <paramref name="agreementJson"/> and <paramref name="comment"/> when given, in one transaction. Null (nothing
    /// written) when the task is no longer in that state.
    /// </summary>
    public async Task<IReadOnlyList<int>?> AddVersionsAsync(long task, IReadOnlyList<AnnotationVersionRecord> versions, string expectedState, string newState,
        string? agreementJson, string? comment, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await BeginAsync(c, ct);
        if (!await MoveAsync(c, tx, task, expectedState, newState, agreementJson, comment, ToMicros(now), ct)) return null;
        var number = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(number), 0) FROM mira_annotation_versions WHERE task = @task", new { task }, tx, cancellationToken: ct));
        var numbers = new List<int>(versions.Count);
        foreach (var v in versions)
        {
            number++;
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mira_annotation_versions (task, number, author, role, protocol, protocol_version, tool, kind, created_us, content_key, sop_uids)
                VALUES (@task, @number, @Author, @Role, @Protocol, @ProtocolVersion, @Tool, @Kind, @created, @ContentKey, @uids)
                """, new { task, number, v.Author, v.Role, v.Protocol, v.ProtocolVersion, v.Tool, v.Kind, created = ToMicros(v.Created), v.ContentKey,
                uids = string.Join(' ', v.SopInstanceUids) }, tx, cancellationToken: ct));
            numbers.Add((int)number);
        }
        await tx.CommitAsync(ct);
        return numbers;
    }

    /// <summary>Moves a task from <paramref name="expectedState"/> to <paramref name="newState"/>; false when it was not in that state.</summary>
    /// <param name="restartReads">Set when a reviewer returns the task to its readers: only reads after the task's
    /// latest version count from then on (<see cref="AnnotationTaskRecord.ReadsAfter"/>), and the agreement is cleared.</param>
    public async Task<bool> TransitionAsync(long task, string expectedState, string newState, string? agreementJson, string? comment, DateTimeOffset now,
        bool restartReads = false, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await BeginAsync(c, ct);
        if (!await MoveAsync(c, tx, task, expectedState, newState, agreementJson, comment, ToMicros(now), ct)) return false;
        if (restartReads)
            await c.ExecuteAsync(new CommandDefinition("""
                UPDATE mira_annotation_tasks SET agreement = NULL,
                    reads_after = (SELECT COALESCE(MAX(number), 0) FROM mira_annotation_versions WHERE task = @task) WHERE id = @task
                """, new { task }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Marks tasks as drawn for quality-control review.</summary>
    public async Task MarkQcAsync(IReadOnlyCollection<long> tasks, CancellationToken ct = default)
    {
        if (tasks.Count == 0) return;
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE mira_annotation_tasks SET qc = 1 WHERE " + db.InList("id", "@ids"),
            new { ids = tasks.ToArray() }, cancellationToken: ct));
    }

    /// <summary>A null <paramref name="agreementJson"/> or <paramref name="comment"/> keeps the stored one.</summary>
    static async Task<bool> MoveAsync(DbConnection c, DbTransaction tx, long task, string expectedState, string newState, string? agreementJson, string? comment,
        long nowUs, CancellationToken ct) =>
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_annotation_tasks SET state = @newState, agreement = COALESCE(@agreementJson, agreement), comment = COALESCE(@comment, comment),
                updated_us = @nowUs
            WHERE id = @task AND state = @expectedState
            """, new { task, expectedState, newState, agreementJson, comment, nowUs }, tx, cancellationToken: ct)) == 1;
}
