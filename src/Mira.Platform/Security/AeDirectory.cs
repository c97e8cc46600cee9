using System.Net;
using Mira.Dicom.Network;

namespace Mira.Platform.Security;

/// <summary>
/// What the DIMSE listener knows about callers: a snapshot of the AE table (refreshed in the background, so
/// <c>mira ae add</c> on a running server takes effect within seconds) with each AE's host resolved to addresses.
/// A caller is known when its calling AE title is in the table and it connects from one of that AE's addresses;
/// anyone else gets the unknown-caller permissions.
/// </summary>
public sealed class AeDirectory(ApplicationEntityService store, DimsePermissions unknownCallers)
{
    sealed record Known(ApplicationEntity Entity, IPAddress[] Addresses);

    volatile Dictionary<string, Known> snapshot = [];

    public DimsePermissions UnknownCallers { get; } = unknownCallers;

    public async Task RefreshAsync(CancellationToken ct = default)
    {
        var next = new Dictionary<string, Known>(StringComparer.Ordinal);
        foreach (var ae in await store.ListAsync(ct))
        {
            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(ae.Host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(ae.Host, ct);
            }
            catch (System.Net.Sockets.SocketException)
            {
                addresses = []; // unresolvable: never matches a caller; C-MOVE to it fails with a clear error
            }
            next[ae.AETitle] = new Known(ae, addresses.Select(Normalize).ToArray());
        }
        snapshot = next;
    }

    /// <summary>The AE table entry for a title (C-MOVE destinations), or null.</summary>
    public ApplicationEntity? Find(string aeTitle) => snapshot.TryGetValue(aeTitle.Trim(), out var k) ? k.Entity : null;

    /// <summary>The services this caller may use, and whether it is a known AE calling from its own address.</summary>
    public (DimsePermissions Allowed, bool Known) PermissionsOf(AssociationRequestInfo caller)
    {
        if (snapshot.TryGetValue(caller.CallingAE.Trim(), out var k) && caller.Remote is { } remote && k.Addresses.Contains(Normalize(remote.Address)))
            return (k.Entity.Allow, true);
        return (UnknownCallers, false);
    }

    static IPAddress Normalize(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
