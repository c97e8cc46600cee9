using Microsoft.AspNetCore.Http;
using Mira.Server.Security;

namespace Mira.Server.Observability;

/// <summary>
/// Who may read <c>/metrics</c>: an account with the role <see cref="Roles.Operator"/> or <see cref="Roles.Admin"/>
/// (HTTP Basic or a bearer token, checked by <see cref="MiraAuthentication"/> before this), or anyone when the server
/// runs with <see cref="ServerOptions.MetricsAnonymous"/> (<c>--metrics-anonymous</c>: for a scraper inside the network
/// boundary). The figures hold no patient data, but they tell how busy the archive is and what it runs.
/// </summary>
public sealed class MetricsAccess(ServerOptions options)
{
    public static readonly string[] Readers = [Roles.Operator, Roles.Admin];

    /// <summary>Whether <see cref="MiraAuthentication"/> lets this request through without credentials.</summary>
    public static bool IsAnonymousScrape(HttpRequest request, ServerOptions options) =>
        options.MetricsAnonymous && HttpMethods.IsGet(request.Method) && request.Path.Equals(ServerTelemetry.MetricsPath, StringComparison.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (options.MetricsAnonymous) return next(context);
        var user = MiraAuthentication.UserOf(context);
        if (user is null)
            return Problems.Write(context, StatusCodes.Status401Unauthorized, "Authentication required",
                "Metrics need an account with the role operator or admin (HTTP Basic or a bearer token).");
        if (!Readers.Any(user.IsInRole))
            return Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"Reading metrics needs the role {Roles.Operator} or {Roles.Admin}; '{user.Name}' has neither.");
        return next(context);
    }
}
