using System.Net.Http.Json;

namespace Mira.Server.Tests.Web;

/// <summary>
/// A real <c>mira serve --demo</c> shared by a test class's browser tests, with a steward, an annotator and an auditor
/// besides <c>admin</c> (all with <see cref="Password"/>, chosen by them: no forced change). Sign-in back-offs are short
/// (2–4 s) so a throttling test can wait one out.
/// </summary>
public sealed class WorkspaceServer : IAsyncLifetime
{
    public const string Password = "web-user-password";
    readonly string data = Path.Combine(Path.GetTempPath(), "mira-web-" + Guid.NewGuid().ToString("N"));
    ServeProcess? server;

    public ServeProcess Server => server ?? throw new InvalidOperationException("not started");
    public Uri BaseUrl => Server.Http.BaseAddress!;
    public string DataFolder => data;

    public async Task InitializeAsync()
    {
        server = await ServeProcess.StartAsync(data, "--demo", "--signin-backoff", "2", "--signin-backoff-max", "4");
        foreach (var (name, role) in new[] { ("steward", "steward"), ("annotator", "annotator"), ("auditor", "auditor") })
        {
            using var r = await Server.Http.PostAsJsonAsync("/api/users", new { name, password = Password, roles = new[] { role }, mustChangePassword = false });
            r.EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
        try { Directory.Delete(data, true); } catch (IOException) { }
    }
}
