using System.Net;

namespace Mira.Dicom.Network;

/// <summary>
/// Caps the connections a listener holds at once, overall and per peer address, from the moment a connection is
/// accepted (so a peer that opens connections and never asks for an association counts too) until it closes. One
/// limiter may be shared by several listeners (a plain and a TLS port). Thread safe.
/// </summary>
public sealed class AssociationLimiter(int maxAssociations, int maxPerAddress)
{
    readonly Dictionary<IPAddress, int> perAddress = [];
    int total;

    public int MaxAssociations { get; } = maxAssociations > 0 ? maxAssociations : throw new ArgumentOutOfRangeException(nameof(maxAssociations), "must be at least 1");
    public int MaxPerAddress { get; } = maxPerAddress > 0 ? maxPerAddress : throw new ArgumentOutOfRangeException(nameof(maxPerAddress), "must be at least 1");

    /// <summary>Connections held now.</summary>
    public int Open
    {
        get { lock (perAddress) return total; }
    }

    /// <summary>A slot for a connection from <paramref name="address"/>, released when disposed; or null and why not.</summary>
    public (IDisposable? Slot, string? Refusal) TryAcquire(IPAddress? address)
    {
        var key = Normalize(address);
        lock (perAddress)
        {
            if (total >= MaxAssociations) return (null, $"{total} associations open, the limit is {MaxAssociations}");
            perAddress.TryGetValue(key, out var n);
            if (n >= MaxPerAddress) return (null, $"{n} associations open from {key}, the limit per address is {MaxPerAddress}");
            perAddress[key] = n + 1;
            total++;
        }
        return (new Slot(this, key), null);
    }

    void Release(IPAddress key)
    {
        lock (perAddress)
        {
            total--;
            if (--perAddress[key] == 0) perAddress.Remove(key);
        }
    }

    static IPAddress Normalize(IPAddress? a) => a is null ? IPAddress.None : a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    sealed class Slot(AssociationLimiter owner, IPAddress key) : IDisposable
    {
        int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0) owner.Release(key);
        }
    }
}

/// <summary>An association the listener refused, for the audit: who asked (when the A-ASSOCIATE-RQ was read), from where, and why.</summary>
public sealed record AssociationRejection(string? CallingAE, string? CalledAE, IPEndPoint? Remote, string Reason, AssociateRejectPdu? Reject)
{
    /// <summary>The standard meaning of an A-ASSOCIATE-RJ (PS3.8 §9.3.4, Table 9-21).</summary>
    public static string Describe(AssociateRejectPdu rj) =>
        $"{(rj.Result == AssociateRejectPdu.Transient ? "rejected-transient" : "rejected-permanent")}: " + (rj.Source, rj.Reason) switch
        {
            (AssociateRejectPdu.SourceUser, AssociateRejectPdu.ApplicationContextNotSupported) => "application context name not supported",
            (AssociateRejectPdu.SourceUser, AssociateRejectPdu.CallingAENotRecognized) => "calling AE title not recognized",
            (AssociateRejectPdu.SourceUser, AssociateRejectPdu.CalledAENotRecognized) => "called AE title not recognized",
            (AssociateRejectPdu.SourceUser, _) => "no reason given",
            (AssociateRejectPdu.SourceAcse, AssociateRejectPdu.ProtocolVersionNotSupported) => "protocol version not supported",
            (AssociateRejectPdu.SourceAcse, _) => "no reason given (ACSE)",
            (AssociateRejectPdu.SourcePresentation, AssociateRejectPdu.TemporaryCongestion) => "temporary congestion",
            (AssociateRejectPdu.SourcePresentation, AssociateRejectPdu.LocalLimitExceeded) => "local limit exceeded",
            _ => $"source {rj.Source} reason {rj.Reason}",
        };
}
