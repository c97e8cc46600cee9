using Microsoft.Extensions.Hosting;
using Mira.Platform.Sites;
using Mira.Storage.Jobs;

namespace Mira.Server.Sites;

/// <summary>
/// On a site linked to a hub (<c>mira serve --site-push-minutes N</c>): queues one <c>site.push</c> job at start and then
/// every N minutes, under one dedupe key, so at most one push is waiting; the job worker (this node or another) runs
/// it. A site without a hub link queues nothing.
/// </summary>
public sealed class SitePushScheduler(MiraPlatform platform, TimeSpan every) : BackgroundService
{
    public const string DedupeKey = "site.push";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(every);
        do
        {
            if (await platform.SitePush.Links.GetLinkAsync(stoppingToken) is not null)
                await platform.Jobs.EnqueueAsync([new JobRequest(SitePush.JobKind, DedupeKey, MaxAttempts: 3)], stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
