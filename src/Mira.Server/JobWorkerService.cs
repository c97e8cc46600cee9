using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mira.Platform;

namespace Mira.Server;

/// <summary>Runs the platform's job worker (<see cref="Mira.Platform.Jobs.JobWorker"/>) for as long as the server runs.</summary>
public sealed class JobWorkerService(MiraPlatform platform, ILogger<JobWorkerService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        platform.CreateJobWorker(message => logger.LogError("{Message}", message)).RunAsync(stoppingToken);
}
