using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Storage.Network;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// Who may see a project and what flows into it: members (added and removed by stewards and admins) and rules
/// (stewards and admins). Every change is audited (<c>project.member</c>, <c>project.rule</c>; details name the
/// operation and what changed), refusals for want of a role too.
/// </summary>
public static partial class ProjectOperations
{
    /// <summary>Adds <paramref name="user"/> (an account) with <paramref name="role"/> (lead or member; member when null).</summary>
    public static async Task<ProjectOutcome> AddMemberAsync(HttpContext h, MiraPlatform a, string id, string? user, string? role)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectMember, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        if (string.IsNullOrWhiteSpace(user)) return ProjectOutcome.BadRequest("field 'user': a user name is required");
        role = string.IsNullOrWhiteSpace(role) ? ProjectRoles.Member : role.Trim();
        if (!ProjectRoles.IsKnown(role)) return ProjectOutcome.BadRequest($"field 'role': '{role}' is not a project role (lead, member)");
        if (await a.Accounts.GetAsync(user.Trim(), h.RequestAborted) is not { } account) return ProjectOutcome.BadRequest($"field 'user': no account '{user.Trim()}'");
        var member = account.Name; // as the authenticated user is named (lower case), which membership is checked against
        await a.Projects.Store.SetMemberAsync(id, member, role, h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "add", ["user"] = member, ["role"] = role });
        return ProjectOutcome.Done(new { project = id, user = member, role });
    }

    /// <summary>Ends a member's access at once: every project request checks membership, so the next one is refused.</summary>
    public static async Task<ProjectOutcome> RemoveMemberAsync(HttpContext h, MiraPlatform a, string id, string user)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectMember, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        // Members are kept under their account name (lower case); a row written as given before that is found too.
        if (AccountStore.TryNormalizeUserName(user, out var normalized)
            && await a.Projects.Store.GetMemberRoleAsync(id, normalized, h.RequestAborted) is not null) user = normalized;
        var role = await a.Projects.Store.GetMemberRoleAsync(id, user, h.RequestAborted);
        if (role is null || !await a.Projects.Store.RemoveMemberAsync(id, user, h.RequestAborted))
            return ProjectOutcome.NotFound($"field 'user': '{user}' is not a member of project {id}");
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "remove", ["user"] = user, ["role"] = role });
        return ProjectOutcome.Done(new { project = id, user, role, removed = true });
    }

    /// <summary>Adds a rule: exactly one of <paramref name="aeTitle"/> (C-STORE arrivals from that calling AE) and
    /// <paramref name="uploader"/> (STOW-RS uploads by that account) is given.</summary>
    public static async Task<ProjectOutcome> AddRuleAsync(HttpContext h, MiraPlatform a, string id, string? aeTitle, string? uploader)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        if ((aeTitle is null) == (uploader is null))
            return ProjectOutcome.BadRequest("fields 'aeTitle' and 'uploader': exactly one of them is required (an AE title, or the user name of an uploading account)");
        ProjectRule rule;
        if (uploader is not null)
        {
            if (string.IsNullOrWhiteSpace(uploader)) return ProjectOutcome.BadRequest("field 'uploader': a user name is required");
            if (await a.Accounts.GetAsync(uploader.Trim(), h.RequestAborted) is not { } account)
                return ProjectOutcome.BadRequest($"field 'uploader': no account '{uploader.Trim()}'");
            rule = new ProjectRule(id, ProjectRuleKinds.Uploader, account.Name);
            await a.Projects.Store.AddUploaderRuleAsync(id, account.Name, h.RequestAborted);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(aeTitle)) return ProjectOutcome.BadRequest("field 'aeTitle': an AE title is required");
            string ae;
            try
            {
                ae = ApplicationEntity.NormalizeTitle(aeTitle.Trim());
            }
            catch (ArgumentException e)
            {
                return ProjectOutcome.BadRequest($"field 'aeTitle': {e.Message}");
            }
            rule = new ProjectRule(id, ProjectRuleKinds.AeTitle, ae);
            await a.Projects.Store.AddRuleAsync(id, ae, h.RequestAborted);
        }
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, RuleDetails("add", rule));
        return ProjectOutcome.Done(rule.Kind == ProjectRuleKinds.Uploader
            ? new { project = id, id = rule.Id, kind = rule.Kind, uploader = rule.Source }
            : new { project = id, id = rule.Id, kind = rule.Kind, aeTitle = rule.Source });
    }

    static Dictionary<string, object> RuleDetails(string operation, ProjectRule rule) => new()
    {
        ["operation"] = operation, [rule.Kind == ProjectRuleKinds.Uploader ? "uploader" : "aeTitle"] = rule.Source,
    };

    /// <summary>
    /// Removes a rule named by its id (<c>ae:X</c>, <c>uploader:name</c>) or, for an AE rule, by its AE title alone.
    /// Copies already made stay in the project; copies the rule had queued and not made are dropped (and counted in
    /// the audit record and the answer).
    /// </summary>
    public static async Task<ProjectOutcome> RemoveRuleAsync(HttpContext h, MiraPlatform a, string id, string rule)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        var target = ParseRule(id, rule);
        if (target is null || !await a.Projects.Store.RemoveRuleAsync(target, h.RequestAborted))
            return ProjectOutcome.NotFound($"field 'rule': project {id} has no rule '{rule}' (rules are named ae:TITLE, uploader:NAME or by the AE title)");
        var (pending, failed) = await a.Projects.RemoveRuleCopiesAsync(target, h.RequestAborted);
        var details = RuleDetails("remove", target);
        details["droppedPending"] = pending;
        details["droppedFailed"] = failed;
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, details);
        return ProjectOutcome.Done(new { project = id, id = target.Id, kind = target.Kind, removed = true, droppedPending = pending, droppedFailed = failed });
    }

    static ProjectRule? ParseRule(string project, string rule)
    {
        if (rule.StartsWith(ProjectRuleKinds.Uploader + ":", StringComparison.Ordinal))
            return AccountStore.TryNormalizeUserName(rule[(ProjectRuleKinds.Uploader.Length + 1)..], out var user)
                ? new ProjectRule(project, ProjectRuleKinds.Uploader, user) : null;
        var ae = rule.StartsWith(ProjectRuleKinds.AeTitle + ":", StringComparison.Ordinal) ? rule[(ProjectRuleKinds.AeTitle.Length + 1)..] : rule;
        try
        {
            return new ProjectRule(project, ProjectRuleKinds.AeTitle, ApplicationEntity.NormalizeTitle(ae));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>A project rule with the copies it has queued and not made yet, and those given up on.</summary>
public sealed record ProjectRuleStatus(ProjectRule Rule, int PendingCopies, int FailedCopies);

public static partial class ProjectOperations
{
    /// <summary>
    /// The members (value: <see cref="IReadOnlyList{ProjectMember}"/>), for stewards, admins and the project's own
    /// members. To anyone else an existing project looks exactly like a missing one: the same 404 (audited as denied).
    /// </summary>
    public static async Task<ProjectOutcome> ListMembersAsync(HttpContext h, MiraPlatform a, string id)
    {
        var user = UserOf(h);
        if (!ProjectStore.IsValidId(id) || await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        if (!IsSteward(user) && await a.Projects.Store.GetMemberRoleAsync(id, user.Name, h.RequestAborted) is null)
        {
            await AuditAsync(a, h, AuditActions.ProjectMember, id, AuditOutcome.Denied, JsonSerializer.Serialize(new { operation = "list" }));
            return ProjectOutcome.NotFound($"no project {id}");
        }
        var members = await a.Projects.Store.ListMembersAsync(id, h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "list", ["members"] = members.Count });
        return ProjectOutcome.Done(members);
    }

    /// <summary>The rules (value: <see cref="IReadOnlyList{ProjectRuleStatus}"/>), for stewards and admins.</summary>
    public static async Task<ProjectOutcome> ListRulesAsync(HttpContext h, MiraPlatform a, string id)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectOutcome.NotFound($"no project {id}");
        var rules = await RuleStatusesAsync(a, id, h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, new() { ["operation"] = "list", ["rules"] = rules.Count });
        return ProjectOutcome.Done(rules);
    }

    /// <summary>The rules of a project with their outstanding copies (not audited: for a listing that is, or a page
    /// refreshed after an audited change).</summary>
    public static async Task<IReadOnlyList<ProjectRuleStatus>> RuleStatusesAsync(MiraPlatform a, string id, CancellationToken ct)
    {
        var rules = await a.Projects.Store.ListRulesAsync(id, ct);
        var queue = await a.Projects.OutstandingRuleCopiesAsync(id, ct: ct);
        return [.. rules.Select(r =>
        {
            var mine = queue.Where(j => j.Origin == r.Id).ToList();
            return new ProjectRuleStatus(r, mine.Count(j => j.State is Mira.Storage.Jobs.JobStates.Queued or Mira.Storage.Jobs.JobStates.Running),
                mine.Count(j => j.State == Mira.Storage.Jobs.JobStates.Failed));
        })];
    }
}
