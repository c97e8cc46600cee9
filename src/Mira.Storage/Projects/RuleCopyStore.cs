using Dapper;

namespace Mira.Storage.Projects;

/// <summary>A rule copy's state: waiting (first try or a retry), or given up after the last allowed attempt.</summary>
public static class RuleCopyStates
{
    public const string Pending = "pending";
    public const string Failed = "failed";
}

/// <summary>
/// One copy a project rule asked for: the intake instance <see cref="SopInstanceUid"/>, which arrived from
/// <see cref="AeTitle"/> (over DIMSE) or was uploaded by <see cref="Uploader"/> (over STOW-RS; its AE title is empty),
/// into <see cref="Project"/>. <see cref="Attempts"/> counts failed tries; <see cref="LastError"/> says why the last
/// one failed.
/// </summary>
public sealed record RuleCopy(string Project, string SopInstanceUid, string AeTitle, DateTimeOffset Queued, int Attempts, string? LastError,
    DateTimeOffset NextAttempt, string State, string? Uploader = null)
{
    /// <summary>The rule that queued it.</summary>
    public ProjectRule Rule => Uploader is { } u ? new(Project, ProjectRuleKinds.Uploader, u) : new(Project, ProjectRuleKinds.AeTitle, AeTitle);
}

/// <summary>
/// The durable queue of rule copies (<c>mira_project_rule_copies</c> in the intake database, beside the project
/// tables): one row per project and intake SOP Instance UID, written when an instance from a ruled AE title or
/// uploader is stored (before the C-STORE or STOW-RS response), deleted when the copy is done, kept with its attempts and last error while it is
/// retried, and kept as <see cref="RuleCopyStates.Failed"/> once the retries are used up.
/// </summary>
public sealed class RuleCopyStore
{
    readonly StorageDatabase db;

    RuleCopyStore(StorageDatabase db) => this.db = db;

    public static async Task<RuleCopyStore> OpenAsync(StorageDatabase db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        foreach (var sql in new[]
                 {
                     """
                     CREATE TABLE IF NOT EXISTS mira_project_rule_copies (
                         project TEXT NOT NULL,
                         sop_instance_uid TEXT NOT NULL,
                         ae_title TEXT NOT NULL,
                         queued_us BIGINT NOT NULL,
                         attempts INTEGER NOT NULL,
                         last_error TEXT,
                         next_attempt_us BIGINT NOT NULL,
                         state TEXT NOT NULL,
                         PRIMARY KEY (project, sop_instance_uid))
                     """,
                     "CREATE INDEX IF NOT EXISTS mira_project_rule_copies_due ON mira_project_rule_copies (state, next_attempt_us)",
                 })
            await c.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
        await AddUploaderColumnAsync(db, c, ct);
        return new RuleCopyStore(db);
    }

    /// <summary>
    /// Upgrades a queue created before uploader rules: the nullable <c>uploader</c> column (null for DIMSE arrivals).
    /// Idempotent: PostgreSQL has <c>ADD COLUMN IF NOT EXISTS</c>; SQLite has not, so the column is looked up first and
    /// a node that lost the race to add it finds it there.
    /// </summary>
    static async Task AddUploaderColumnAsync(StorageDatabase db, System.Data.Common.DbConnection c, CancellationToken ct)
    {
        if (db.Provider == StorageProvider.PostgreSql)
        {
            await c.ExecuteAsync(new CommandDefinition("ALTER TABLE mira_project_rule_copies ADD COLUMN IF NOT EXISTS uploader TEXT", cancellationToken: ct));
            return;
        }
        const string exists = "SELECT COUNT(*) FROM pragma_table_info('mira_project_rule_copies') WHERE name = 'uploader'";
        if (await c.ExecuteScalarAsync<long>(new CommandDefinition(exists, cancellationToken: ct)) > 0) return;
        try
        {
            await c.ExecuteAsync(new CommandDefinition("ALTER TABLE mira_project_rule_copies ADD COLUMN uploader TEXT", cancellationToken: ct));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            if (await c.ExecuteScalarAsync<long>(new CommandDefinition(exists, cancellationToken: ct)) == 0) throw;
        }
    }

    static long Us(DateTimeOffset t) => t.ToUnixTimeMilliseconds() * 1000;

    static DateTimeOffset FromUs(long us) => DateTimeOffset.FromUnixTimeMilliseconds(us / 1000);

    /// <summary>
    /// Queues the copy of an intake instance into every project with a rule for <paramref name="aeTitle"/>; returns
    /// how many projects that is. A copy already queued (or given up) for the same project and instance is reset to a
    /// fresh pending one, so a resend retries it and nothing is queued twice. Without a rule this only reads.
    /// </summary>
    public async Task<int> EnqueueAsync(string aeTitle, string sopInstanceUid, DateTimeOffset now, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        // Readers do not wait for the ingest writer; most arrivals come from AE titles without a rule.
        var rules = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mira_project_rules WHERE ae_title = @aeTitle", new { aeTitle }, cancellationToken: ct));
        if (rules == 0) return 0;
        // SQLite needs the WHERE before ON CONFLICT to parse the upsert of an INSERT … SELECT.
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_project_rule_copies (project, sop_instance_uid, ae_title, queued_us, attempts, last_error, next_attempt_us, state)
            SELECT r.project, @sopInstanceUid, @aeTitle, @now, 0, NULL, @now, '{RuleCopyStates.Pending}' FROM mira_project_rules r WHERE r.ae_title = @aeTitle
            ON CONFLICT (project, sop_instance_uid) DO UPDATE SET ae_title = excluded.ae_title, uploader = NULL, attempts = 0, last_error = NULL,
                next_attempt_us = excluded.next_attempt_us, state = excluded.state
            """, new { aeTitle, sopInstanceUid, now = Us(now) }, cancellationToken: ct));
    }

    /// <summary>
    /// Queues the copies of instances stored over STOW-RS by <paramref name="uploader"/> into every project with an
    /// uploader rule for that account, in one transaction (all or none); returns the number of rows written. As for
    /// <see cref="EnqueueAsync"/>, a copy already queued is reset to a fresh pending one, and without a rule this only
    /// reads.
    /// </summary>
    public async Task<int> EnqueueUploadsAsync(string uploader, IReadOnlyList<string> sopInstanceUids, DateTimeOffset now, CancellationToken ct = default)
    {
        if (sopInstanceUids.Count == 0) return 0;
        await using var c = await db.OpenAsync(ct);
        var rules = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mira_project_uploader_rules WHERE user_name = @uploader", new { uploader }, cancellationToken: ct));
        if (rules == 0) return 0;
        await using var tx = await c.BeginTransactionAsync(ct);
        var queued = 0;
        foreach (var sopInstanceUid in sopInstanceUids)
            queued += await c.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO mira_project_rule_copies (project, sop_instance_uid, ae_title, uploader, queued_us, attempts, last_error, next_attempt_us, state)
                SELECT r.project, @sopInstanceUid, '', @uploader, @now, 0, NULL, @now, '{RuleCopyStates.Pending}' FROM mira_project_uploader_rules r
                WHERE r.user_name = @uploader
                ON CONFLICT (project, sop_instance_uid) DO UPDATE SET ae_title = excluded.ae_title, uploader = excluded.uploader, attempts = 0,
                    last_error = NULL, next_attempt_us = excluded.next_attempt_us, state = excluded.state
                """, new { uploader, sopInstanceUid, now = Us(now) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return queued;
    }

    /// <summary>
    /// Drops the copies a removed rule had queued and not made: pending ones (they are not made) and given-up ones.
    /// Returns how many of each were dropped.
    /// </summary>
    public async Task<(int Pending, int Failed)> RemoveForRuleAsync(ProjectRule rule, CancellationToken ct = default)
    {
        var match = rule.Kind == ProjectRuleKinds.Uploader ? "uploader = @Source" : "ae_title = @Source AND uploader IS NULL";
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        async Task<int> DropAsync(string state) => await c.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM mira_project_rule_copies WHERE project = @Project AND {match} AND state = @state", new { rule.Project, rule.Source, state }, tx,
            cancellationToken: ct));
        var pending = await DropAsync(RuleCopyStates.Pending);
        var failed = await DropAsync(RuleCopyStates.Failed);
        await tx.CommitAsync(ct);
        return (pending, failed);
    }

    sealed class Row
    {
        public string project { get; set; } = "";
        public string sop_instance_uid { get; set; } = "";
        public string ae_title { get; set; } = "";
        public long queued_us { get; set; }
        public int attempts { get; set; }
        public string? last_error { get; set; }
        public long next_attempt_us { get; set; }
        public string state { get; set; } = "";
        public string? uploader { get; set; }
        public RuleCopy ToCopy() => new(project, sop_instance_uid, ae_title, FromUs(queued_us), attempts, last_error, FromUs(next_attempt_us), state, uploader);
    }

    const string Columns = "project, sop_instance_uid, ae_title, queued_us, attempts, last_error, next_attempt_us, state, uploader";

    /// <summary>Pending copies whose time has come, oldest first.</summary>
    public async Task<IReadOnlyList<RuleCopy>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM mira_project_rule_copies WHERE state = '{RuleCopyStates.Pending}' AND next_attempt_us <= @now
            ORDER BY next_attempt_us, queued_us, project, sop_instance_uid LIMIT @limit
            """, new { now = Us(now), limit }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToCopy())];
    }

    /// <summary>When the next pending copy is due (possibly in the past), or null when none is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var us = await c.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT MIN(next_attempt_us) FROM mira_project_rule_copies WHERE state = '{RuleCopyStates.Pending}'", cancellationToken: ct));
        return us is { } v ? FromUs(v) : null;
    }

    /// <summary>The queue's rows: all, or those of one project and/or state; oldest first.</summary>
    public async Task<IReadOnlyList<RuleCopy>> ListAsync(string? project = null, string? state = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition($"""
            SELECT {Columns} FROM mira_project_rule_copies
            WHERE (@project IS NULL OR project = @project) AND (@state IS NULL OR state = @state)
            ORDER BY queued_us, project, sop_instance_uid
            """, new { project, state }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToCopy())];
    }

    /// <summary>The copy is done (copied, already there, quarantined, or moot): its row goes.</summary>
    public async Task CompleteAsync(string project, string sopInstanceUid, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_project_rule_copies WHERE project = @project AND sop_instance_uid = @sopInstanceUid",
            new { project, sopInstanceUid }, cancellationToken: ct));
    }

    /// <summary>
    /// Records a failed attempt: one more attempt and its error, and either the time of the next try or, with
    /// <paramref name="retryAt"/> null, the end of the retries (state <see cref="RuleCopyStates.Failed"/>).
    /// </summary>
    public async Task RecordFailureAsync(string project, string sopInstanceUid, string error, DateTimeOffset? retryAt, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_project_rule_copies SET attempts = attempts + 1, last_error = @error, next_attempt_us = COALESCE(@retry, next_attempt_us),
                state = @state
            WHERE project = @project AND sop_instance_uid = @sopInstanceUid
            """, new
        {
            project, sopInstanceUid, error, retry = retryAt is { } r ? Us(r) : (long?)null,
            state = retryAt is null ? RuleCopyStates.Failed : RuleCopyStates.Pending,
        }, cancellationToken: ct));
    }
}
