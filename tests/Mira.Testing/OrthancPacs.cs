using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Mira.Testing;

/// <summary>
/// A real Orthanc (Debian's <c>orthanc</c> package) standing in for a hospital PACS that receives results: a private
/// storage folder, free ports on the loopback, HTTP only from this machine (RemoteAccessAllowed false), and C-STORE
/// accepted only from the AE titles given, calling from 127.0.0.1 (DicomAlwaysAllowStore false, DicomCheckModalityHost).
/// Its REST API (<see cref="Http"/>) lists what it received. Stopped and deleted when disposed.
/// </summary>
public sealed class OrthancPacs : IAsyncDisposable
{
    readonly Process process;
    readonly string folder;

    OrthancPacs(Process process, string folder, int dicomPort, int httpPort)
    {
        this.process = process;
        this.folder = folder;
        DicomPort = dicomPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public const string AETitle = "ORTHANC";
    public int DicomPort { get; }
    public HttpClient Http { get; }

    /// <summary>Starts Orthanc accepting C-STORE from <paramref name="senders"/> (AE titles calling from 127.0.0.1).</summary>
    public static async Task<OrthancPacs> StartAsync(params string[] senders)
    {
        var orthanc = ExternalTool.Require("Orthanc", "orthanc");
        var folder = Directory.CreateTempSubdirectory("mira-orthanc-pacs-").FullName;
        var (dicomPort, httpPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var modalities = new JsonObject();
        foreach (var ae in senders) modalities[ae.ToLowerInvariant()] = new JsonArray(ae, "127.0.0.1", 104);
        var config = new JsonObject
        {
            ["Name"] = "mira-test-pacs", ["StorageDirectory"] = Path.Combine(folder, "storage"), ["IndexDirectory"] = Path.Combine(folder, "index"),
            ["HttpServerEnabled"] = true, ["HttpPort"] = httpPort, ["RemoteAccessAllowed"] = false, ["AuthenticationEnabled"] = false,
            ["DicomServerEnabled"] = true, ["DicomAet"] = AETitle, ["DicomPort"] = dicomPort, ["DicomCheckCalledAet"] = true,
            ["DicomAlwaysAllowStore"] = false, ["DicomAlwaysAllowEcho"] = false, ["DicomCheckModalityHost"] = true, ["DicomModalities"] = modalities,
            ["SaveJobs"] = false, ["WebDavEnabled"] = false, ["HttpCompressionEnabled"] = false,
        };
        var configPath = Path.Combine(folder, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        var psi = new ProcessStartInfo(orthanc) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(configPath);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var pacs = new OrthancPacs(process, folder, dicomPort, httpPort);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"Orthanc exited with code {process.ExitCode} at start");
            try
            {
                if ((await pacs.Http.GetAsync("/system")).IsSuccessStatusCode) return pacs;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await pacs.DisposeAsync();
        throw new InvalidOperationException("Orthanc did not answer on its HTTP port within 30 s");
    }

    /// <summary>The Orthanc ids of every instance it holds.</summary>
    public async Task<IReadOnlyList<string>> InstancesAsync() =>
        [.. JsonNode.Parse(await Http.GetStringAsync("/instances"))!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>An instance's DICOM file as Orthanc stored it.</summary>
    public Task<byte[]> FileAsync(string id) => Http.GetByteArrayAsync($"/instances/{id}/file");


    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException) { }
        process.Dispose();
        Http.Dispose();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
