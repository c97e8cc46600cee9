using System.Text.Json;
using Mira.Platform.Audit;
using Mira.Platform.Jobs;
using Mira.Storage.Jobs;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Research;

/// <summary>
/// The rule copies ("everything arriving from AE X", "everything account U uploads"): a job per project and intake
/// instance, queued on arrival (before the sender is answered), run by <see cref="ProjectRuleCopyJob"/>.
/// </summary>
public sealed partial class ProjectService
{
    /// <summary>The job kind of a rule copy (jobs moved from the older queue keep it).</summary>
    public const string RuleCopyJobKind = "project.rule-copy";

    /// <summary>The job table (rule copies are jobs of <see cref="RuleCopyJobKind"/>).</summary>
    public JobService Jobs { get; }

    /// <summary>
    /// The rule hook of every transport: instances stored from <paramref name="callingAe"/> (DIMSE) or by
    /// <paramref name="uploader"/> (STOW-RS, import) are durable in the intake archive; a copy into every project with
    /// a rule for that AE title or account is queued (all in one transaction) before the sender is answered, so an
    /// acknowledged instance is copied even if the server stops at once. Returns the jobs written; throws when the job
    /// table cannot be written (the caller answers those instances as failed, and the sender's resend, "already
    /// stored", queues them again). Without a rule this reads one small table and writes nothing.
    /// </summary>
    public async Task<int> QueueRuleCopiesAsync(string? callingAe, string? uploader, IReadOnlyList<string> sopInstanceUids, CancellationToken ct = default)
    {
        if (sopInstanceUids.Count == 0 || (callingAe is null && uploader is null)) return 0;
        var rules = new List<ProjectRule>();
        if (callingAe is not null)
            rules.AddRange((await Store.ProjectsForAeAsync(callingAe, ct)).Select(p => new ProjectRule(p, ProjectRuleKinds.AeTitle, callingAe)));
        if (uploader is not null)
            rules.AddRange((await Store.ProjectsForUploaderAsync(uploader, ct)).Select(p => new ProjectRule(p, ProjectRuleKinds.Uploader, uploader)));
        if (rules.Count == 0) return 0;
        var jobs = rules.SelectMany(rule => sopInstanceUids.Select(sop => new JobRequest(RuleCopyJobKind, $"{RuleCopyJobKind}:{rule.Project}:{sop}",
            rule.Project, rule.Id, sop, MaxAttempts: Jobs.Options.MaxAttempts))).ToList();
        return await Jobs.EnqueueAsync(jobs, ct);
    }

    static readonly string[] NotDone = [JobStates.Queued, JobStates.Running];
    static readonly string[] Outstanding = [JobStates.Queued, JobStates.Running, JobStates.Failed];

    /// <summary>Rule copies queued and not yet done or given up (for tests and the status page).</summary>
    public async Task<int> PendingRuleCopiesAsync(CancellationToken ct = default) =>
        (await Jobs.Store.ListAsync(RuleCopyJobKind, limit: int.MaxValue, states: NotDone, ct: ct)).Count;

    /// <summary>
    /// The rule copies not yet done: queued (first try or a retry), running, or given up (failed, kept for a steward);
    /// all projects or one, all those states or one.
    /// </summary>
    public Task<IReadOnlyList<Job>> OutstandingRuleCopiesAsync(string? project = null, string? state = null, CancellationToken ct = default) =>
        Jobs.Store.ListAsync(RuleCopyJobKind, project, state, limit: int.MaxValue, states: Outstanding, ct: ct);

    /// <summary>Drops the copies a removed rule had queued and not made (queued and given-up jobs).</summary>
    public Task<(int Queued, int Failed)> RemoveRuleCopiesAsync(ProjectRule rule, CancellationToken ct = default) =>
        Jobs.Store.RemoveAsync(RuleCopyJobKind, rule.Project, rule.Id, ct);

    /// <summary>
    /// One attempt at a rule copy job. Done: copied, already in the project, quarantined, or moot (the project, its rule
    /// or the intake instance is gone; audited as such). Throws when the copy failed: the job is retried, and its error
    /// goes to the audit log (<c>project.copy</c>, Failure) with the attempt.
    /// </summary>
    internal async Task RunRuleCopyAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var project = job.Project ?? throw new InvalidOperationException($"rule copy job {job.Id} names no project");
        var sop = job.Subject ?? throw new InvalidOperationException($"rule copy job {job.Id} names no instance");
        var rule = ProjectRule.FromId(project, job.Origin ?? "") ?? throw new InvalidOperationException($"rule copy job {job.Id} names no rule ('{job.Origin}')");
        var uploaded = rule.Kind == ProjectRuleKinds.Uploader;
        var resource = $"rule {(uploaded ? "uploader" : "ae")}={rule.Source} sop={sop}";
        var details = new Dictionary<string, object>
        {
            ["attempt"] = context.Attempt, ["maxAttempts"] = job.MaxAttempts, ["job"] = job.Id, [uploaded ? "uploader" : "aeTitle"] = rule.Source,
        };
        string error;
        try
        {
            var p = await Store.GetAsync(project, ct);
            // A rule removed after the copy was queued (the removal drops its jobs; this covers one queued meanwhile).
            var ruled = p is not null && await Store.HasRuleAsync(rule, ct);
            var si = ruled ? await intakeIndex.FindInstanceAsync(sop, ct) : null;
            if (p is null || !ruled || si is null)
            {
                var why = p is null ? "the project no longer exists" : !ruled ? "the rule was removed" : "the instance is no longer in the intake archive";
                await RuleAuditAsync(project, resource, details, why);
                await context.LogAsync($"nothing to copy: {why}", CancellationToken.None);
                return;
            }
            var summary = await CopyAsync(p, [si], [], "system", resource, ct, details);
            await context.LogAsync($"copied {summary.Copied}, already there {summary.AlreadyStored}, quarantined {summary.Quarantined}, failed {summary.Failed}"
                + (summary.RunId is { } run ? $"; de-identification run {run}" : ""), CancellationToken.None);
            if (summary.Failed == 0) return;
            error = string.Join("; ", summary.Reasons);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e.Message;
            await RuleAuditAsync(project, resource, details, error);
        }
        throw new InvalidOperationException(error);
    }

    Task RuleAuditAsync(string project, string resource, Dictionary<string, object> details, string error)
    {
        details["project"] = project;
        details["error"] = error;
        return audit.AppendAsync(new AuditEntry("system", AuditActions.ProjectCopy, $"{project}:{resource}", null, AuditOutcome.Failure,
            JsonSerializer.Serialize(details)), CancellationToken.None);
    }
}

/// <summary>The job kind <c>project.rule-copy</c>: one intake instance into one project, through the project's recipe.</summary>
public sealed class ProjectRuleCopyJob(ProjectService projects) : IJobHandler
{
    public string Kind => ProjectService.RuleCopyJobKind;

    public Task RunAsync(JobContext job, CancellationToken ct) => projects.RunRuleCopyAsync(job, ct);
}
