using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Mira.Server.Security;

/// <summary>
/// Which reverse proxies may say who the client is (<see cref="ServerOptions.TrustedProxies"/>): their
/// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are applied, walking back through the chain while each hop is
/// a trusted proxy, so the audit log records the client, not the proxy. Anyone else's forwarded headers are ignored.
/// </summary>
public static class ProxyTrust
{
    /// <summary>The forwarded-headers settings, or null when no proxy is trusted (the headers are then never read).</summary>
    /// <exception cref="ArgumentException">An entry that is neither an IP address nor a network (<c>10.0.0.0/8</c>).</exception>
    public static ForwardedHeadersOptions? Options(IReadOnlyList<string> trusted)
    {
        if (trusted.Count == 0) return null;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            ForwardLimit = null,
        };
        // The framework trusts loopback by default; here only what the operator lists is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var entry in trusted)
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry.Trim(), out var network)) options.KnownIPNetworks.Add(network);
            else if (IPAddress.TryParse(entry.Trim(), out var address)) options.KnownProxies.Add(address);
            else throw new ArgumentException($"trusted proxy '{entry}': not an IP address or a network such as 10.0.0.0/8", nameof(trusted));
        }
        return options;
    }
}
