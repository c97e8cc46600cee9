using Microsoft.AspNetCore.Http;

namespace Mira.Server.Dicomweb;

/// <summary>Absolute URLs of DICOMweb resources, built from the request's scheme, host and path base.</summary>
public static class DicomwebUrls
{
    public const string Prefix = "/dicomweb";

    /// <summary>The intake archive's DICOMweb root.</summary>
    public static string Base(HttpRequest request) => $"{Origin(request)}{Prefix}";

    /// <summary>A research project's DICOMweb root (its own archive).</summary>
    public static string ProjectBase(HttpRequest request, string projectId) => $"{Origin(request)}/api/projects/{projectId}{Prefix}";

    static string Origin(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";
}
