using Mira.Storage.Jobs;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>A server on a test host over a temporary data folder (SQLite), with one user per role of interest.</summary>
public class TestArchive : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-1";
    public const string UserPassword = "user-password-1";

    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-server-tests-" + Guid.NewGuid().ToString("N"));
    WebApplication? app;

    public MiraPlatform Archive => app!.Services.GetRequiredService<MiraPlatform>();
    public IServiceProvider Services => app!.Services;
    public HttpClient Anonymous { get; private set; } = null!;
    public string StewardToken { get; private set; } = "";

    /// <summary>The DIMSE listener to run (port 0: a free one, see <see cref="DimsePort"/>); null runs none.</summary>
    protected virtual Mira.Server.Dimse.DimseServiceOptions? Dimse => null;

    /// <summary>The DIMSE listener's port.</summary>
    public int DimsePort => app!.Services.GetRequiredService<Mira.Server.Dimse.DimseListener>().Port;

    /// <summary>Makes the DIMSE listener see AE table changes now.</summary>
    public Task RefreshAeTableAsync() => app!.Services.GetRequiredService<Mira.Server.Dimse.DimseListener>().RefreshAeTableAsync();

    public string DataFolder => folder;

    /// <summary>The rule queue's settings for this server (tests shorten the retry delays).</summary>
    public JobOptions RuleCopies { get; init; } = new();

    /// <summary>
    /// The index database: null for SQLite in the data folder; with <see cref="OnPostgreSql"/> a fresh database on a
    /// private PostgreSQL server that this archive starts and stops.
    /// </summary>
    protected virtual async Task<string?> ConnectionStringAsync()
    {
        if (!OnPostgreSql) return null;
        postgres = new Mira.Storage.Tests.PostgresServer();
        await postgres.InitializeAsync();
        return IndexConnectionString = await postgres.CreateDatabaseConnectionStringAsync();
    }

    Mira.Storage.Tests.PostgresServer? postgres;

    /// <summary>Whether the index is on PostgreSQL (see <see cref="ConnectionStringAsync"/>).</summary>
    protected virtual bool OnPostgreSql => false;

    /// <summary>The PostgreSQL connection string of the index; null on SQLite.</summary>
    public string? IndexConnectionString { get; private set; }

    /// <summary>Whether the server listens on a real socket (a free loopback port, for a browser) rather than the in-process test host.</summary>
    protected virtual bool OnSocket => false;

    /// <summary>How evaluation jobs run their model worker (null: the server's default, a local worker process).</summary>
    protected virtual Mira.Platform.Evaluations.EvaluationOptions? Evaluations => null;

    /// <summary>The server's options as a subclass wants them (e.g. <c>/metrics</c> open to anonymous scrapers).</summary>
    protected virtual ServerOptions Configure(ServerOptions options) => options;

    /// <summary>Where clients reach the server (http://localhost on the in-process host).</summary>
    public Uri BaseUrl { get; private set; } = new("http://localhost");

    HttpClient NewClient() => OnSocket ? new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(2) } : app!.GetTestClient();

    public virtual async Task InitializeAsync()
    {
        var connectionString = await ConnectionStringAsync();
        app = await MiraServer.BuildAsync(Configure(new ServerOptions
        {
            DataFolder = folder,
            ConnectionString = connectionString,
            AdminPassword = AdminPassword,
            Security = new SecurityOptions { Pbkdf2Iterations = 1000 },
            Console = TextWriter.Null,
            Dimse = Dimse,
            Jobs = RuleCopies,
            Evaluations = Evaluations ?? new ServerOptions().Evaluations,
            ConfigureBuilder = OnSocket ? null : b => b.WebHost.UseTestServer(),
            Urls = OnSocket ? "http://127.0.0.1:0" : new ServerOptions().Urls,
            // The in-process host has no socket to take the address from: its clients reach it as http://localhost.
            PublicBaseUrl = OnSocket ? null : new Uri("http://localhost"),
        }));
        await app.StartAsync();
        if (OnSocket) BaseUrl = new Uri(app.Urls.First());
        Anonymous = NewClient();
        await Archive.Accounts.CreateUserAsync("steward", UserPassword, [Roles.Steward]);
        await Archive.Accounts.CreateUserAsync("annotator", UserPassword, [Roles.Annotator]);
        StewardToken = (await Archive.Tokens.IssueAsync("steward", TimeSpan.FromHours(1))).Token;
    }

    /// <summary>A client sending HTTP Basic credentials.</summary>
    public HttpClient Basic(string user, string password)
    {
        var c = NewClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return c;
    }

    public HttpClient Admin => Basic("admin", AdminPassword);

    public HttpClient Bearer(string token)
    {
        var c = NewClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public virtual async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        try { Directory.Delete(folder, true); } catch (IOException) { }
        if (postgres is not null) await postgres.DisposeAsync();
    }
}

/// <summary>The same server with its index in PostgreSQL (a private server, see <see cref="Mira.Storage.Tests.PostgresServer"/>).</summary>
public sealed class PostgresTestArchive : TestArchive
{
    protected override bool OnPostgreSql => true;
}
