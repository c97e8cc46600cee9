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
    DicomServer? server, tlsServer;
    AeDirectory? directory;
    CancellationTokenSource? refreshing;
    Task? refreshLoop;

    /// <summary>The plain listener's bound port once started (useful with port 0).</summary>
    public int Port => server?.Port ?? throw new InvalidOperationException("the plain DIMSE listener is not running");

    /// <summary>The TLS listener's bound port once started, or null when there is none.</summary>
    public int? TlsPort => tlsServer?.Port;

    /// <summary>Reloads the AE table now (the background refresh does it every <see cref="RefreshInterval"/>).</summary>
    public Task RefreshAeTableAsync(CancellationToken ct = default) => directory?.RefreshAsync(ct) ?? Task.CompletedTask;

    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken ct)
    {
        if (options.Port is null && options.TlsPort is null) return;
        directory = new AeDirectory(archive.ApplicationEntities, options.UnknownCallers);
        await directory.RefreshAsync(ct);
        // Another node (or `mira ae` beside a cluster) changed the AE table: reload now rather than at the next refresh.
        var table = directory;
        archive.Signals.On(ClusterTopics.AeTable, body => { _ = RefreshQuietlyAsync(table); });
        var service = new ArchiveDimseService(archive, directory, options);
        service.Problem += message => logger.LogWarning("DIMSE: {Message}", message);
        // One limiter for both listeners: the caps hold for the plain and TLS ports together.
        var limiter = new AssociationLimiter(options.MaxAssociations, options.MaxAssociationsPerAddress);
        archive.Telemetry.ObserveDimseAssociations(() => limiter.Open); // the mira.dimse.associations gauge
        DicomServer Listen(int port, DicomTlsOptions? tls)
        {
            var s = new DicomServer(service, new DicomServerOptions
            {
                AETitle = options.AETitle, Address = options.Address, Port = port, Association = options.Association, Limiter = limiter, Tls = tls,
            });
            s.AssociationFailed += e => logger.LogInformation("DIMSE association ended: {Message}", e.Message);
            s.Start();
            return s;
        }
        if (options.Port is { } plain) server = Listen(plain, null);
        if (options.TlsPort is { } tlsPort)
            tlsServer = Listen(tlsPort, options.Tls ?? throw new InvalidOperationException("the DICOM TLS listener needs a certificate (--dimse-tls-cert)"));
        refreshing = new CancellationTokenSource();
        refreshLoop = RefreshLoopAsync(directory, refreshing.Token);
        logger.LogInformation("DIMSE listener {AETitle} on {Address}: port {Port}, TLS port {TlsPort}", options.AETitle, options.Address,
            server?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off", tlsServer?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "off");
    }

    static async Task RefreshQuietlyAsync(AeDirectory directory)
    {
        try { await directory.RefreshAsync(CancellationToken.None); }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException) { }
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
        if (tlsServer is not null) await tlsServer.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (server is not null) await server.DisposeAsync();
        if (tlsServer is not null) await tlsServer.DisposeAsync();
        server = tlsServer = null;
        refreshing?.Dispose();
        refreshing = null;
    }
}
