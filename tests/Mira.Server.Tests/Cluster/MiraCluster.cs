using System.Diagnostics;
using System.Globalization;
using Mira.Storage.Tests;
using Mira.Testing;

namespace Mira.Server.Tests.Cluster;

/// <summary>
/// A region in miniature, from real parts: one PostgreSQL (<see cref="PostgresServer"/>), one S3 bucket (a real s3rver),
/// two identical <c>mira serve</c> nodes over them, each with its own small data folder (its ingest journal, nothing
/// shared), and haproxy in front (<see cref="Haproxy"/>). Nodes keep their ports across a restart, so a node killed
/// and started again rejoins the balancer.
/// </summary>
public sealed class MiraCluster : IAsyncLifetime
{
    readonly PostgresServer postgres = new();
    S3Server? s3;
    readonly string root = Directory.CreateTempSubdirectory("mira-cluster-").FullName;
    readonly List<(int Http, int Dimse)> ports = [];

    public string ConnectionString { get; private set; } = "";
    public ServeProcess[] Nodes { get; private set; } = [];
    public Haproxy Balancer { get; private set; } = null!;

    /// <summary>The balancer's web address, with the admin's credentials.</summary>
    public HttpClient Http { get; private set; } = null!;

    public int DimsePortOf(int node) => ports[node].Dimse;

    public string DataFolderOf(int node) => Path.Combine(root, "node" + node.ToString(CultureInfo.InvariantCulture));

    /// <summary>The bucket every node writes to.</summary>
    public S3Server ObjectStore => s3 ?? throw new InvalidOperationException("the cluster is not started");

    /// <summary>An unindexed object counts as abandoned after this long (default one hour; short here so that a
    /// restarted node's recovery can clean up what a kill left, within the test).</summary>
    public static TimeSpan IncompleteWriteAge { get; } = TimeSpan.FromSeconds(3);

    /// <summary>The arguments every archive command needs to act on this cluster's database and object store.</summary>
    public IReadOnlyList<string> StorageArguments(int node) => ["--data", DataFolderOf(node), "--db", ConnectionString, .. BlobArguments()];

    IReadOnlyList<string> BlobArguments() => ["--blobs", $"s3://{ObjectStore.Bucket}/region", "--s3-endpoint", ObjectStore.Endpoint.ToString()];

    IReadOnlyDictionary<string, string?> Environment() => new Dictionary<string, string?>(ObjectStore.Environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
    {
        [Mira.Storage.Blobs.BlobStorageOptions.IncompleteWriteAgeVariable] = ((int)IncompleteWriteAge.TotalSeconds).ToString(CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        s3 = await S3Server.StartAsync("mira-cluster");
        ConnectionString = await postgres.CreateDatabaseConnectionStringAsync();
        for (var i = 0; i < 2; i++) ports.Add((ServeProcess.FreePort(), ServeProcess.FreePort()));
        // Both nodes start at once on the empty database, as a supervisor starts them: one applies the migrations and
        // creates the admin account, the other waits for the migrations' lock and finds both done.
        var started = await Task.WhenAll(StartNodeAsync(0), StartNodeAsync(1));
        Nodes = started;
        var first = started[0];
        Balancer = await Haproxy.StartAsync(Path.Combine(root, "haproxy"), ports);
        Http = new HttpClient { BaseAddress = Balancer.Url, Timeout = TimeSpan.FromSeconds(60) };
        Http.DefaultRequestHeaders.Authorization = first.Http.DefaultRequestHeaders.Authorization;
        await WaitUntilBalancedAsync();
    }

    Task<ServeProcess> StartNodeAsync(int node)
    {
        var (http, dimse) = ports[node];
        return ServeProcess.StartAsync(DataFolderOf(node), Environment(),
        [
            "--urls", $"http://127.0.0.1:{http.ToString(CultureInfo.InvariantCulture)}",
            "--dimse-port", dimse.ToString(CultureInfo.InvariantCulture),
            "--db", ConnectionString, .. BlobArguments(), "--trusted-proxy", "127.0.0.1",
        ]);
    }

    /// <summary>Starts a node again (after <see cref="ServeProcess.KillAsync"/>), on the same ports and data folder.</summary>
    public async Task<ServeProcess> RestartAsync(int node)
    {
        await Nodes[node].DisposeAsync();
        Nodes[node] = await StartNodeAsync(node);
        await WaitUntilBalancedAsync();
        return Nodes[node];
    }

    /// <summary>Waits until haproxy's health checks have every live node in rotation (two checks, half a second apart).</summary>
    async Task WaitUntilBalancedAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var seen = 0;
        while (DateTime.UtcNow < deadline && seen < 6)
        {
            try
            {
                seen = (await Http.GetAsync("/health")).IsSuccessStatusCode ? seen + 1 : 0;
            }
            catch (HttpRequestException)
            {
                seen = 0;
            }
            await Task.Delay(300);
        }
        Assert.True(seen >= 6, "the balancer did not answer /health: " + Balancer.Output);
    }

    /// <summary>Runs a <c>mira</c> command (e.g. <c>archive verify</c>) on this cluster's storage; its exit code and output.</summary>
    public Task<(int ExitCode, string Output)> MiraAsync(params string[] args) => MiraAsync(new Dictionary<string, string?>(), args);

    /// <summary>As <see cref="MiraAsync(string[])"/>, with more environment variables (e.g. <c>MIRA_PASSWORD</c>).</summary>
    public async Task<(int ExitCode, string Output)> MiraAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var (exit, output, errors) = await MiraCli.RunAsync(new Dictionary<string, string?>(Environment().Concat(environment)), args);
        return (exit, output + errors);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Balancer is not null) await Balancer.DisposeAsync();
        foreach (var n in Nodes) await n.DisposeAsync();
        await postgres.DisposeAsync();
        if (s3 is not null) await s3.DisposeAsync();
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
    }
}
