using System.Net;
using System.Text.Json.Nodes;
using Npgsql;

namespace Mira.Server.Tests.Observability;

/// <summary><c>/health</c> for load balancers: anonymous, the three checks, 503 naming the part that fails.</summary>
public sealed class HealthTests(ObservedArchive server) : IClassFixture<ObservedArchive>
{
    static async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Health_answers_anonymously_200_with_the_database_the_blob_store_and_the_job_engine()
    {
        var (status, body) = await HealthAsync(server.Anonymous);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", (string?)body["status"]);
        Assert.Equal(ObservedArchive.NodeName, (string?)body["node"]);
        Assert.False(string.IsNullOrEmpty((string?)body["version"]));
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["blobs", "database", "jobs"], checks.Select(c => c.Key).Order());
        Assert.Equal(("ok", "sqlite"), ((string?)checks["database"]!["status"], (string?)checks["database"]!["provider"]));
        Assert.Equal(("ok", "filesystem"), ((string?)checks["blobs"]!["status"], (string?)checks["blobs"]!["kind"]));
        Assert.True((double)checks["database"]!["latencyMs"]! >= 0);
        var jobs = checks["jobs"]!.AsObject();
        Assert.Equal(("ok", "running"), ((string?)jobs["status"], (string?)jobs["worker"]));
        foreach (var figure in new[] { "queued", "running", "failedLastHour", "oldestDueSeconds" }) Assert.True((double)jobs[figure]! >= 0, figure);
        Assert.Null(checks["database"]!["error"]);
        Assert.DoesNotContain(server.Archive.Blobs.Enumerate(), b => b.Key.StartsWith("health/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_answers_a_HEAD_request_with_the_status_alone()
    {
        using var head = await server.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }
}

/// <summary>Failures, each on a server of its own (a broken store cannot be shared).</summary>
public sealed class HealthFailureTests
{
    static async Task<(HttpStatusCode Status, JsonObject Body)> HealthAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Health_answers_503_naming_the_blob_store_when_its_folder_is_replaced_by_a_file()
    {
        var server = new ObservedArchive();
        await server.InitializeAsync();
        var root = Mira.Storage.DataFolder.BlobRoot(server.DataFolder);
        var moved = root + ".moved";
        try
        {
            Directory.Move(root, moved);
            await File.WriteAllTextAsync(root, "not a folder");
            var (status, body) = await HealthAsync(server.Anonymous);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("failing", (string?)body["status"]);
            var blobs = body["checks"]!["blobs"]!;
            Assert.Equal("failing", (string?)blobs["status"]);
            Assert.StartsWith("the blob store check failed", (string?)blobs["error"]);
            Assert.DoesNotContain(server.DataFolder, body.ToJsonString()); // no path in an anonymous answer
            Assert.Equal("ok", (string?)body["checks"]!["database"]!["status"]);
            Assert.Equal("ok", (string?)body["checks"]!["jobs"]!["status"]);
        }
        finally
        {
            File.Delete(root);
            if (Directory.Exists(moved)) Directory.Move(moved, root);
            await server.DisposeAsync();
        }
    }

    /// <summary>A PostgreSQL index whose database is dropped under the running server (its connections terminated).</summary>
    [Fact]
    public async Task Health_answers_503_naming_the_database_when_its_PostgreSQL_database_is_dropped()
    {
        var server = new PostgresObservedArchive();
        await server.InitializeAsync();
        try
        {
            var (okStatus, ok) = await HealthAsync(server.Anonymous);
            Assert.Equal(HttpStatusCode.OK, okStatus);
            Assert.Equal("postgresql", (string?)ok["checks"]!["database"]!["provider"]);
            // Npgsql's meter: the connection pool's use, per state, against its maximum.
            var pool = PrometheusText.Parse(await server.Admin.GetStringAsync("/metrics"));
            Assert.Contains(pool.Named("db_client_connection_count"), s => s.Labels.ContainsKey("db_client_connection_state"));
            Assert.True(pool.Sum("db_client_connection_max") > 0);

            var index = new NpgsqlConnectionStringBuilder(server.IndexConnectionString);
            var database = index.Database!;
            await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.IndexConnectionString) { Database = "postgres", Pooling = false }.ToString()))
            {
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            await Task.Delay(TimeSpan.FromSeconds(2.2)); // past the health report's cache

            var (status, body) = await HealthAsync(server.Anonymous);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("failing", (string?)body["status"]);
            var db = body["checks"]!["database"]!;
            Assert.Equal("failing", (string?)db["status"]);
            Assert.StartsWith("the database check failed", (string?)db["error"]);
            Assert.DoesNotContain(database, body.ToJsonString()); // the error names the kind of failure, not the database
            Assert.Equal("failing", (string?)body["checks"]!["jobs"]!["status"]);
            Assert.Equal("ok", (string?)body["checks"]!["blobs"]!["status"]);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    sealed class PostgresObservedArchive : ObservedArchive
    {
        protected override bool OnPostgreSql => true;
    }
}
