using Dapper;
using Mira.Storage.Security;

namespace Mira.Storage.Network;

/// <summary>A stored AE table row. <see cref="Allow"/> holds the permission bits the platform defines
/// (<c>Mira.Platform.Security.DimsePermissions</c>); the store keeps them as given.</summary>
public sealed record ApplicationEntityRecord(string AETitle, string Host, int Port, int Allow);

/// <summary>
/// The table of known application entities (<c>mira_application_entities</c>), in the index database so every
/// node and the command line see the same one.
/// </summary>
public sealed class ApplicationEntityStore
{
    readonly StorageDatabase db;

    public ApplicationEntityStore(StorageDatabase db) => this.db = db;

    /// <summary>The table (migration 3).</summary>
    internal const string TableDdl = """
        CREATE TABLE IF NOT EXISTS mira_application_entities (
            ae_title TEXT PRIMARY KEY,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            allow INTEGER NOT NULL,
            updated_us BIGINT NOT NULL)
        """;

    /// <summary>Adds the AE, or replaces its host, port and permissions.</summary>
    public async Task SetAsync(ApplicationEntityRecord ae, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_application_entities (ae_title, host, port, allow, updated_us) VALUES (@AETitle, @Host, @Port, @Allow, @Now)
            ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, port = excluded.port, allow = excluded.allow, updated_us = excluded.updated_us
            """, new { ae.AETitle, ae.Host, ae.Port, ae.Allow, Now = SecuritySchema.ToMicros(DateTimeOffset.UtcNow) }, cancellationToken: ct));
    }

    public async Task<bool> RemoveAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_application_entities WHERE ae_title = @t",
            new { t = aeTitle.Trim() }, cancellationToken: ct)) > 0;
    }

    public async Task<IReadOnlyList<ApplicationEntityRecord>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string AeTitle, string Host, long Port, long Allow)>(new CommandDefinition(
            "SELECT ae_title, host, port, allow FROM mira_application_entities ORDER BY ae_title", cancellationToken: ct));
        return rows.Select(r => new ApplicationEntityRecord(r.AeTitle, r.Host, (int)r.Port, (int)r.Allow)).ToList();
    }

    public async Task<ApplicationEntityRecord?> FindAsync(string aeTitle, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(a => a.AETitle == aeTitle.Trim());
}
