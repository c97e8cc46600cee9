using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Mira.Platform.Observability;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mira.Server.Observability;

/// <summary>
/// The server's OpenTelemetry (docs/operations.md): the platform's meter <c>Mira</c>, Npgsql's (connection pool use),
/// ASP.NET Core's (request durations) and the runtime's, with <c>service.name=mira</c> and
/// <c>service.instance.id=</c> the node name, scraped in the Prometheus text format at <c>/metrics</c>
/// (<see cref="MetricsAccess"/>); traces (ASP.NET Core and the <c>Mira</c> activity source) go out over OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Structured logs: <see cref="LogFormat.Json"/>.
/// </summary>
public static class ServerTelemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>The environment variable whose presence turns on the OTLP trace exporter (its standard name).</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Npgsql's own meter (<c>db.client.connection.*</c>: connections used and idle per pool, pending requests…).</summary>
    public const string NpgsqlMeter = "Npgsql";

    public static void Add(WebApplicationBuilder builder, ServerOptions options, MiraTelemetry telemetry)
    {
        if (options.LogFormat == LogFormat.Json)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true; // the request's id and path, and the trace and span ids (below)
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
            builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        }
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("mira", serviceVersion: MiraVersion.Current, serviceInstanceId: telemetry.Node, autoGenerateServiceInstanceId: false))
            .WithMetrics(m =>
            {
                m.AddMeter(MiraTelemetry.Name, NpgsqlMeter)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter(p =>
                    {
                        p.ScrapeResponseCacheDurationMilliseconds = 0; // the costly figures (the job table) are cached where they are read
                        p.ResourceConstantLabels = key => key == "service.instance.id"; // every series names its node
                    });
                ((IDeferredMeterProviderBuilder)m).Configure((services, b) =>
                {
                    var factory = services.GetRequiredService<IMeterFactory>();
                    b.AddView(instrument => FromAnotherHost(instrument, telemetry.Meter, factory) ? MetricStreamConfiguration.Drop : null);
                });
            });
        otel.WithTracing(t =>
        {
            t.AddSource(MiraTelemetry.Name).AddAspNetCoreInstrumentation(a => a.Filter = c => !IsProbe(c.Request));
            if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable))) t.AddOtlpExporter();
        });
        builder.Services.AddSingleton<MetricsAccess>();
    }

    /// <summary>Maps <c>GET /metrics</c>: the Prometheus exporter behind <see cref="MetricsAccess"/>.</summary>
    public static void Map(WebApplication app)
    {
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: b => b.Use(access.InvokeAsync), optionsName: null)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]));
    }

    /// <summary>Load balancers' and scrapers' requests make no spans (they come every few seconds, from every balancer).</summary>
    static bool IsProbe(HttpRequest request) =>
        request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase) || request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Meters are matched by name, process-wide: a second server in the same process (tests, an embedding host) has a
    /// <c>Mira</c> meter and ASP.NET Core meters of its own, whose figures are not this node's and are left out.
    /// </summary>
    static bool FromAnotherHost(Instrument instrument, Meter mira, IMeterFactory mine) =>
        instrument.Meter.Name == MiraTelemetry.Name && !ReferenceEquals(instrument.Meter, mira)
        || instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, mine);
}
