using Microsoft.AspNetCore.Http;
using Mira.Platform.Annotations;
using Mira.Platform.Security;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>How pages answer a service's refusal, and which roles the model and evaluation pages serve.</summary>
public static class WebRefusals
{
    /// <summary>The HTTP status of a refusal, as the REST endpoints answer it.</summary>
    public static int StatusOf(AnnotationRefusedException e) => e.Kind switch
    {
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Models and evaluation: developers (their own), stewards and admins (all).</summary>
    public static bool UsesModels(AuthenticatedUser user) =>
        user.IsInRole(Roles.Developer) || user.IsInRole(Roles.Steward) || user.IsInRole(Roles.Admin);
}
