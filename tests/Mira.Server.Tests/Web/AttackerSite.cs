using System.Net;
using System.Text;

namespace Mira.Server.Tests.Web;

/// <summary>Another web origin (a loopback port of its own) serving one page: the "other site" of forgery tests.</summary>
public sealed class AttackerSite : IAsyncDisposable
{
    readonly HttpListener listener = new();
    readonly Task serving;

    AttackerSite(string html)
    {
        Url = new Uri($"http://127.0.0.1:{ServeProcess.FreePort()}/");
        listener.Prefixes.Add(Url.ToString());
        listener.Start();
        var body = Encoding.UTF8.GetBytes("<!doctype html><html><body>" + html + "</body></html>");
        serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        });
    }

    public Uri Url { get; }

    public static Task<AttackerSite> StartAsync(string html) => Task.FromResult(new AttackerSite(html));

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await serving;
    }
}
