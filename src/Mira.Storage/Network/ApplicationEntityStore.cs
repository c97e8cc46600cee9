using Dapper;
using Mira.Storage.Security;

namespace Mira.Storage.Network;

/// <summary>The DIMSE services a remote application entity may use on Mira's listener.</summary>
[Flags]
public enum DimsePermissions
{
    None = 0,
    Echo = 1,
    Store = 2,
    Find = 4,
    Move = 8,
    Get = 16,
    All = Echo | Store | Find | Move | Get,
}

/// <summary>A known remote AE: where it listens (C-MOVE destinations are reached there) and what it may ask of Mira.</summary>
public sealed record ApplicationEntity(string AETitle, string Host, int Port, DimsePermissions Allow)
{
    /// <summary>Parses a comma-separated list such as <c>echo,store,find</c> (or <c>all</c>, <c>none</c>).</summary>
    public static DimsePermissions ParsePermissions(string list)
    {
        var p = DimsePermissions.None;
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            p |= word.ToLowerInvariant() switch
            {
                "echo" => DimsePermissions.Echo,
                "store" => DimsePermissions.Store,
                "find" => DimsePermissions.Find,
                "move" => DimsePermissions.Move,
                "get" => DimsePermissions.Get,
                "all" => DimsePermissions.All,
                "none" => DimsePermissions.None,
                _ => throw new ArgumentException($"unknown DIMSE service '{word}' (echo, store, find, move, get, all, none)"),
            };
        return p;
    }

    public static string Format(DimsePermissions p) =>
        p == DimsePermissions.None ? "none"
            : string.Join(',', new[] { (DimsePermissions.Echo, "echo"), (DimsePermissions.Store, "store"), (DimsePermissions.Find, "find"),
                (DimsePermissions.Move, "move"), (DimsePermissions.Get, "get") }.Where(x => p.HasFlag(x.Item1)).Select(x => x.Item2));

    /// <summary>
    /// Checks an AE title: 1–16 characters of the default repertoire without backslash or control characters, not
    /// all spaces (PS3.5 §6.2, VR AE); leading and trailing spaces are not significant and are removed.
    /// </summary>
    public static string NormalizeTitle(string title)
    {
        var t = title.Trim();
        if (t.Length is 0 or > 16 || t.Any(c => c < 0x20 || c > 0x7E || c == '\\'))
            throw new ArgumentException($"'{title}' is not an AE title: 1-16 printable ASCII characters, no backslash (PS3.5 §6.2)");
        return t;
    }
}

/// <summary>
/// The table of known application entities (<c>mira_application_entities</c>), in the index database so every
/// node and the command line see the same one.
/// </summary>
public sealed class ApplicationEntityStore
{
    readonly StorageDatabase db;

    ApplicationEntityStore(StorageDatabase db) => this.db = db;

    public static async Task<ApplicationEntityStore> OpenAsync(StorageDatabase db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            CREATE TABLE IF NOT EXISTS mira_application_entities (
                ae_title TEXT PRIMARY KEY,
                host TEXT NOT NULL,
                port INTEGER NOT NULL,
                allow INTEGER NOT NULL,
                updated_us BIGINT NOT NULL)
            """, cancellationToken: ct));
        return new ApplicationEntityStore(db);
    }

    /// <summary>Adds the AE, or replaces its host, port and permissions.</summary>
    public async Task<ApplicationEntity> SetAsync(string aeTitle, string host, int port, DimsePermissions allow, CancellationToken ct = default)
    {
        var ae = new ApplicationEntity(ApplicationEntity.NormalizeTitle(aeTitle), string.IsNullOrWhiteSpace(host) ? throw new ArgumentException("a host is required") : host.Trim(),
            port is > 0 and < 65536 ? port : throw new ArgumentException($"port {port} is not between 1 and 65535"), allow);
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_application_entities (ae_title, host, port, allow, updated_us) VALUES (@AETitle, @Host, @Port, @Allow, @Now)
            ON CONFLICT (ae_title) DO UPDATE SET host = excluded.host, port = excluded.port, allow = excluded.allow, updated_us = excluded.updated_us
            """, new { ae.AETitle, ae.Host, ae.Port, Allow = (int)ae.Allow, Now = SecuritySchema.ToMicros(DateTimeOffset.UtcNow) }, cancellationToken: ct));
        return ae;
    }

    public async Task<bool> RemoveAsync(string aeTitle, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition("DELETE FROM mira_application_entities WHERE ae_title = @t",
            new { t = aeTitle.Trim() }, cancellationToken: ct)) > 0;
    }

    public async Task<IReadOnlyList<ApplicationEntity>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string AeTitle, string Host, long Port, long Allow)>(new CommandDefinition(
            "SELECT ae_title, host, port, allow FROM mira_application_entities ORDER BY ae_title", cancellationToken: ct));
        return rows.Select(r => new ApplicationEntity(r.AeTitle, r.Host, (int)r.Port, (DimsePermissions)r.Allow)).ToList();
    }

    public async Task<ApplicationEntity?> FindAsync(string aeTitle, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(a => a.AETitle == aeTitle.Trim());
}
