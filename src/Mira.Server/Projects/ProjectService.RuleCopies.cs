using System.Text.Json;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// The rule copies ("everything arriving from AE X", "everything account U uploads"): queued durably on arrival, copied
/// by <see cref="RuleCopyWorker"/>.
/// </summary>
public sealed partial class ProjectService
{
    readonly SemaphoreSlim ruleCopiesQueued = new(0);

    /// <summary>The durable queue of rule copies (intake database).</summary>
    public RuleCopyStore RuleCopies { get; }

    /// <summary>
    /// The rule hook of C-STORE: an instance from <paramref name="callingAe"/> is durable in the intake archive; a copy
    /// into every project with a rule for that AE title is written to the queue before the C-STORE response is sent
    /// (so an acknowledged instance is copied even if the server stops at once), and the worker is woken. Returns how
    /// many projects it was queued for; throws when the queue cannot be written (the caller refuses the C-STORE, and
    /// the sender's retry, an identical resend, queues it again).
    /// </summary>
    public async Task<int> QueueRuleCopiesAsync(string callingAe, string sopInstanceUid, CancellationToken ct = default)
    {
        var queued = await RuleCopies.EnqueueAsync(callingAe, sopInstanceUid, DateTimeOffset.UtcNow, ct);
        if (queued > 0 && ruleCopiesQueued.CurrentCount == 0) ruleCopiesQueued.Release();
        return queued;
    }

    /// <summary>
    /// The rule hook of STOW-RS: instances stored by <paramref name="uploader"/> are durable in the intake archive; a
    /// copy into every project with an uploader rule for that account is written to the queue (all of them in one
    /// transaction) before the STOW-RS response is sent, and the worker is woken. Returns the number of rows written;
    /// throws when the queue cannot be written (the caller reports those instances as failed, 0110, and the client's
    /// resend, "already stored", queues them again).
    /// </summary>
    public async Task<int> QueueUploadCopiesAsync(string uploader, IReadOnlyList<string> sopInstanceUids, CancellationToken ct = default)
    {
        var queued = await RuleCopies.EnqueueUploadsAsync(uploader, sopInstanceUids, DateTimeOffset.UtcNow, ct);
        if (queued > 0 && ruleCopiesQueued.CurrentCount == 0) ruleCopiesQueued.Release();
        return queued;
    }

    /// <summary>Copies queued and not yet done or given up (for tests and the status page).</summary>
    public async Task<int> PendingRuleCopiesAsync(CancellationToken ct = default) =>
        (await RuleCopies.ListAsync(state: RuleCopyStates.Pending, ct: ct)).Count;

    /// <summary>Waits until a copy is queued in this process or <paramref name="timeout"/> passes.</summary>
    internal Task WaitForRuleCopiesAsync(TimeSpan timeout, CancellationToken ct) => ruleCopiesQueued.WaitAsync(timeout, ct);

    /// <summary>
    /// One attempt at a queued copy. Done (row deleted): copied, already in the project, quarantined, or moot (the
    /// project or the intake instance is gone). Failed: the attempt and its error go to the audit log
    /// (<c>project.copy</c>, Failure) and the row, which is retried after <see cref="RuleCopyOptions.DelayAfter"/> until
    /// <see cref="RuleCopyOptions.MaxAttempts"/> and then kept as <c>failed</c>. Cancellation (shutdown) leaves the row
    /// pending for the next start; a copy cut short is safe to redo (same key, same output: already stored).
    /// </summary>
    internal async Task RunRuleCopyAsync(RuleCopy copy, RuleCopyOptions options, CancellationToken ct)
    {
        var attempt = copy.Attempts + 1;
        var resource = copy.Uploader is { } uploader ? $"rule uploader={uploader} sop={copy.SopInstanceUid}" : $"rule ae={copy.AeTitle} sop={copy.SopInstanceUid}";
        var details = new Dictionary<string, object> { ["attempt"] = attempt, ["maxAttempts"] = options.MaxAttempts };
        if (copy.Uploader is { } u) details["uploader"] = u;
        else details["aeTitle"] = copy.AeTitle;
        string error;
        try
        {
            var project = await Store.GetAsync(copy.Project, ct);
            // A rule removed after the copy was queued (the removal drops its rows; this covers a row queued meanwhile).
            var ruled = project is not null && await Store.HasRuleAsync(copy.Rule, ct);
            var si = ruled ? await archive.Index.FindInstanceAsync(copy.SopInstanceUid, ct) : null;
            if (project is null || !ruled || si is null)
            {
                await RuleAuditAsync(copy, resource, AuditOutcome.Failure, details,
                    project is null ? "the project no longer exists" : !ruled ? "the rule was removed" : "the instance is no longer in the intake archive");
                await RuleCopies.CompleteAsync(copy.Project, copy.SopInstanceUid, CancellationToken.None);
                return;
            }
            var summary = await CopyAsync(project, [si], [], "system", resource, ct, details);
            if (summary.Failed == 0)
            {
                await RuleCopies.CompleteAsync(copy.Project, copy.SopInstanceUid, CancellationToken.None);
                return;
            }
            error = string.Join("; ", summary.Reasons);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            error = e.Message;
            await RuleAuditAsync(copy, resource, AuditOutcome.Failure, details, error);
        }
        var retryAt = attempt >= options.MaxAttempts ? (DateTimeOffset?)null : DateTimeOffset.UtcNow + options.DelayAfter(attempt);
        await RuleCopies.RecordFailureAsync(copy.Project, copy.SopInstanceUid, error, retryAt, CancellationToken.None);
    }

    Task RuleAuditAsync(RuleCopy copy, string resource, AuditOutcome outcome, Dictionary<string, object> details, string error)
    {
        details["project"] = copy.Project;
        details["error"] = error;
        return archive.Audit.AppendAsync(new AuditEntry("system", "project.copy", $"{copy.Project}:{resource}", null, outcome,
            JsonSerializer.Serialize(details)), CancellationToken.None);
    }
}
