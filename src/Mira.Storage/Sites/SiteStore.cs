using Dapper;

namespace Mira.Storage.Sites;

/// <summary>A site registered on the hub.</summary>
public sealed record SiteRecord(string Name, DateTimeOffset Created);

/// <summary>A project's source site and what it sends.</summary>
public sealed record ProjectSource(string Project, string Site, SourceFilter Filter, DateTimeOffset Created);

/// <summary>Which site sent an instance a project holds.</summary>
public sealed record ReceivedInstance(string Project, string SopInstanceUid, string Site, string StudyInstanceUid, DateTimeOffset Received);

/// <summary>
/// The hub's side of sites (migration 17): the registered sites, the sources of each project and the provenance of
/// what the sites sent (<c>docs/sites.md</c>).
/// </summary>
public sealed class SiteStore(StorageDatabase db)
{
    /// <summary>Registers a site; false when the name is taken.</summary>
    public async Task<bool> AddSiteAsync(string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mira_sites (name, created_us) VALUES (@name, @now) ON CONFLICT (name) DO NOTHING",
            new { name, now = SiteSchema.NowUs() }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyList<SiteRecord>> ListSitesAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Name, long Created)>(new CommandDefinition(
            "SELECT name, created_us FROM mira_sites ORDER BY name", cancellationToken: ct));
        return [.. rows.Select(r => new SiteRecord(r.Name, SiteSchema.FromUs(r.Created)))];
    }

    public async Task<bool> IsSiteAsync(string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM mira_sites WHERE name = @name", new { name }, cancellationToken: ct)) > 0;
    }

    /// <summary>Removes a site and its project sources (received provenance stays); false when unknown.</summary>
    public async Task<bool> RemoveSiteAsync(string name, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_project_sources WHERE site = @name", new { name }, tx, cancellationToken: ct));
        var n = await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_sites WHERE name = @name", new { name }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return n == 1;
    }

    /// <summary>Adds a source to a project or replaces its filter.</summary>
    public async Task SetSourceAsync(string project, string site, SourceFilter filter, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_project_sources (project, site, filter_json, created_us) VALUES (@project, @site, @filter, @now)
            ON CONFLICT (project, site) DO UPDATE SET filter_json = excluded.filter_json
            """, new { project, site, filter = filter.ToJson(), now = SiteSchema.NowUs() }, cancellationToken: ct));
    }

    public async Task<bool> RemoveSourceAsync(string project, string site, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition(
            "DELETE FROM mira_project_sources WHERE project = @project AND site = @site", new { project, site }, cancellationToken: ct)) == 1;
    }

    /// <summary>The sources of one project, or (with <paramref name="site"/>) the projects naming one site.</summary>
    public async Task<IReadOnlyList<ProjectSource>> ListSourcesAsync(string? project = null, string? site = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Project, string Site, string Filter, long Created)>(new CommandDefinition("""
            SELECT project, site, filter_json, created_us FROM mira_project_sources
            WHERE (@project IS NULL OR project = @project) AND (@site IS NULL OR site = @site) ORDER BY project, site
            """, new { project, site }, cancellationToken: ct));
        return [.. rows.Select(r => new ProjectSource(r.Project, r.Site, SourceFilter.FromJson(r.Filter), SiteSchema.FromUs(r.Created)))];
    }

    /// <summary>The source record of a site in a project, or null when the project does not name the site.</summary>
    public async Task<ProjectSource?> GetSourceAsync(string project, string site, CancellationToken ct = default) =>
        (await ListSourcesAsync(project, site, ct)).FirstOrDefault();

    /// <summary>Records which site sent instances (a resent instance keeps its first record).</summary>
    public async Task RecordReceivedAsync(string project, string site, IEnumerable<(string Sop, string Study)> instances, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var now = SiteSchema.NowUs();
        foreach (var (sop, study) in instances)
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mira_project_received (project, sop_instance_uid, site, study_instance_uid, received_us)
                VALUES (@project, @sop, @site, @study, @now) ON CONFLICT (project, sop_instance_uid) DO NOTHING
                """, new { project, sop, site, study, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<ReceivedInstance>> ListReceivedAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Sop, string Site, string Study, long Received)>(new CommandDefinition(
            "SELECT sop_instance_uid, site, study_instance_uid, received_us FROM mira_project_received WHERE project = @project ORDER BY sop_instance_uid",
            new { project }, cancellationToken: ct));
        return [.. rows.Select(r => new ReceivedInstance(project, r.Sop, r.Site, r.Study, SiteSchema.FromUs(r.Received)))];
    }
}
