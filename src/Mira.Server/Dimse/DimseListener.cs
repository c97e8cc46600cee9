using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mira.Dicom.Network;

namespace Mira.Server.Dimse;

/// <summary>
/// Runs the DIMSE listener inside <c>mira serve</c>: starts a <see cref="DicomServer"/> with the archive's services
/// when the host starts, refreshes the AE table every few seconds, and stops it (aborting open associations) on
/// shutdown. A failing association is logged and never stops the listener.
/// </summary>
public sealed class DimseListener(MiraPlatform archive, DimseServiceOptions options, ILogger<DimseListener> logger) : IHostedService, IAsyncDisposable
{
    DicomServer? server;
    AeDirectory? directory;
    CancellationTokenSource? refreshing;
    Task? refreshLoop;

    /// <summary>The bound port once started (useful with port 0).</summary>
    public int Port => server?.Port ?? throw new InvalidOperationException("the DIMSE listener is not running");

    /// <summary>Reloads the AE table now (the background refresh does it every <see cref="RefreshInterval"/>).</summary>
    public Task RefreshAeTableAsync(CancellationToken ct = default) => directory?.RefreshAsync(ct) ?? Task.CompletedTask;

    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken ct)
    {
        if (options.Port is not { } port) return;
        directory = new AeDirectory(archive.ApplicationEntities, options.UnknownCallers);
        await directory.RefreshAsync(ct);
        var service = new ArchiveDimseService(archive, directory, options);
        service.Problem += message => logger.LogWarning("DIMSE: {Message}", message);
        server = new DicomServer(service, new DicomServerOptions
        {
            AETitle = options.AETitle, Address = options.Address, Port = port, Association = options.Association,
        });
        server.AssociationFailed += e => logger.LogInformation("DIMSE association ended: {Message}", e.Message);
        server.Start();
        refreshing = new CancellationTokenSource();
        refreshLoop = RefreshLoopAsync(directory, refreshing.Token);
        logger.LogInformation("DIMSE listener {AETitle} on port {Port}", options.AETitle, server.Port);
    }

    static async Task RefreshLoopAsync(AeDirectory directory, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try { await directory.RefreshAsync(ct); }
                catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException) { }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (refreshing is { IsCancellationRequested: false }) refreshing.Cancel();
        if (refreshLoop is not null) await refreshLoop;
        if (server is not null) await server.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (server is not null) await server.DisposeAsync();
        server = null;
        refreshing?.Dispose();
        refreshing = null;
    }
}
