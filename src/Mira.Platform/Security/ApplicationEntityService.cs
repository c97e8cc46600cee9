using Mira.Storage.Network;

namespace Mira.Platform.Security;

/// <summary>
/// The AE table (<c>mira ae</c>, the DIMSE listener): which remote application entities exist, where they listen and
/// which DIMSE services each may use. Titles are checked (PS3.5 §6.2) before anything is stored.
/// </summary>
public sealed class ApplicationEntityService(ApplicationEntityStore store)
{
    /// <summary>Adds the AE, or replaces its host, port and permissions.</summary>
    /// <exception cref="ArgumentException">An invalid title, an empty host or a port outside 1–65535.</exception>
    public async Task<ApplicationEntity> SetAsync(string aeTitle, string host, int port, DimsePermissions allow, CancellationToken ct = default)
    {
        var ae = new ApplicationEntity(ApplicationEntity.NormalizeTitle(aeTitle),
            string.IsNullOrWhiteSpace(host) ? throw new ArgumentException("a host is required") : host.Trim(),
            port is > 0 and < 65536 ? port : throw new ArgumentException($"port {port} is not between 1 and 65535"), allow);
        await store.SetAsync(new ApplicationEntityRecord(ae.AETitle, ae.Host, ae.Port, (int)ae.Allow), ct);
        await ChangedAsync(ct);
        return ae;
    }

    public async Task<bool> RemoveAsync(string aeTitle, CancellationToken ct = default)
    {
        var removed = await store.RemoveAsync(aeTitle, ct);
        if (removed) await ChangedAsync(ct);
        return removed;
    }

    /// <summary>Called after each change, e.g. to tell the other nodes to reload their AE tables now (set by the
    /// composition root; a failure to tell them is not a failure of the change: their tables expire within seconds).</summary>
    public Func<CancellationToken, Task>? Changed { get; set; }

    async Task ChangedAsync(CancellationToken ct)
    {
        if (Changed is not { } changed) return;
        try { await changed(ct); }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException) { }
    }

    public async Task<IReadOnlyList<ApplicationEntity>> ListAsync(CancellationToken ct = default) =>
        [.. (await store.ListAsync(ct)).Select(ToEntity)];

    public async Task<ApplicationEntity?> FindAsync(string aeTitle, CancellationToken ct = default) =>
        await store.FindAsync(aeTitle, ct) is { } r ? ToEntity(r) : null;

    static ApplicationEntity ToEntity(ApplicationEntityRecord r) => new(r.AETitle, r.Host, r.Port, (DimsePermissions)r.Allow & DimsePermissions.All);
}
