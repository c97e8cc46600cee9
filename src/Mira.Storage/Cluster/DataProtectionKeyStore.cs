using Dapper;

namespace Mira.Storage.Cluster;

/// <summary>A stored data-protection key: its name (the key id the framework gives it) and its XML.</summary>
public sealed record StoredProtectionKey(string Name, string Xml, DateTimeOffset CreatedUtc);

/// <summary>
/// The keys that protect the web workspace's antiforgery tokens (ASP.NET Core Data Protection), kept in the database
/// (table <c>mira_protection_keys</c>, migration 16) so that every node over the same database protects and unprotects
/// with the same key ring: a form served by one node is accepted by another. Keys are added, never changed; the
/// framework retires them by their own expiry dates inside the XML.
/// </summary>
public sealed class DataProtectionKeyStore(StorageDatabase db)
{
    /// <summary>Migration 16.</summary>
    public static IReadOnlyList<string> TableDdl =>
    [
        """
        CREATE TABLE IF NOT EXISTS mira_protection_keys (
            name TEXT PRIMARY KEY,
            xml TEXT NOT NULL,
            created_us BIGINT NOT NULL)
        """,
    ];

    /// <summary>Every key, oldest first.</summary>
    public async Task<IReadOnlyList<StoredProtectionKey>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Name, string Xml, long CreatedUs)>(new CommandDefinition(
            "SELECT name, xml, created_us FROM mira_protection_keys ORDER BY created_us, name", cancellationToken: ct));
        return rows.Select(r => new StoredProtectionKey(r.Name, r.Xml, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedUs / 1000))).ToList();
    }

    /// <summary>Adds a key; a key of that name already stored (two nodes made the first key at once) is kept as it is.
    /// Returns false in that case.</summary>
    public async Task<bool> AddAsync(string name, string xml, DateTimeOffset createdUtc, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var c = await db.OpenAsync(ct);
        var added = await c.ExecuteAsync(new CommandDefinition(
            "INSERT INTO mira_protection_keys (name, xml, created_us) VALUES (@name, @xml, @created) ON CONFLICT (name) DO NOTHING",
            new { name, xml, created = createdUtc.ToUnixTimeMilliseconds() * 1000 }, cancellationToken: ct));
        return added == 1;
    }
}
