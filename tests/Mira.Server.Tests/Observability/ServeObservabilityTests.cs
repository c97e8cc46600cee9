using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mira.Server.Tests.Observability;

/// <summary>The operators' options of a real <c>mira serve</c> process: <c>--node-name</c>, <c>--metrics-anonymous</c>, <c>--log-format json</c>.</summary>
public sealed class ServeObservabilityTests
{
    [Fact]
    public async Task Mira_serve_with_metrics_anonymous_serves_metrics_without_credentials_named_by_its_node_and_logs_json_lines()
    {
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-obs-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var server = await ServeProcess.StartAsync(data, "--metrics-anonymous", "--node-name", "edge-7", "--log-format", "json");
            using var anonymous = new HttpClient { BaseAddress = server.Http.BaseAddress };
            using var metrics = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            var text = PrometheusText.Parse(await metrics.Content.ReadAsStringAsync());
            Assert.Contains(text.Named("target_info"), s => s.Has(("service_name", "mira"), ("service_instance_id", "edge-7")));
            Assert.Contains(text.Samples, s => s.Name.StartsWith("mira_jobs", StringComparison.Ordinal) && s.Has(("service_instance_id", "edge-7")));
            using var qido = await anonymous.GetAsync("/dicomweb/studies");
            Assert.Equal(HttpStatusCode.Unauthorized, qido.StatusCode); // only /metrics is opened

            var health = JsonNode.Parse(await anonymous.GetStringAsync("/health"))!;
            Assert.Equal("edge-7", (string?)health["node"]);

            // A wrong password is logged (a warning) inside its request: the line carries the request's id and its trace.
            using var wrong = new HttpClient { BaseAddress = server.Http.BaseAddress };
            wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:wrong-password"u8.ToArray()));
            using (var refused = await wrong.GetAsync("/dicomweb/studies"))
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            for (var i = 0; i < 100 && !server.Output.Contains("Failed sign-in", StringComparison.Ordinal); i++) await Task.Delay(100);
            await server.KillAsync();
            var lines = server.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(l => l.StartsWith('{')).ToArray();
            Assert.NotEmpty(lines);
            foreach (var line in lines)
            {
                using var log = JsonDocument.Parse(line);
                Assert.True(log.RootElement.TryGetProperty("LogLevel", out _), line);
                Assert.True(log.RootElement.TryGetProperty("Category", out _), line);
            }
            var signIn = lines.Select(l => JsonNode.Parse(l)!).Single(l => ((string?)l["Message"])?.StartsWith("Failed sign-in for admin", StringComparison.Ordinal) == true);
            Assert.Equal("Warning", (string?)signIn["LogLevel"]);
            var scopes = signIn["Scopes"]!.AsArray().OfType<JsonObject>().ToArray();
            Assert.Contains(scopes, s => s["RequestId"] is not null && (string?)s["RequestPath"] == "/dicomweb/studies");
            Assert.Contains(scopes, s => ((string?)s["TraceId"])?.Length == 32);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, spans go out over OTLP (HTTP/protobuf here, to a listener in this
    /// test): the STOW-RS request's server span and the ingest batch's <c>mira.ingest.batch</c>, with the node as
    /// <c>service.instance.id</c>. Protobuf carries strings as plain UTF-8, so the names are found in the body.
    /// </summary>
    [Fact]
    public async Task Mira_serve_exports_its_spans_over_otlp_when_an_endpoint_is_set()
    {
        var port = ServeProcess.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new List<(string Path, string? Type, byte[] Body)>();
        var collecting = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext c;
                try { c = await collector.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await c.Request.InputStream.CopyToAsync(body);
                lock (received) received.Add((c.Request.Url!.AbsolutePath, c.Request.ContentType, body.ToArray()));
                c.Response.StatusCode = 200;
                c.Response.ContentType = "application/x-protobuf";
                c.Response.Close();
            }
        });
        var data = Path.Combine(Path.GetTempPath(), "mira-serve-otlp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            };
            await using var server = await ServeProcess.StartAsync(data, environment, "--node-name", "traced-node");
            var study = Dicomweb.Uid();
            using (var stored = await Dicomweb.Stow(server.Http, "/dicomweb/studies", Dicomweb.Make(study, Dicomweb.Uid(), Dicomweb.Uid())))
                Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
            byte[] Traces()
            {
                lock (received) return [.. received.Where(r => r.Path == "/v1/traces").SelectMany(r => r.Body)];
            }
            bool Has(string text) => Traces().AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;
            // The request's server span ends after the ingest batch's, so it may come in a later export.
            string[] expected = ["mira.ingest.batch", "traced-node", "/dicomweb/studies"];
            for (var i = 0; i < 300 && !expected.All(Has); i++) await Task.Delay(100);
            Assert.All(expected, text => Assert.True(Has(text), $"'{text}' never reached the collector"));
            Assert.False(Has(study)); // no UIDs in spans
            lock (received) Assert.All(received.Where(r => r.Path == "/v1/traces"), r => Assert.Equal("application/x-protobuf", r.Type));
        }
        finally
        {
            collector.Stop();
            await collecting;
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }
}
