using Microsoft.AspNetCore.Http;
using Mira.Server.Security;

namespace Mira.Server.Workitems;

/// <summary>
/// Lets a task performer (role <see cref="Roles.Performer"/>) read the inputs and store the results of the work items
/// it holds, and nothing else (docs/workitems.md): for WADO-RS, the study (or series) of the route must be an input of
/// an IN PROGRESS work item the caller claimed; for STOW-RS, the route's study must be. The request is then audited as
/// any other (<see cref="PatientDataAccess"/>, same action); every other caller goes through <paramref name="identified"/>.
/// </summary>
public sealed class WorkitemInputAccess(string action, IEndpointFilter identified, bool store = false) : IEndpointFilter
{
    readonly PatientDataAccess performer = new(action, [Roles.Performer]);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        if (MiraAuthentication.UserOf(http) is { } user && user.IsInRole(Roles.Performer) && !PatientDataAccess.IdentifiedData.Any(user.IsInRole)
            && http.Request.RouteValues["study"] is string study)
        {
            var archive = http.RequestServices.GetRequiredService<MiraPlatform>();
            var series = store ? null : http.Request.RouteValues["series"] as string;
            var held = store
                ? await archive.Workitems.Store.HeldInputSeriesAsync(user.Name, study, http.RequestAborted) is not null
                : await archive.Workitems.HoldsInputAsync(user.Name, study, series, http.RequestAborted);
            if (held) return await performer.InvokeAsync(ctx, next);
        }
        return await identified.InvokeAsync(ctx, next);
    }
}
