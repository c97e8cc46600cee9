using Microsoft.AspNetCore.Http;
using Mira.Server.Projects;
using Mira.Server.Security;

namespace Mira.Server.Dicomweb;

/// <summary>
/// STOW-RS into a research project's own archive (PS3.18 §10.5): <c>POST /api/projects/{id}/dicomweb/studies[/{study}]</c>,
/// beside the project's read-only QIDO-RS and WADO-RS. For the project's members (<see cref="ProjectMemberAccess"/>:
/// others get the project's 404, stewards and admins who are not members 403), audited per request as
/// <c>project.stow</c>. Only annotation objects of the project's studies are stored
/// (<see cref="ProjectAnnotationStore"/>); the request is read as the intake's STOW-RS reads it (multipart or single part,
/// the same part and size limits, the same Store Instances Response with a <c>Warning</c> header per refused part).
/// </summary>
public static class ProjectStowEndpoints
{
    /// <summary>Maps the two routes on the project's DICOMweb group (<c>/api/projects/{id}/dicomweb</c>).</summary>
    public static void Map(RouteGroupBuilder research)
    {
        research.MapPost("/studies", (HttpContext h, MiraPlatform a, ServerOptions o, string id) => StoreAsync(h, a, o, id, null))
            .AddEndpointFilter(new ProjectMemberAccess(AuditActions.ProjectStow));
        research.MapPost("/studies/{study}", (HttpContext h, MiraPlatform a, ServerOptions o, string id, string study) => StoreAsync(h, a, o, id, study))
            .AddEndpointFilter(new ProjectMemberAccess(AuditActions.ProjectStow));
    }

    static async Task<IResult> StoreAsync(HttpContext http, MiraPlatform platform, ServerOptions options, string id, string? study)
    {
        var user = MiraAuthentication.UserOf(http) ?? throw new InvalidOperationException("the authentication middleware did not run");
        var project = await platform.Projects.Archives.GetAsync(id);
        // The annotation workflow admits each object: tied to the user's open task; a SEG becomes its read (AnnotationTaskGate).
        IAnnotationStowGate gate = new AnnotationTaskGate(platform.Annotations);
        var store = new ProjectAnnotationStore(project, (part, ct) => gate.AdmitAsync(http, id, part, ct));
        var source = new IngestSource("stow-rs", http.Connection.RemoteIpAddress?.ToString(), user.Name);
        var target = new StowEndpoints.StowTarget(project.Ingest, source, DicomwebUrls.ProjectBase(http.Request, id), store.StoreAsync);
        return await StowEndpoints.StoreAsync(http, options, target, study);
    }
}
