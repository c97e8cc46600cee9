using Mira.Storage.Jobs;

namespace Mira.Platform.Jobs;

/// <summary>
/// Runs the jobs of one kind. Returning means done (the job succeeds); throwing means this attempt failed (it is
/// retried after <see cref="JobOptions.DelayAfter"/> until its attempts are used up, then kept as failed). A handler
/// must be safe to run again for the same job: a worker that dies mid-job leaves it to be claimed again.
/// </summary>
public interface IJobHandler
{
    /// <summary>The job kind, <c>area.verb</c> (e.g. <c>project.rule-copy</c>).</summary>
    string Kind { get; }

    Task RunAsync(JobContext job, CancellationToken ct);
}

/// <summary>The job being run and its log.</summary>
public sealed class JobContext(Job job, JobStore store)
{
    public Job Job { get; } = job;

    /// <summary>The attempt now running (1 for the first).</summary>
    public int Attempt => Job.Attempts;

    /// <summary>Appends a line to the job's log (<c>mira jobs log ID</c>).</summary>
    public Task LogAsync(string line, CancellationToken ct = default) => store.AppendLogAsync(Job.Id, $"{DateTimeOffset.UtcNow:O} {line}", ct);
}
