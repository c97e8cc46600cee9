using System.Data.Common;
using Dapper;
using Mira.Storage.Migrations;

namespace Mira.Storage.Jobs;

/// <summary>
/// The rule copy queue that came before the job table (<c>mira_project_rule_copies</c>): created by migration 5 as the
/// older Mira created it (so every older database reaches the same shape), then emptied into <c>mira_jobs</c> and
/// dropped by migration 6. Nothing else uses it.
/// </summary>
static class LegacyRuleCopies
{
    /// <summary>The job kind rule copies became (<c>Mira.Platform.Research.ProjectRuleCopyJob</c>).</summary>
    internal const string JobKind = "project.rule-copy";

    internal static readonly string[] TableDdl =
    [
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
    ];

    /// <summary>The nullable <c>uploader</c> column of queues made before uploader rules (SQLite has no ADD COLUMN IF NOT EXISTS).</summary>
    internal static async Task AddUploaderColumnAsync(DbConnection c, DbTransaction tx, StorageProvider provider, CancellationToken ct)
    {
        if (!await MigrationRunner.ColumnExistsAsync(c, tx, "mira_project_rule_copies", "uploader", ct))
            await c.ExecuteAsync(new CommandDefinition("ALTER TABLE mira_project_rule_copies ADD COLUMN uploader TEXT", transaction: tx, cancellationToken: ct));
    }

    /// <summary>
    /// Every queued copy becomes a job with the same project, instance, attempts, last error and due time: pending ones
    /// queued, given-up ones failed (kept for the steward to see). Their dedupe key is the one new copies use, so a resend
    /// resets the job instead of queuing a second.
    /// </summary>
    internal static async Task MoveIntoJobsAsync(DbConnection c, DbTransaction tx, StorageProvider provider, CancellationToken ct)
    {
        await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_jobs (kind, state, dedupe_key, project, origin, subject, priority, resources, attempts, max_attempts, last_error,
                created_us, not_before_us, finished_us)
            SELECT '{JobKind}', CASE WHEN state = 'pending' THEN 'queued' ELSE 'failed' END,
                '{JobKind}:' || project || ':' || sop_instance_uid, project,
                CASE WHEN uploader IS NULL THEN 'ae:' || ae_title ELSE 'uploader:' || uploader END,
                sop_instance_uid, 0, NULL, attempts, CASE WHEN attempts >= 5 THEN attempts ELSE 5 END, last_error, queued_us, next_attempt_us,
                CASE WHEN state = 'pending' THEN NULL ELSE next_attempt_us END
            FROM mira_project_rule_copies
            """, transaction: tx, cancellationToken: ct));
        await c.ExecuteAsync(new CommandDefinition("DROP TABLE mira_project_rule_copies", transaction: tx, cancellationToken: ct));
    }
}
