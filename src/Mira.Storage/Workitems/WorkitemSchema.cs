namespace Mira.Storage.Workitems;

/// <summary>
/// The tables of the Unified Procedure Step worklist (migration 15, docs/workitems.md): one row per work item (UPS,
/// PS3.4 Annex CC) with the columns searches and access checks need and the whole data set as DICOM JSON; and one row
/// per subscription of an AE title to a work item, or to the worklist as a whole (the global subscription UIDs of
/// PS3.4 CC.3.1). The Transaction UID lives in its own column and never in the stored data set, so nothing that
/// returns the data set can leak it (PS3.4 CC.2.5.1.2: it is never returned). Times are microseconds since the epoch.
/// </summary>
public static class WorkitemSchema
{
    internal static IReadOnlyList<string> TableDdl(StorageProvider p) =>
    [
        """
        CREATE TABLE mira_workitems (
            uid TEXT NOT NULL PRIMARY KEY,
            state TEXT NOT NULL,
            transaction_uid TEXT NULL,
            scheduled_start_us BIGINT NULL,
            priority TEXT NOT NULL,
            worklist_label TEXT NULL,
            input_study TEXT NULL,
            input_series TEXT NULL,
            performer TEXT NULL,
            creator TEXT NOT NULL,
            dataset TEXT NOT NULL,
            created_us BIGINT NOT NULL,
            updated_us BIGINT NOT NULL)
        """,
        "CREATE INDEX mira_workitems_state ON mira_workitems (state, scheduled_start_us)",
        "CREATE INDEX mira_workitems_input ON mira_workitems (input_study, performer)",
        """
        CREATE TABLE mira_workitem_subscriptions (
            ae_title TEXT NOT NULL,
            workitem_uid TEXT NOT NULL,
            owner TEXT NOT NULL,
            deletion_lock INTEGER NOT NULL DEFAULT 0,
            filter TEXT NULL,
            suspended INTEGER NOT NULL DEFAULT 0,
            created_us BIGINT NOT NULL,
            PRIMARY KEY (ae_title, workitem_uid))
        """,
        "CREATE INDEX mira_workitem_subscriptions_item ON mira_workitem_subscriptions (workitem_uid)",
    ];
}
