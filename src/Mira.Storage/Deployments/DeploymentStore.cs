using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Deployments;

/// <summary>The deployment rules and their results (<see cref="DeploymentSchema"/>). SQL only: who may change them is the platform's business.</summary>
public sealed class DeploymentStore(StorageDatabase db)
{
    sealed class RuleRow
    {
        public string name { get; set; } = "";
        public string model_name { get; set; } = "";
        public string model_version { get; set; } = "";
        public string? from_ae { get; set; }
        public string? modality { get; set; }
        public string? body_part { get; set; }
        public string? series_pattern { get; set; }
        public string destination { get; set; } = "";
        public long blind_first_read { get; set; }
        public double? ood_threshold { get; set; }
        public long settle_ms { get; set; }
        public string? feedback_project { get; set; }
        public string? ood_releases { get; set; }
        public string? ood_profile { get; set; }
        public long external_performer { get; set; }
        public long enabled { get; set; }
        public string created_by { get; set; } = "";
        public long created_us { get; set; }

        public DeploymentRecord ToRecord() => new(name, model_name, model_version, from_ae, modality, body_part, series_pattern, destination,
            blind_first_read != 0, ood_threshold, (int)settle_ms, enabled != 0, created_by, FromMicros(created_us), feedback_project)
        {
            OodReleases = ood_releases, OodProfile = ood_profile, ExternalPerformer = external_performer != 0,
        };
    }

    const string RuleColumns = "name, model_name, model_version, from_ae, modality, body_part, series_pattern, destination, blind_first_read, " +
                               "ood_threshold, settle_ms, feedback_project, ood_releases, ood_profile, external_performer, enabled, created_by, created_us";

    /// <summary>Adds a rule; false (nothing changed) when one of that name exists.</summary>
    public async Task<bool> AddAsync(DeploymentRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_deployments ({RuleColumns})
            VALUES (@Name, @ModelName, @ModelVersion, @FromAe, @Modality, @BodyPart, @SeriesPattern, @Destination, @blind, @OodThreshold,
                    @SettleMilliseconds, @FeedbackProject, @OodReleases, @OodProfile, @external, @enabled, @CreatedBy, @created)
            ON CONFLICT (name) DO NOTHING
            """, new
        {
            r.Name, r.ModelName, r.ModelVersion, r.FromAe, r.Modality, r.BodyPart, r.SeriesPattern, r.Destination, blind = r.BlindFirstRead ? 1 : 0,
            r.OodThreshold, r.SettleMilliseconds, r.FeedbackProject, r.OodReleases, r.OodProfile, external = r.ExternalPerformer ? 1 : 0, enabled = r.Enabled ? 1 : 0, r.CreatedBy, created = ToMicros(r.Created),
        }, cancellationToken: ct)) == 1;
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_deployments WHERE name = @name", new { name }, cancellationToken: ct)) > 0;
    }

    public async Task<DeploymentRecord?> GetAsync(string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryFirstOrDefaultAsync<RuleRow>(new CommandDefinition($"SELECT {RuleColumns} FROM mira_deployments WHERE name = @name",
            new { name }, cancellationToken: ct)))?.ToRecord();
    }

    public async Task<IReadOnlyList<DeploymentRecord>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return [.. (await c.QueryAsync<RuleRow>(new CommandDefinition($"SELECT {RuleColumns} FROM mira_deployments ORDER BY name", cancellationToken: ct)))
            .Select(r => r.ToRecord())];
    }

    /// <summary>The enabled rules for what arrives from <paramref name="callingAe"/> (rules naming it, and rules naming no AE); rules naming no AE only when null.</summary>
    public async Task<IReadOnlyList<DeploymentRecord>> ForSourceAsync(string? callingAe, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<RuleRow>(new CommandDefinition(
            $"SELECT {RuleColumns} FROM mira_deployments WHERE enabled = 1 AND (from_ae IS NULL OR from_ae = @ae) ORDER BY name",
            new { ae = callingAe ?? "" }, cancellationToken: ct));
        return [.. rows.Where(r => r.from_ae is null || callingAe is not null).Select(r => r.ToRecord())];
    }

    sealed class ResultRow
    {
        public string id { get; set; } = "";
        public string deployment { get; set; } = "";
        public long? job_id { get; set; }
        public string study_uid { get; set; } = "";
        public string series_uid { get; set; } = "";
        public string? modality { get; set; }
        public string model_name { get; set; } = "";
        public string model_version { get; set; } = "";
        public string model_sha256 { get; set; } = "";
        public string state { get; set; } = "";
        public string? reason { get; set; }
        public string? result_series_uid { get; set; }
        public string? result_sop_uid { get; set; }
        public string destination { get; set; } = "";
        public double? ood_score { get; set; }
        public long ood_flagged { get; set; }
        public string? ood_reasons { get; set; }
        public string? ood_detail { get; set; }
        public string? workitem_uid { get; set; }
        public string review_state { get; set; } = "";
        public string? reviewer { get; set; }
        public string? review_reason { get; set; }
        public long? reviewed_us { get; set; }
        public double? edit_distance { get; set; }
        public long? feedback_task { get; set; }
        public string? own_read_by { get; set; }
        public string? own_read { get; set; }
        public long? own_read_us { get; set; }
        public long created_us { get; set; }
        public long updated_us { get; set; }

        public DeploymentResultRecord ToRecord() => new(id, deployment, job_id, study_uid, series_uid, modality, model_name, model_version, model_sha256,
            state, reason, result_series_uid, result_sop_uid, destination, ood_score, ood_flagged != 0, ood_reasons, review_state, reviewer, review_reason,
            reviewed_us is { } r ? FromMicros(r) : null, edit_distance, FromMicros(created_us), FromMicros(updated_us))
        {
            OodDetail = ood_detail, WorkitemUid = workitem_uid, FeedbackTask = feedback_task, OwnReadBy = own_read_by, OwnRead = own_read, OwnReadAt = own_read_us is { } o ? FromMicros(o) : null,
        };
    }

    const string ResultColumns = "id, deployment, job_id, study_uid, series_uid, modality, model_name, model_version, model_sha256, state, reason, " +
                                 "result_series_uid, result_sop_uid, destination, ood_score, ood_flagged, ood_reasons, ood_detail, workitem_uid, review_state, reviewer, " +
                                 "review_reason, reviewed_us, edit_distance, feedback_task, own_read_by, own_read, own_read_us, created_us, updated_us";

    /// <summary>
    /// Records an inference: a new row, or the same inference again (a retry) updating its state, reason, result and
    /// out-of-distribution fields; a review already made is kept.
    /// </summary>
    public async Task SaveResultAsync(DeploymentResultRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_deployment_results ({ResultColumns})
            VALUES (@Id, @Deployment, @JobId, @StudyInstanceUid, @SeriesInstanceUid, @Modality, @ModelName, @ModelVersion, @ModelSha256, @State, @Reason,
                    @ResultSeriesUid, @ResultSopUid, @Destination, @OodScore, @flagged, @OodReasons, @OodDetail, @WorkitemUid, @ReviewState, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                    @created, @updated)
            ON CONFLICT (id) DO UPDATE SET job_id = excluded.job_id, state = excluded.state, reason = excluded.reason,
                result_series_uid = excluded.result_series_uid, result_sop_uid = excluded.result_sop_uid, destination = excluded.destination,
                ood_score = excluded.ood_score, ood_flagged = excluded.ood_flagged, ood_reasons = excluded.ood_reasons, ood_detail = excluded.ood_detail,
                workitem_uid = excluded.workitem_uid, updated_us = excluded.updated_us
            """, new
        {
            r.Id, r.Deployment, r.JobId, r.StudyInstanceUid, r.SeriesInstanceUid, r.Modality, r.ModelName, r.ModelVersion, r.ModelSha256, r.State, r.Reason,
            r.ResultSeriesUid, r.ResultSopUid, r.Destination, r.OodScore, flagged = r.OodFlagged ? 1 : 0, r.OodReasons, r.OodDetail, r.WorkitemUid, r.ReviewState,
            created = ToMicros(r.Created), updated = ToMicros(r.Updated),
        }, cancellationToken: ct));
    }

    public async Task<DeploymentResultRecord?> GetResultAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryFirstOrDefaultAsync<ResultRow>(new CommandDefinition($"SELECT {ResultColumns} FROM mira_deployment_results WHERE id = @id",
            new { id }, cancellationToken: ct)))?.ToRecord();
    }

    /// <summary>Results, newest first: of one deployment, of one study, or all (up to <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<DeploymentResultRecord>> ListResultsAsync(string? deployment = null, string? study = null, int limit = 500,
        CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ResultRow>(new CommandDefinition($"""
            SELECT {ResultColumns} FROM mira_deployment_results
            WHERE (@deployment IS NULL OR deployment = @deployment) AND (@study IS NULL OR study_uid = @study)
            ORDER BY created_us DESC, id LIMIT @limit
            """, new { deployment, study, limit }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>Records a clinician's decision on a pending result; false (nothing changed) when it is not pending any more.</summary>
    public async Task<bool> ReviewAsync(string id, string decision, string reviewer, string? reason, double? editDistance, long? feedbackTask,
        DateTimeOffset when, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_deployment_results SET review_state = @decision, reviewer = @reviewer, review_reason = @reason, edit_distance = @editDistance,
                feedback_task = @feedbackTask, reviewed_us = @when, updated_us = @when
            WHERE id = @id AND review_state = 'pending'
            """, new { id, decision, reviewer, reason, editDistance, feedbackTask, when = ToMicros(when) }, cancellationToken: ct)) == 1;
    }

    /// <summary>Records a clinician's own read of a blind-first-read result; false when one is recorded already.</summary>
    public async Task<bool> RecordOwnReadAsync(string id, string reader, string read, DateTimeOffset when, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("""
            UPDATE mira_deployment_results SET own_read_by = @reader, own_read = @read, own_read_us = @when, updated_us = @when
            WHERE id = @id AND own_read_by IS NULL
            """, new { id, reader, read, when = ToMicros(when) }, cancellationToken: ct)) == 1;
    }

    /// <summary>Attaches (or replaces) a project's pre-annotation model.</summary>
    public async Task SetProjectModelAsync(ProjectModelRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_project_models (project, model_name, model_version, attached_by, attached_us) VALUES (@Project, @ModelName, @ModelVersion, @AttachedBy, @at)
            ON CONFLICT (project) DO UPDATE SET model_name = excluded.model_name, model_version = excluded.model_version,
                attached_by = excluded.attached_by, attached_us = excluded.attached_us
            """, new { r.Project, r.ModelName, r.ModelVersion, r.AttachedBy, at = ToMicros(r.Attached) }, cancellationToken: ct));
    }

    public async Task<bool> RemoveProjectModelAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_project_models WHERE project = @project", new { project }, cancellationToken: ct)) > 0;
    }

    public async Task<ProjectModelRecord?> GetProjectModelAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<(string Project, string ModelName, string ModelVersion, string AttachedBy, long At)>(new CommandDefinition(
            "SELECT project, model_name, model_version, attached_by, attached_us FROM mira_project_models WHERE project = @project", new { project }, cancellationToken: ct));
        return row.Project is null ? null : new ProjectModelRecord(row.Project, row.ModelName, row.ModelVersion, row.AttachedBy, FromMicros(row.At));
    }

    public async Task SaveTaskPredictionAsync(TaskPredictionRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_task_predictions (task, model_name, model_version, state, uncertainty, reason, updated_us)
            VALUES (@Task, @ModelName, @ModelVersion, @State, @Uncertainty, @Reason, @at)
            ON CONFLICT (task) DO UPDATE SET model_name = excluded.model_name, model_version = excluded.model_version, state = excluded.state,
                uncertainty = excluded.uncertainty, reason = excluded.reason, updated_us = excluded.updated_us
            """, new { r.Task, r.ModelName, r.ModelVersion, r.State, r.Uncertainty, r.Reason, at = ToMicros(r.Updated) }, cancellationToken: ct));
    }

    /// <summary>The predictions of these tasks (those that have one).</summary>
    public async Task<IReadOnlyList<TaskPredictionRecord>> TaskPredictionsAsync(IReadOnlyCollection<long> tasks, CancellationToken ct = default)
    {
        if (tasks.Count == 0) return [];
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Task, string ModelName, string ModelVersion, string State, double? Uncertainty, string? Reason, long At)>(new CommandDefinition(
            $"SELECT task, model_name, model_version, state, uncertainty, reason, updated_us FROM mira_task_predictions WHERE {db.InList("task", "@tasks")}",
            new { tasks = tasks.ToArray() }, cancellationToken: ct));
        return [.. rows.Select(r => new TaskPredictionRecord(r.Task, r.ModelName, r.ModelVersion, r.State, r.Uncertainty, r.Reason, FromMicros(r.At)))];
    }
}
