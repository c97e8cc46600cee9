namespace Mira.Server.Tests.Web;

/// <summary>A real <c>mira serve --demo</c> process (the viewer found as a user's build finds it), shared by one test class.</summary>
public sealed class DemoServer : IAsyncLifetime
{
    readonly string folder = Path.Combine(Path.GetTempPath(), "mira-web-" + Guid.NewGuid().ToString("N"));
    ServeProcess? process;

    public ServeProcess Process => process ?? throw new InvalidOperationException("the server has not started");

    public Uri BaseUrl => Process.Http.BaseAddress!;

    public async Task InitializeAsync() => process = await ServeProcess.StartAsync(folder, "--demo");

    public async Task DisposeAsync()
    {
        if (process is not null) await process.DisposeAsync();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
