using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Evaluations;

/// <summary>Phases and evaluations (<see cref="EvaluationSchema"/>). SQL only: the rules are the platform's.</summary>
public sealed class EvaluationStore(StorageDatabase db)
{
    sealed class PhaseRow
    {
        public string id { get; set; } = "";
        public string project { get; set; } = "";
        public string title { get; set; } = "";
        public string protocol { get; set; } = "";
        public string release_id { get; set; } = "";
        public string spec { get; set; } = "";
        public long opens_us { get; set; }
        public long? closes_us { get; set; }
        public long max_submissions { get; set; }
        public long max_per_day { get; set; }
        public string created_by { get; set; } = "";
        public long created_us { get; set; }
        public EvaluationPhaseRecord ToRecord() => new(id, project, title, protocol, release_id, spec, FromMicros(opens_us),
            closes_us is { } c ? FromMicros(c) : null, (int)max_submissions, (int)max_per_day, created_by, FromMicros(created_us));
    }

    sealed class EvaluationRow
    {
        public long id { get; set; }
        public string? phase { get; set; }
        public string model_name { get; set; } = "";
        public string model_version { get; set; } = "";
        public string model_sha256 { get; set; } = "";
        public string submitter { get; set; } = "";
        public string state { get; set; } = "";
        public long? job { get; set; }
        public long submitted_us { get; set; }
        public long? finished_us { get; set; }
        public double? score { get; set; }
        public string? summary { get; set; }
        public string? report_sha256 { get; set; }
        public string? key_id { get; set; }
        public string? error { get; set; }
        public EvaluationRecord ToRecord() => new(id, phase, model_name, model_version, model_sha256, submitter, state, job, FromMicros(submitted_us),
            finished_us is { } f ? FromMicros(f) : null, score, summary, report_sha256, key_id, error);
    }

    const string PhaseColumns = "id, project, title, protocol, release_id, spec, opens_us, closes_us, max_submissions, max_per_day, created_by, created_us";
    const string EvaluationColumns = "id, phase, model_name, model_version, model_sha256, submitter, state, job, submitted_us, finished_us, score, summary, report_sha256, key_id, error";

    /// <summary>Adds a phase; false when the id is taken.</summary>
    public async Task<bool> AddPhaseAsync(EvaluationPhaseRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_evaluation_phases ({PhaseColumns})
            VALUES (@Id, @Project, @Title, @Protocol, @ReleaseId, @SpecJson, @opens, @closes, @MaxSubmissions, @MaxPerDay, @CreatedBy, @created)
            ON CONFLICT (id) DO NOTHING
            """, new
        {
            r.Id, r.Project, r.Title, r.Protocol, r.ReleaseId, r.SpecJson, opens = ToMicros(r.Opens), closes = r.Closes is { } x ? ToMicros(x) : (long?)null,
            r.MaxSubmissions, r.MaxPerDay, r.CreatedBy, created = ToMicros(r.Created),
        }, cancellationToken: ct)) == 1;
    }

    public async Task<EvaluationPhaseRecord?> GetPhaseAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<PhaseRow>(new CommandDefinition(
            $"SELECT {PhaseColumns} FROM mira_evaluation_phases WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>Every phase (of one project when given), newest first.</summary>
    public async Task<IReadOnlyList<EvaluationPhaseRecord>> ListPhasesAsync(string? project = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<PhaseRow>(new CommandDefinition(project is null
            ? $"SELECT {PhaseColumns} FROM mira_evaluation_phases ORDER BY created_us DESC, id"
            : $"SELECT {PhaseColumns} FROM mira_evaluation_phases WHERE project = @project ORDER BY created_us DESC, id",
            new { project }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>
    /// Adds an evaluation as queued, unless the submitter already has <paramref name="maxTotal"/> evaluations in the
    /// phase or <paramref name="maxPerDay"/> since <paramref name="dayStart"/>: the count and the insert are one
    /// serialized transaction, so two submissions at once cannot both slip under a limit. Returns the new id, or the
    /// limit that refused it.
    /// </summary>
    public async Task<(long? Id, string? Refusal)> AddEvaluationAsync(string? phase, string modelName, string modelVersion, string modelSha256, string submitter,
        DateTimeOffset now, int maxTotal, int maxPerDay, DateTimeOffset dayStart, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await BeginSerializedAsync(c, LockKey, ct);
        if (phase is not null)
        {
            var (total, recent) = await c.QuerySingleAsync<(long, long)>(new CommandDefinition("""
                SELECT COUNT(*), COALESCE(SUM(CASE WHEN submitted_us >= @since THEN 1 ELSE 0 END), 0)
                FROM mira_evaluations WHERE phase = @phase AND submitter = @submitter
                """, new { phase, submitter, since = ToMicros(dayStart) }, tx, cancellationToken: ct));
            if (total >= maxTotal) return (null, $"{submitter} has used all {maxTotal} submissions of phase {phase}");
            if (recent >= maxPerDay) return (null, $"{submitter} has used the {maxPerDay} submissions of phase {phase} allowed in 24 hours");
        }
        var id = await c.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO mira_evaluations (phase, model_name, model_version, model_sha256, submitter, state, submitted_us)
            VALUES (@phase, @modelName, @modelVersion, @modelSha256, @submitter, 'queued', @now) RETURNING id
            """, new { phase, modelName, modelVersion, modelSha256, submitter, now = ToMicros(now) }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return (id, null);
    }

    /// <summary>Serializes submissions (the limits are counted and enforced in one transaction).</summary>
    const long LockKey = 0x4D49524145564C; // "MIRAEVL"

    public async Task SetJobAsync(long id, long job, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE mira_evaluations SET job = @job WHERE id = @id", new { id, job }, cancellationToken: ct));
    }

    public async Task SetRunningAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE mira_evaluations SET state = 'running', error = NULL WHERE id = @id AND state <> 'succeeded'",
            new { id }, cancellationToken: ct));
    }

    /// <summary>Records a finished evaluation: its score, summary and signed report (or, failed, the reason the submitter may read).</summary>
    public async Task FinishAsync(long id, string state, DateTimeOffset at, double? score, string? summaryJson, string? reportSha256, string? keyId,
        string? error, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_evaluations SET state = @state, finished_us = @at, score = @score, summary = @summaryJson, report_sha256 = @reportSha256,
                key_id = @keyId, error = @error WHERE id = @id
            """, new { id, state, at = ToMicros(at), score, summaryJson, reportSha256, keyId, error }, cancellationToken: ct));
    }

    public async Task<EvaluationRecord?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<EvaluationRow>(new CommandDefinition(
            $"SELECT {EvaluationColumns} FROM mira_evaluations WHERE id = @id", new { id }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>Evaluations of a phase and/or a submitter, newest first.</summary>
    public async Task<IReadOnlyList<EvaluationRecord>> ListAsync(string? phase = null, string? submitter = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var where = new List<string>();
        if (phase is not null) where.Add("phase = @phase");
        if (submitter is not null) where.Add("submitter = @submitter");
        var rows = await c.QueryAsync<EvaluationRow>(new CommandDefinition(
            $"SELECT {EvaluationColumns} FROM mira_evaluations {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} ORDER BY id DESC",
            new { phase, submitter }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }
}
