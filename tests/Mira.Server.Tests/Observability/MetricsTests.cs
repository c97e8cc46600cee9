using System.Net;
using Mira.Storage.Jobs;

namespace Mira.Server.Tests.Observability;

/// <summary><c>/metrics</c>: the Prometheus text of the Mira meter, ASP.NET Core's request durations and the job table, and who may read it.</summary>
public sealed class MetricsTests(ObservedArchive server) : IClassFixture<ObservedArchive>
{
    static readonly (string, string) Stow = ("transport", "stow");

    [Fact]
    public async Task A_stow_of_three_instances_raises_the_stow_ingest_counters_by_three_instances_and_their_bytes()
    {
        var before = await server.ScrapeAsync();
        var study = Dicomweb.Uid();
        var parts = Enumerable.Range(0, 3).Select(_ => Dicomweb.Make(study, Dicomweb.Uid(), Dicomweb.Uid())).ToArray();
        using (var stored = await Dicomweb.Stow(server.Admin, "/dicomweb/studies", parts))
            Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        using (var again = await Dicomweb.Stow(server.Admin, "/dicomweb/studies", parts[0])) // already stored: a warning, no new instance
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);

        var after = await server.ScrapeAsync();
        var node = ("node", ObservedArchive.NodeName);
        Assert.Equal("counter", after.Types["mira_ingest_instances_total"]);
        Assert.Equal(3, after.Sum("mira_ingest_instances_total", Stow, node) - before.Sum("mira_ingest_instances_total", Stow, node));
        Assert.Equal(parts.Sum(p => p.Length), after.Sum("mira_ingest_size_bytes_total", Stow, node) - before.Sum("mira_ingest_size_bytes_total", Stow, node));
        Assert.Equal(2, after.Sum("mira_ingest_batch_duration_seconds_count") - before.Sum("mira_ingest_batch_duration_seconds_count"));
        // Only this node's figures, though other servers in this test process store instances at the same time.
        Assert.All(after.Samples.Where(s => s.Labels.ContainsKey("node")), s => Assert.Equal(ObservedArchive.NodeName, s.Labels["node"]));
        Assert.All(after.Samples.Where(s => s.Name != "target_info"), s => Assert.Equal(ObservedArchive.NodeName, s.Labels["service_instance_id"]));
    }

    [Fact]
    public async Task Request_durations_are_a_histogram_per_route_method_and_status_labelled_with_the_node()
    {
        (await server.Operator.GetAsync("/health")).Dispose();
        var scrape = await server.ScrapeAsync();
        Assert.Equal("histogram", scrape.Types["http_server_request_duration_seconds"]);
        var health = scrape.Named("http_server_request_duration_seconds_count")
            .Where(s => s.Has(("http_route", "/health"), ("http_request_method", "GET"), ("http_response_status_code", "200"))).ToArray();
        Assert.True(Assert.Single(health).Value >= 1);
        Assert.Equal(ObservedArchive.NodeName, health[0].Labels["service_instance_id"]);
        Assert.Contains(scrape.Named("http_server_request_duration_seconds_bucket"), s => s.Has(("http_route", "/health"), ("le", "+Inf")));
    }

    [Fact]
    public async Task The_job_gauges_show_a_job_queued_in_the_shared_table()
    {
        // A kind no worker runs stays queued; the gauges come from a cache refreshed every few seconds.
        await server.Archive.Jobs.EnqueueAsync([new JobRequest("obs.waiting", "obs-waiting-1"), new JobRequest("obs.waiting", "obs-waiting-2")]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        PrometheusText scrape;
        do
        {
            scrape = await server.ScrapeAsync();
            if (scrape.Sum("mira_jobs", ("kind", "obs.waiting"), ("state", "queued")) == 2) break;
            await Task.Delay(250);
        } while (DateTime.UtcNow < deadline);
        Assert.Equal(2, scrape.Sum("mira_jobs", ("kind", "obs.waiting"), ("state", "queued")));
        Assert.Equal("gauge", scrape.Types["mira_jobs"]);
        Assert.True(scrape.Sum("mira_jobs_oldest_due_age_seconds") >= 0);
    }

    [Fact]
    public async Task Metrics_are_refused_without_credentials_and_to_a_role_that_is_neither_operator_nor_admin()
    {
        using var anonymous = await server.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var annotator = await server.Basic("annotator", TestArchive.UserPassword).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, annotator.StatusCode);
        using var steward = await server.Bearer(server.StewardToken).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, steward.StatusCode);
        Assert.DoesNotContain("mira_", await steward.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Metrics_are_served_to_the_operator_by_token_or_password_and_to_the_admin()
    {
        foreach (var client in new[] { server.Operator, server.Basic("operator", TestArchive.UserPassword), server.Admin })
        {
            using var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
            var text = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("gauge", text.Types["mira_jobs_oldest_due_age_seconds"]); // always present, 0 when nothing waits
        }
    }

    [Fact]
    public async Task The_operator_role_reads_no_patient_data()
    {
        using var qido = await server.Operator.GetAsync("/dicomweb/studies");
        Assert.Equal(HttpStatusCode.Forbidden, qido.StatusCode);
    }
}

/// <summary><c>--metrics-anonymous</c> in process: an unauthenticated scraper gets the metrics; everything else still needs credentials.</summary>
public sealed class AnonymousMetricsTests(AnonymousMetricsArchive server) : IClassFixture<AnonymousMetricsArchive>
{
    [Fact]
    public async Task An_anonymous_scraper_reads_the_metrics_but_nothing_else()
    {
        using var metrics = await server.Anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("gauge", PrometheusText.Parse(await metrics.Content.ReadAsStringAsync()).Types["mira_jobs_oldest_due_age_seconds"]);
        using var qido = await server.Anonymous.GetAsync("/dicomweb/studies");
        Assert.Equal(HttpStatusCode.Unauthorized, qido.StatusCode);
        using var post = await server.Anonymous.PostAsync("/metrics", new StringContent(""));
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
    }
}
