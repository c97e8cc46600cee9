namespace Mira.Storage.Sites;

/// <summary>
/// The tables of sites and hub (migration 17, <c>docs/sites.md</c>). On a hub: <c>mira_sites</c> (the registered sites,
/// each with its account of role <c>site</c>), <c>mira_project_sources</c> (the sites a project takes de-identified
/// copies from, with what each sends) and <c>mira_project_received</c> (which site sent each instance a project holds:
/// provenance). On a site: <c>mira_hub_link</c> (the hub it pushes to: URL, bearer token, pinned certificate) and
/// <c>mira_site_push_sent</c> (which intake instance went to which hub project under which de-identified UID).
/// </summary>
public static class SiteSchema
{
    internal static IReadOnlyList<string> TableDdl(StorageProvider provider) =>
    [
        """
        CREATE TABLE IF NOT EXISTS mira_sites (
            name TEXT PRIMARY KEY,
            created_us BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_project_sources (
            project TEXT NOT NULL,
            site TEXT NOT NULL,
            filter_json TEXT NOT NULL,
            created_us BIGINT NOT NULL,
            PRIMARY KEY (project, site))
        """,
        "CREATE INDEX IF NOT EXISTS mira_project_sources_site ON mira_project_sources (site)",
        """
        CREATE TABLE IF NOT EXISTS mira_project_received (
            project TEXT NOT NULL,
            sop_instance_uid TEXT NOT NULL,
            site TEXT NOT NULL,
            study_instance_uid TEXT NOT NULL,
            received_us BIGINT NOT NULL,
            PRIMARY KEY (project, sop_instance_uid))
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_hub_link (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            token TEXT NOT NULL,
            certificate_sha256 TEXT,
            linked_us BIGINT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS mira_site_push_sent (
            project TEXT NOT NULL,
            original_sop_instance_uid TEXT NOT NULL,
            sent_sop_instance_uid TEXT NOT NULL,
            sent_us BIGINT NOT NULL,
            PRIMARY KEY (project, original_sop_instance_uid))
        """,
    ];

    internal static long NowUs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    internal static DateTimeOffset FromUs(long us) => DateTimeOffset.FromUnixTimeMilliseconds(us / 1000);
}
