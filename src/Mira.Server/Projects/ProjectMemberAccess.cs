using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Datasets;
using Mira.Server.Dicomweb;
using Mira.Server.Security;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// The endpoint filter of every route under <c>/api/projects/{id}/dicomweb</c>: members of the project (leads
/// included) only; 403 for stewards and admins who are not members, and for everyone else the same 404 as for an
/// unknown project (so ids cannot be enumerated). It
/// then hands the handler the project's own archive as its <see cref="DicomwebSource"/>, so the shared QIDO-RS and
/// WADO-RS handlers read the research archive and never the intake one. Every request, denied ones included, is
/// audited (<c>project.qido</c> or <c>project.wado</c>, resource <c>{id}:{path}{query}</c>) before the response is
/// sent.
/// </summary>
public sealed class ProjectMemberAccess(string action) : IEndpointFilter
{
    const string SourceKey = "mira.project.source";

    /// <summary>The routes of a project's archive: the intake handlers, this filter, the project's source.</summary>
    public static DicomwebRoutes Routes { get; } = new(SourceOf, intakeAction => new ProjectMemberAccess(ActionFor(intakeAction)));

    /// <summary>Searches are audited as <c>project.qido</c>, every retrieval (instances, metadata, frames, rendered…) as <c>project.wado</c>.</summary>
    public static string ActionFor(string intakeAction) => intakeAction == AuditActions.QidoSearch ? AuditActions.ProjectQido : AuditActions.ProjectWado;

    /// <summary>The source the filter chose; a route without the filter is a bug and fails rather than fall back to anything.</summary>
    static DicomwebSource SourceOf(HttpContext http) =>
        http.Items[SourceKey] as DicomwebSource ?? throw new InvalidOperationException("a project DICOMweb route ran without ProjectMemberAccess");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var user = MiraAuthentication.UserOf(http) ?? throw new InvalidOperationException("the authentication middleware did not run");
        var archive = http.RequestServices.GetRequiredService<MiraPlatform>();
        var id = http.Request.RouteValues["id"] as string ?? "";
        var resource = $"{id}:{http.Request.Path}{http.Request.QueryString}";
        Task AuditAsync(AuditOutcome outcome) => archive.Audit.AppendAsync(new AuditEntry(user.Name, action, resource,
            http.Connection.RemoteIpAddress?.ToString(), outcome, JsonSerializer.Serialize(new Dictionary<string, string> { ["project"] = id })),
            CancellationToken.None);

        if (!ProjectStore.IsValidId(id) || await archive.Projects.Store.GetAsync(id, http.RequestAborted) is null)
        {
            await AuditAsync(AuditOutcome.Failure);
            return ProjectEndpoints.ProjectNotFound(id);
        }
        if (await archive.Projects.Store.GetMemberRoleAsync(id, user.Name, http.RequestAborted) is null)
        {
            await AuditAsync(AuditOutcome.Denied);
            // Stewards and admins see every project in the list, so they may be told why; anyone else gets exactly the
            // answer for a missing project, so ids cannot be enumerated.
            return user.IsInRole(Roles.Steward) || user.IsInRole(Roles.Admin)
                ? Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"'{action}' is for members of project {id}")
                : ProjectEndpoints.ProjectNotFound(id);
        }
        var project = await archive.Projects.Archives.GetAsync(id);
        // A sequestered release's studies are absent for anyone but stewards and admins (docs/datasets.md): the same 404 as an unknown UID.
        var hidden = await archive.Datasets.SequesteredCasesAsync(new DatasetActor(user.Name, Roles.All.Where(user.IsInRole).ToArray()), id, http.RequestAborted);
        var index = await SequesteredIndexView.CreateAsync(project.Index, hidden, http.RequestAborted);
        http.Items[SourceKey] = new DicomwebSource(index, project.Blobs, DicomwebUrls.ProjectBase(http.Request, id));
        object? result;
        try
        {
            result = await next(ctx);
        }
        catch (Exception) when (!http.RequestAborted.IsCancellationRequested)
        {
            await AuditAsync(AuditOutcome.Failure);
            throw;
        }
        await AuditAsync(PatientDataAccess.OutcomeOf(result, http));
        return result;
    }
}
