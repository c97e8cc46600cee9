using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Mira.Server.Dicomweb;

/// <summary>
/// Absolute URLs of DICOMweb resources (the retrieve URLs of STOW-RS and QIDO-RS answers, PS3.18 §10.5.3 and
/// §10.6.3). They start with <see cref="ServerOptions.PublicBaseUrl"/> when configured, else with the address and port
/// the request arrived on; never with the request's <c>Host</c> header, which a client chooses (a forged Host would
/// otherwise send the next client's retrieves, with its credentials, elsewhere).
/// </summary>
public static class DicomwebUrls
{
    public const string Prefix = "/dicomweb";

    /// <summary>The intake archive's DICOMweb root.</summary>
    public static string Base(HttpRequest request) => $"{Origin(request)}{Prefix}";

    /// <summary>A research project's DICOMweb root (its own archive).</summary>
    public static string ProjectBase(HttpRequest request, string projectId) => $"{Origin(request)}/api/projects/{projectId}{Prefix}";

    /// <summary>The server's own URL root, without a trailing slash.</summary>
    public static string Origin(HttpRequest request)
    {
        var services = request.HttpContext.RequestServices;
        if (services.GetService<ServerOptions>()?.PublicBaseUrl is { } configured) return configured.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var connection = request.HttpContext.Connection;
        if (connection.LocalIpAddress is { } local)
        {
            if (local.IsIPv4MappedToIPv6) local = local.MapToIPv4();
            var host = local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local}]" : local.ToString();
            return $"{request.Scheme}://{host}:{connection.LocalPort}";
        }
        // No socket (an in-process test server): the first listening address.
        var listening = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return (listening ?? "http://localhost").TrimEnd('/');
    }
}
