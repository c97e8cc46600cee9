using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Mira.Server.Tests;

/// <summary>A real <c>mira serve</c> process on a free loopback port, with an authenticated client; killed when disposed.</summary>
public sealed class ServeProcess : IAsyncDisposable
{
    /// <summary>The password of the <c>admin</c> account the process creates on first start.</summary>
    public const string AdminPassword = "process-admin-pw";
    readonly Process process;
    readonly StringBuilder output = new();

    ServeProcess(Process process, HttpClient http, int? dimsePort)
    {
        this.process = process;
        Http = http;
        DimsePort = dimsePort;
    }

    public HttpClient Http { get; }

    /// <summary>The DIMSE port this helper chose (null when the test passed its own <c>--dimse-port</c>).</summary>
    public int? DimsePort { get; }

    /// <summary>The server's process id (for <see cref="ProcessUsage"/>).</summary>
    public int ProcessId => process.Id;

    /// <summary>The server's resident memory now and at its peak, and the CPU time it has used so far.</summary>
    public ProcessUsage Usage() => ProcessUsage.Of(process.Id);

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public static Task<ServeProcess> StartAsync(string data, params string[] extra) => StartAsync(data, new Dictionary<string, string?>(), extra);

    /// <summary>
    /// As <see cref="StartAsync(string, string[])"/>, with environment variables set (a null value removes one, e.g.
    /// <c>MIRA_ADMIN_PASSWORD</c> for a generated password). When <paramref name="extra"/> names <c>--urls</c>, the
    /// server listens there (e.g. https://127.0.0.1:PORT) and <see cref="Http"/> accepts its certificate, whatever it is:
    /// a test of the certificate checks it itself.
    /// </summary>
    public static async Task<ServeProcess> StartAsync(string data, IReadOnlyDictionary<string, string?> environment, params string[] extra)
    {
        var urlIndex = Array.IndexOf(extra, "--urls");
        var url = urlIndex >= 0 ? extra[urlIndex + 1] : $"http://127.0.0.1:{FreePort()}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Each process gets its own DIMSE port unless the test chooses one: parallel tests must not share 11112.
        int? dimsePort = extra.Contains("--dimse-port") ? null : FreePort();
        var dimse = dimsePort is null ? [] : new[] { "--dimse-port", dimsePort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var listen = urlIndex >= 0 ? [] : new[] { "--urls", url };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "mira.dll"), "serve", "--data", data }.Concat(listen).Concat(dimse).Concat(extra))
            psi.ArgumentList.Add(a);
        psi.Environment["MIRA_ADMIN_PASSWORD"] = AdminPassword;
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        var process = Process.Start(psi)!;
        var handler = new HttpClientHandler();
        if (url.StartsWith("https:", StringComparison.OrdinalIgnoreCase)) handler.ServerCertificateCustomValidationCallback = (_, _, _, _) => true;
        var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        var server = new ServeProcess(process, http, dimsePort);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilHealthy();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("admin:" + AdminPassword)));
        return server;
    }

    void Append(string? line)
    {
        lock (output) output.AppendLine(line);
    }

    /// <summary>SIGKILL, as a power cut would end it: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
        process.Dispose();
    }

    async Task WaitUntilHealthy()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "mira serve exited: " + Output);
            try
            {
                if ((await Http.GetAsync("/health")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        Assert.Fail("mira serve did not become healthy: " + Output);
    }

    internal static int FreePort() => Mira.Testing.LoopbackPorts.Free();
}
