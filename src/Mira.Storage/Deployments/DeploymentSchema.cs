namespace Mira.Storage.Deployments;

/// <summary>
/// Deployment tables (migration 14): the rules (<c>mira_deployments</c>) and one row per inference of a rule on a series
/// (<c>mira_deployment_results</c>) with its state, result UIDs, out-of-distribution score, the clinician's own read
/// (blind-first-read rules) and review, and the feedback task a correction became.
/// </summary>
public static class DeploymentSchema
{
    internal static IReadOnlyList<string> TableDdl =>
    [
        """
        CREATE TABLE mira_deployments (
            name TEXT PRIMARY KEY,
            model_name TEXT NOT NULL,
            model_version TEXT NOT NULL,
            from_ae TEXT,
            modality TEXT,
            body_part TEXT,
            series_pattern TEXT,
            destination TEXT NOT NULL,
            blind_first_read INTEGER NOT NULL,
            ood_threshold DOUBLE PRECISION,
            settle_ms INTEGER NOT NULL,
            feedback_project TEXT,
            ood_releases TEXT,
            ood_profile TEXT,
            external_performer INTEGER NOT NULL DEFAULT 0,
            enabled INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_us BIGINT NOT NULL)
        """,
        "CREATE INDEX mira_deployments_ae ON mira_deployments (from_ae)",
        """
        CREATE TABLE mira_deployment_results (
            id TEXT PRIMARY KEY,
            deployment TEXT NOT NULL,
            job_id BIGINT,
            study_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL,
            modality TEXT,
            model_name TEXT NOT NULL,
            model_version TEXT NOT NULL,
            model_sha256 TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT,
            result_series_uid TEXT,
            result_sop_uid TEXT,
            destination TEXT NOT NULL,
            ood_score DOUBLE PRECISION,
            ood_flagged INTEGER NOT NULL,
            ood_reasons TEXT,
            ood_detail TEXT,
            workitem_uid TEXT,
            review_state TEXT NOT NULL,
            reviewer TEXT,
            review_reason TEXT,
            reviewed_us BIGINT,
            edit_distance DOUBLE PRECISION,
            feedback_task BIGINT,
            own_read_by TEXT,
            own_read TEXT,
            own_read_us BIGINT,
            created_us BIGINT NOT NULL,
            updated_us BIGINT NOT NULL)
        """,
        "CREATE INDEX mira_deployment_results_deployment ON mira_deployment_results (deployment, created_us)",
        "CREATE INDEX mira_deployment_results_study ON mira_deployment_results (study_uid)",
        // Pre-annotation: the model a project attached, and per annotation task what it made of the task's series.
        """
        CREATE TABLE mira_project_models (
            project TEXT PRIMARY KEY,
            model_name TEXT NOT NULL,
            model_version TEXT NOT NULL,
            attached_by TEXT NOT NULL,
            attached_us BIGINT NOT NULL)
        """,
        """
        CREATE TABLE mira_task_predictions (
            task BIGINT PRIMARY KEY,
            model_name TEXT NOT NULL,
            model_version TEXT NOT NULL,
            state TEXT NOT NULL,
            uncertainty DOUBLE PRECISION,
            reason TEXT,
            updated_us BIGINT NOT NULL)
        """,
    ];
}
