using Microsoft.Extensions.Hosting;
using Mira.Platform;

namespace Mira.Server;

/// <summary>Listens for the other nodes' messages (<see cref="Mira.Storage.Cluster.ClusterSignals"/>) while the server runs; nothing on SQLite.</summary>
public sealed class ClusterSignalsService(MiraPlatform platform) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => platform.Signals.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the platform's disposal stops it
}
