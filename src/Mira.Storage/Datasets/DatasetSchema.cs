namespace Mira.Storage.Datasets;

/// <summary>
/// The dataset release tables (migration 12), in the intake database beside the projects they belong to: one row per
/// release (its id is the SHA-256 of its canonical listing, so rows are written once and never updated) and one row per
/// member (a case: one de-identified series of the project's research archive, with its patient pseudonym, split,
/// fields and hashes). The split settings and the datasheet are JSON columns of the release.
/// </summary>
public static class DatasetSchema
{
    internal static IReadOnlyList<string> TableDdl(StorageProvider p) =>
    [
        """
        CREATE TABLE mira_dataset_releases (
            id TEXT PRIMARY KEY,
            project TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            supersedes TEXT NULL,
            splits TEXT NOT NULL,
            datasheet TEXT NOT NULL,
            member_count INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            created_us BIGINT NOT NULL,
            UNIQUE (project, name, version))
        """,
        "CREATE INDEX mira_dataset_releases_project ON mira_dataset_releases (project, kind)",
        """
        CREATE TABLE mira_dataset_members (
            release_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            case_id TEXT NOT NULL,
            study_uid TEXT NOT NULL,
            series_uid TEXT NOT NULL,
            patient TEXT NOT NULL,
            split TEXT NOT NULL,
            fields TEXT NOT NULL,
            pixel_sha256 TEXT NOT NULL,
            content_sha256 TEXT NOT NULL,
            annotation TEXT NULL,
            PRIMARY KEY (release_id, ordinal))
        """,
        "CREATE INDEX mira_dataset_members_series ON mira_dataset_members (series_uid)",
        "CREATE INDEX mira_dataset_members_study ON mira_dataset_members (study_uid)",
    ];
}
