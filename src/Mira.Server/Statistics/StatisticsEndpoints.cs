using System.Text;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Statistics;
using Mira.Server.Security;
using Mira.Storage.Security;

namespace Mira.Server.Statistics;

/// <summary>
/// Statistics and supervision (<c>docs/statistics.md</c>): <c>GET /api/statistics</c> (the intake zone's counts as
/// JSON) and <c>GET /statistics/plots/{name}.svg</c> (the same numbers drawn) for stewards and admins, audited as
/// <c>statistics.view</c>; <c>GET /api/statistics/aggregate?by=…&amp;projects=…</c>, the supervision view's aggregate
/// query over de-identified project copies with small cells suppressed, for auditors and admins, audited as
/// <c>statistics.query</c>. A caller without the role gets 403, audited as denied.
/// </summary>
public static class StatisticsEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/statistics", Intake);
        app.MapGet("/api/statistics/aggregate", Aggregate);
        app.MapGet("/statistics/plots/{name}.svg", Plot);
    }

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    /// <summary>Null when the caller holds one of <paramref name="roles"/>; else a 403, audited as denied.</summary>
    internal static async Task<IResult?> RequireAsync(HttpContext h, MiraPlatform a, IReadOnlyList<string> roles, string action, string resource)
    {
        var user = UserOf(h);
        if (roles.Any(user.IsInRole)) return null;
        await a.Audit.AppendAsync(new AuditEntry(user.Name, action, resource, h.Connection.RemoteIpAddress?.ToString(), AuditOutcome.Denied), CancellationToken.None);
        return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"'{action}' needs one of the roles: {string.Join(", ", roles)}.");
    }

    /// <summary>The intake statistics for a steward or admin, audited as viewed; null (after a 403 result) otherwise.</summary>
    internal static async Task<(IntakeStatistics? Statistics, IResult? Refusal)> ViewAsync(HttpContext h, MiraPlatform a, string resource)
    {
        if (await RequireAsync(h, a, StatisticsAccess.IntakeRoles, AuditActions.StatisticsView, resource) is { } denied) return (null, denied);
        var statistics = await a.Statistics.IntakeAsync(h.RequestAborted);
        await a.Audit.AppendAsync(new AuditEntry(UserOf(h).Name, AuditActions.StatisticsView, resource, h.Connection.RemoteIpAddress?.ToString()),
            CancellationToken.None);
        return (statistics, null);
    }

    static async Task<IResult> Intake(HttpContext h, MiraPlatform a)
    {
        var (s, refusal) = await ViewAsync(h, a, "/api/statistics");
        return refusal ?? Results.Json(s);
    }

    static async Task<IResult> Plot(HttpContext h, MiraPlatform a, string name)
    {
        if (!StatisticsPlots.Names.Contains(name, StringComparer.Ordinal))
            return Problems.NotFound($"no plot '{name}' (plots: {string.Join(", ", StatisticsPlots.Names)})");
        var (s, refusal) = await ViewAsync(h, a, $"/statistics/plots/{name}.svg");
        if (refusal is not null) return refusal;
        // An SVG opened on its own is a document: it may run nothing and load nothing.
        h.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        h.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Text(StatisticsPlots.Render(name, s!)!, "image/svg+xml", Encoding.UTF8);
    }

    static async Task<IResult> Aggregate(HttpContext h, MiraPlatform a)
    {
        var resource = h.Request.Path + h.Request.QueryString;
        if (await RequireAsync(h, a, StatisticsAccess.AggregateRoles, AuditActions.StatisticsQuery, resource) is { } denied) return denied;
        if (h.Request.Query.Keys.FirstOrDefault(k => k is not ("by" or "projects")) is { } unknown)
            return Problems.BadRequest($"query parameter '{unknown}' is not known (by, projects)");
        IReadOnlyList<string> by;
        try
        {
            by = AggregateDimensions.Parse(h.Request.Query["by"].ToString());
        }
        catch (AggregateQueryException e)
        {
            await a.Audit.AppendAsync(new AuditEntry(UserOf(h).Name, AuditActions.StatisticsQuery, resource, h.Connection.RemoteIpAddress?.ToString(),
                AuditOutcome.Failure, System.Text.Json.JsonSerializer.Serialize(new { refused = e.Message })), CancellationToken.None);
            return Problems.BadRequest($"query parameter '{e.Parameter}': {e.Message}");
        }
        var projects = h.Request.Query.ContainsKey("projects")
            ? h.Request.Query["projects"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : null;
        try
        {
            var result = await a.Statistics.AggregateAsync(by, projects, UserOf(h).Name, h.Connection.RemoteIpAddress?.ToString(), h.RequestAborted);
            return Results.Json(Describe(result));
        }
        catch (AggregateQueryException e)
        {
            return Problems.BadRequest($"query parameter '{e.Parameter}': {e.Message}");
        }
    }

    /// <summary>The reported values only: withheld counts never leave the server.</summary>
    public static object Describe(AggregateResult r)
    {
        var totals = new Dictionary<string, object> { ["all"] = r.ReportedTotal };
        foreach (var d in r.By)
            totals[d] = r.By.Count == 1
                ? r.Cells.Select(c => new { value = c.Key[0], studies = c.Reported }).ToArray()
                : r.Marginals.Where(m => m.Dimension == d).Select(m => new { value = m.Value, studies = m.Reported }).ToArray();
        return new
        {
            by = r.By,
            projects = r.Projects,
            excluded = r.Excluded.Select(e => new { id = e.Id, reason = e.Reason }).ToArray(),
            threshold = SmallCellSuppression.Threshold,
            cells = r.Cells.Select(c =>
            {
                var cell = new Dictionary<string, object>();
                for (var i = 0; i < r.By.Count; i++) cell[r.By[i]] = c.Key[i];
                cell["studies"] = c.Reported;
                return cell;
            }).ToArray(),
            totals,
            suppressed = new { small = r.SmallCells, complementary = r.ComplementaryCells },
        };
    }
}
