using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Mira.Platform.Observability;

namespace Mira.Server.Observability;

/// <summary>
/// <c>GET /health</c> and <c>HEAD /health</c> (anonymous, for load balancers): this node's name and version and the checks of
/// <see cref="PlatformHealth"/> (database, blob store, job engine); 200 when all pass, 503 naming the failing part
/// otherwise. The checks are cached for a second or two, so a flood of requests costs one check per interval. No
/// patient data and no error texts (a failure's full text goes to the server log).
/// </summary>
public static class HealthEndpoint
{
    public static void Map(WebApplication app, ServerOptions options)
    {
        var platform = app.Services.GetRequiredService<MiraPlatform>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Mira.Health");
        platform.Health.Failed += (part, e) => log.LogWarning(e, "Health check: the {Part} is failing: {Message}", part, e.Message);
        // HEAD too: some balancers check with it (the status alone).
        app.MapMethods("/health", [HttpMethods.Get, HttpMethods.Head], async (HttpContext http) =>
        {
            var report = await platform.Health.CheckAsync(options.Jobs.Worker, http.RequestAborted);
            http.Response.Headers.CacheControl = "no-store";
            var status = report.IsOk ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            return HttpMethods.IsHead(http.Request.Method)
                ? Results.StatusCode(status)
                : Results.Text(System.Text.Encoding.UTF8.GetString(Write(report)), "application/json", System.Text.Encoding.UTF8, status);
        });
    }

    /// <summary>The report as JSON: <c>{status, node, version, checks: {database, blobs, jobs}}</c> (docs/operations.md).</summary>
    public static byte[] Write(HealthReport r)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("status", r.IsOk ? HealthCheckResult.Ok : HealthCheckResult.Failing);
            w.WriteString("node", r.Node);
            w.WriteString("version", MiraVersion.Current);
            w.WriteStartObject("checks");
            Check(w, "database", r.Database, "provider", r.DatabaseProvider);
            Check(w, "blobs", r.Blobs, "kind", r.BlobStoreKind);
            w.WriteStartObject("jobs");
            w.WriteString("status", r.Jobs.Status);
            w.WriteString("worker", r.Jobs.Worker);
            w.WriteNumber("queued", r.Jobs.Queued);
            w.WriteNumber("running", r.Jobs.Running);
            w.WriteNumber("failedLastHour", r.Jobs.FailedLastHour);
            w.WriteNumber("oldestDueSeconds", r.Jobs.OldestDueSeconds);
            if (r.Jobs.Error is { } jobError) w.WriteString("error", jobError);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    static void Check(Utf8JsonWriter w, string name, HealthCheckResult c, string what, string value)
    {
        w.WriteStartObject(name);
        w.WriteString("status", c.Status);
        w.WriteString(what, value);
        w.WriteNumber("latencyMs", c.LatencyMs);
        if (c.Error is { } error) w.WriteString("error", error);
        w.WriteEndObject();
    }
}
