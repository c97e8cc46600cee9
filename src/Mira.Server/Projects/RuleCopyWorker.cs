using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mira.Server.Projects;

/// <summary>
/// Works the durable rule queue in the background: at start every pending copy left by an earlier run (stopped or
/// killed) is resumed; then copies are taken as they are queued here, as their retry time comes, and every
/// <see cref="RuleCopyOptions.PollInterval"/> for copies queued by other nodes. Several nodes may copy the same
/// instance at once; that is safe, because a copy is deterministic (the project's key) and the project archive stores
/// it once (the second is "already stored").
/// </summary>
public sealed class RuleCopyWorker(Archive archive, RuleCopyOptions options, ILogger<RuleCopyWorker> logger) : BackgroundService
{
    const int Batch = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var projects = archive.Projects;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await projects.RuleCopies.DueAsync(DateTimeOffset.UtcNow, Batch, stoppingToken);
                foreach (var copy in due)
                    await projects.RunRuleCopyAsync(copy, options, stoppingToken);
                if (due.Count == Batch) continue;
                var next = await projects.RuleCopies.NextDueAsync(stoppingToken);
                var wait = next is { } t ? t - DateTimeOffset.UtcNow : options.PollInterval;
                if (wait > TimeSpan.Zero) await projects.WaitForRuleCopiesAsync(wait < options.PollInterval ? wait : options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database may be briefly unavailable; the rows stay, so try again later.
                logger.LogError(e, "rule copies: {Message}; retrying in {Interval}", e.Message, options.PollInterval);
                try
                {
                    await Task.Delay(options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
