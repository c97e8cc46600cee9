using Dapper;

namespace Mira.Storage.Sites;

/// <summary>
/// A site's link to its hub: the hub's base URL, the bearer token the hub issued to this site (a credential kept in the
/// site's own database, as the site's other secrets are), and the SHA-256 of the hub's TLS certificate when pinned.
/// </summary>
public sealed record HubLink(string Url, string Token, string? CertificateSha256, DateTimeOffset Linked)
{
    public override string ToString() => $"HubLink {{ Url = {Url}, CertificateSha256 = {CertificateSha256 ?? "-"} }}";
}

/// <summary>The site's side (migration 17): the hub link and which intake instances went to which hub project.</summary>
public sealed class HubLinkStore(StorageDatabase db)
{
    /// <summary>Sets the link (a site has one hub).</summary>
    public async Task SetLinkAsync(string url, string token, string? certificateSha256, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_hub_link (id, url, token, certificate_sha256, linked_us) VALUES (1, @url, @token, @certificateSha256, @now)
            ON CONFLICT (id) DO UPDATE SET url = excluded.url, token = excluded.token, certificate_sha256 = excluded.certificate_sha256,
                linked_us = excluded.linked_us
            """, new { url, token, certificateSha256, now = SiteSchema.NowUs() }, cancellationToken: ct));
    }

    public async Task<HubLink?> GetLinkAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<(string Url, string Token, string? Pin, long Linked)>(new CommandDefinition(
            "SELECT url, token, certificate_sha256, linked_us FROM mira_hub_link WHERE id = 1", cancellationToken: ct))).ToList();
        return rows.Count == 0 ? null : new HubLink(rows[0].Url, rows[0].Token, rows[0].Pin, SiteSchema.FromUs(rows[0].Linked));
    }

    /// <summary>The intake SOP Instance UIDs already sent to a hub project.</summary>
    public async Task<HashSet<string>> SentAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<string>(new CommandDefinition(
            "SELECT original_sop_instance_uid FROM mira_site_push_sent WHERE project = @project", new { project }, cancellationToken: ct));
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Records instances the hub acknowledged (original intake UID → the de-identified UID sent).</summary>
    public async Task RecordSentAsync(string project, IEnumerable<(string Original, string Sent)> instances, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var now = SiteSchema.NowUs();
        foreach (var (original, sent) in instances)
            await c.ExecuteAsync(new CommandDefinition("""
                INSERT INTO mira_site_push_sent (project, original_sop_instance_uid, sent_sop_instance_uid, sent_us)
                VALUES (@project, @original, @sent, @now) ON CONFLICT (project, original_sop_instance_uid) DO NOTHING
                """, new { project, original, sent, now }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
