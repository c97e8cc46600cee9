using Microsoft.AspNetCore.Http;

namespace Mira.Server.Dicomweb;

/// <summary>Absolute URLs of DICOMweb resources, built from the request's scheme, host and path base.</summary>
public static class DicomwebUrls
{
    public const string Prefix = "/dicomweb";

    public static string Base(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{Prefix}";
}
