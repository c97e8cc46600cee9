using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Mira.Storage.Security;

namespace Mira.Server.Security;

/// <summary>
/// An endpoint filter for every access to patient data: checks the caller's roles (403 otherwise) and appends an
/// audit record (actor, action, resource, client address, outcome) before the response is sent, so nothing is
/// disclosed that the log does not show. The resource is the Study Instance UID of the route, what the handler put
/// in <see cref="ResourceKey"/>, or else the path and query string.
/// </summary>
public sealed class PatientDataAccess(string action, IReadOnlyList<string> roles) : IEndpointFilter
{
    public const string ResourceKey = "mira.audit.resource";

    /// <summary>Identified archive data: steward or admin.</summary>
    public static readonly string[] IdentifiedData = [Roles.Steward, Roles.Admin];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var user = MiraAuthentication.UserOf(http) ?? throw new InvalidOperationException("the authentication middleware did not run");
        var archive = http.RequestServices.GetRequiredService<MiraPlatform>();
        if (!roles.Any(user.IsInRole))
        {
            await AppendAsync(archive, http, user.Name, AuditOutcome.Denied);
            return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"'{action}' needs one of the roles: {string.Join(", ", roles)}.");
        }
        object? result;
        try
        {
            result = await next(ctx);
        }
        catch (Exception) when (!http.RequestAborted.IsCancellationRequested)
        {
            await AppendAsync(archive, http, user.Name, AuditOutcome.Failure);
            throw;
        }
        await AppendAsync(archive, http, user.Name, OutcomeOf(result, http));
        return result;
    }

    /// <summary>The audit outcome of a handler's result: success below 400, denied for 403, failure otherwise.</summary>
    public static AuditOutcome OutcomeOf(object? result, HttpContext http)
    {
        var status = result switch
        {
            IStatusCodeHttpResult { StatusCode: { } s } => s,
            IResult => StatusCodes.Status200OK,
            _ => http.Response.StatusCode,
        };
        return status < 400 ? AuditOutcome.Success : status == 403 ? AuditOutcome.Denied : AuditOutcome.Failure;
    }

    async Task AppendAsync(MiraPlatform archive, HttpContext http, string actor, AuditOutcome outcome)
    {
        var resource = http.Items[ResourceKey] as string
            ?? (http.Request.RouteValues["study"] as string is { } study ? study : null)
            ?? http.Request.Path + http.Request.QueryString;
        await archive.Audit.AppendAsync(new AuditEntry(actor, action, resource, http.Connection.RemoteIpAddress?.ToString(), outcome),
            CancellationToken.None);
    }
}
