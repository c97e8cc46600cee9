using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Server.Dimse;
using Mira.Storage.Network;
using Mira.Testing;

namespace Mira.Server.Tests.Dimse;

/// <summary>A test archive with its DIMSE listener on a free loopback port, AE title MIRA.</summary>
public sealed class DimseArchive : TestArchive
{
    /// <summary>The listener's settings (port 0 on loopback, AE title MIRA); tests change limits and caller permissions here.</summary>
    public DimseServiceOptions Options { get; init; } = new() { Port = 0, Address = IPAddress.Loopback, AETitle = "MIRA" };

    protected override DimseServiceOptions? Dimse => Options;

    /// <summary>Adds (or changes) a known AE and makes the listener see it at once.</summary>
    public async Task AllowAsync(string aeTitle, int port = 104, DimsePermissions allow = DimsePermissions.All)
    {
        await Archive.ApplicationEntities.SetAsync(aeTitle, "127.0.0.1", port, allow);
        await RefreshAeTableAsync();
    }

    public static int FreePort() => ServeProcess.FreePort();

    /// <summary>The SOP Instance UID in a file's data set (what an SCU sends and a receiver indexes), or null.</summary>
    public static string? SopInstanceOf(string path)
    {
        try
        {
            return DicomFile.Open(path, new DicomReadOptions { StopBeforePixelData = true }).Dataset.GetString(DicomTags.SOPInstanceUID);
        }
        catch (MiraException) { return null; }
    }

    /// <summary>Runs a dcmtk tool; returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Dcmtk(string tool, params string[] args) =>
        ExternalTool.Exec(ExternalTool.Require(tool, "dcmtk"), args, TimeSpan.FromMinutes(3));
}

/// <summary>dcmtk's storescp on a free port, writing what it receives into a temporary folder; killed when disposed.</summary>
public sealed class StoreScp : IDisposable
{
    readonly Process process;

    /// <summary>Starts storescp; <paramref name="extra"/> adds options (e.g. <c>+tls key cert +cf ca.pem</c>).</summary>
    public StoreScp(string aeTitle = "STORESCP", params string[] extra)
    {
        Folder = Directory.CreateTempSubdirectory("mira-storescp-").FullName;
        Port = DimseArchive.FreePort();
        var psi = new ProcessStartInfo(ExternalTool.Require("storescp", "dcmtk")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-aet", aeTitle, "-od", Folder, "+xa" }.Concat(extra).Append(Port.ToString(System.Globalization.CultureInfo.InvariantCulture))) psi.ArgumentList.Add(a);
        process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException("storescp did not start listening");
    }

    public string Folder { get; }
    public int Port { get; }

    public IReadOnlyList<string> Files => Directory.EnumerateFiles(Folder).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        process.WaitForExit(5000);
        process.Dispose();
        try { Directory.Delete(Folder, true); } catch (IOException) { }
    }
}
