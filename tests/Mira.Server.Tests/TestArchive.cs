using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Mira.Storage.Security;

namespace Mira.Server.Tests;

/// <summary>A server on a test host over a temporary data folder (SQLite), with one user per role of interest.</summary>
public sealed class TestArchive : IAsyncLifetime
{
    public const string AdminPassword = "admin-password-1";
    public const string UserPassword = "user-password-1";

    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-server-tests-" + Guid.NewGuid().ToString("N"));
    WebApplication? app;

    public Archive Archive => app!.Services.GetRequiredService<Archive>();
    public HttpClient Anonymous { get; private set; } = null!;
    public string StewardToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        app = await MiraServer.BuildAsync(new ServerOptions
        {
            DataFolder = folder,
            AdminPassword = AdminPassword,
            Security = new SecurityOptions { Pbkdf2Iterations = 1000 },
            Console = TextWriter.Null,
            ConfigureBuilder = b => b.WebHost.UseTestServer(),
        });
        await app.StartAsync();
        Anonymous = app.GetTestClient();
        await Archive.Accounts.CreateUserAsync("steward", UserPassword, [Roles.Steward]);
        await Archive.Accounts.CreateUserAsync("annotator", UserPassword, [Roles.Annotator]);
        StewardToken = (await Archive.Tokens.IssueAsync("steward", TimeSpan.FromHours(1))).Token;
    }

    /// <summary>A client sending HTTP Basic credentials.</summary>
    public HttpClient Basic(string user, string password)
    {
        var c = app!.GetTestClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return c;
    }

    public HttpClient Admin => Basic("admin", AdminPassword);

    public HttpClient Bearer(string token)
    {
        var c = app!.GetTestClient();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public async Task DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
        try { Directory.Delete(folder, true); } catch (IOException) { }
    }
}
