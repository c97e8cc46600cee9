using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Mira.Server.Security;
using Mira.Storage.Network;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// Who may see a project and what flows into it: members (listed by stewards, admins and the project's own members;
/// added and removed by stewards and admins) and rules (stewards and admins). Every request is audited
/// (<c>project.member</c>, <c>project.rule</c>; details name the operation and what changed), denied ones included.
/// </summary>
public static partial class ProjectEndpoints
{
    static void MapAccess(RouteGroupBuilder g)
    {
        g.MapGet("/{id}/members", ListMembers);
        g.MapPost("/{id}/members", AddMember);
        g.MapDelete("/{id}/members/{user}", RemoveMember);
        g.MapGet("/{id}/rules", ListRules);
        g.MapPost("/{id}/rules", AddRule);
        g.MapDelete("/{id}/rules/{rule}", RemoveRule);
    }

    static Task AuditChangeAsync(MiraPlatform a, HttpContext h, string action, string id, Dictionary<string, object> details) =>
        AuditAsync(a, h, UserOf(h).Name, action, id, AuditOutcome.Success, JsonSerializer.Serialize(details));

    static object Describe(ProjectMember m) => new { user = m.User, role = m.Role };

    static async Task<IResult> ListMembers(HttpContext h, MiraPlatform a, string id)
    {
        var user = UserOf(h);
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectNotFound(id);
        // Members see who else is in their project; the rest of the project's configuration is for stewards. To anyone
        // else an existing project looks exactly like a missing one (its id is not disclosed).
        if (!Stewards.Any(user.IsInRole) && await a.Projects.Store.GetMemberRoleAsync(id, user.Name, h.RequestAborted) is null)
        {
            await AuditAsync(a, h, user.Name, AuditActions.ProjectMember, id, AuditOutcome.Denied, JsonSerializer.Serialize(new { operation = "list" }));
            return ProjectNotFound(id);
        }
        var members = await a.Projects.Store.ListMembersAsync(id, h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "list", ["members"] = members.Count });
        return Results.Json(members.Select(Describe).ToArray());
    }

    static async Task<IResult> AddMember(HttpContext h, MiraPlatform a, string id)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectMember, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {user, role}");
        if (StringField(body, "user") is not { } member) return Problems.BadRequest("field 'user': a user name is required");
        var role = StringField(body, "role") ?? ProjectRoles.Member;
        if (!ProjectRoles.IsKnown(role)) return Problems.BadRequest($"field 'role': '{role}' is not a project role (lead, member)");
        if (await a.Accounts.GetAsync(member, h.RequestAborted) is not { } account) return Problems.BadRequest($"field 'user': no account '{member}'");
        member = account.Name; // as the authenticated user is named (lower case), which membership is checked against
        await a.Projects.Store.SetMemberAsync(id, member, role, h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "add", ["user"] = member, ["role"] = role });
        return Results.Json(new { project = id, user = member, role });
    }

    /// <summary>Ends a member's access at once: every project request checks membership, so the next one is 403.</summary>
    static async Task<IResult> RemoveMember(HttpContext h, MiraPlatform a, string id, string user)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectMember, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        // Members are kept under their account name (lower case); a row written as given before that is found too.
        if (AccountStore.TryNormalizeUserName(user, out var normalized)
            && await a.Projects.Store.GetMemberRoleAsync(id, normalized, h.RequestAborted) is not null) user = normalized;
        var role = await a.Projects.Store.GetMemberRoleAsync(id, user, h.RequestAborted);
        if (role is null || !await a.Projects.Store.RemoveMemberAsync(id, user, h.RequestAborted))
            return Problems.NotFound($"field 'user': '{user}' is not a member of project {id}");
        await AuditChangeAsync(a, h, AuditActions.ProjectMember, id, new() { ["operation"] = "remove", ["user"] = user, ["role"] = role });
        return Results.Json(new { project = id, user, role, removed = true });
    }

    static object Describe(ProjectRule r, IReadOnlyList<Mira.Storage.Jobs.Job> jobs)
    {
        var mine = jobs.Where(j => j.Origin == r.Id).ToList();
        var pending = mine.Count(j => j.State is Mira.Storage.Jobs.JobStates.Queued or Mira.Storage.Jobs.JobStates.Running);
        var failed = mine.Count(j => j.State == Mira.Storage.Jobs.JobStates.Failed);
        return r.Kind == ProjectRuleKinds.Uploader
            ? new { id = r.Id, kind = r.Kind, uploader = r.Source, pendingCopies = pending, failedCopies = failed }
            : (object)new { id = r.Id, kind = r.Kind, aeTitle = r.Source, pendingCopies = pending, failedCopies = failed };
    }

    static async Task<IResult> ListRules(HttpContext h, MiraPlatform a, string id)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        var rules = await a.Projects.Store.ListRulesAsync(id, h.RequestAborted);
        var queue = await a.Projects.OutstandingRuleCopiesAsync(id, ct: h.RequestAborted);
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, new() { ["operation"] = "list", ["rules"] = rules.Count });
        return Results.Json(rules.Select(r => Describe(r, queue)).ToArray());
    }

    /// <summary><c>{"aeTitle": "X"}</c> (C-STORE arrivals from that calling AE) or <c>{"uploader": "name"}</c> (STOW-RS uploads by that account).</summary>
    static async Task<IResult> AddRule(HttpContext h, MiraPlatform a, string id)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body || body.ContainsKey("aeTitle") == body.ContainsKey("uploader"))
            return Problems.BadRequest("fields 'aeTitle' and 'uploader': exactly one of them is required (an AE title, or the user name of an uploading account)");
        ProjectRule rule;
        if (body.ContainsKey("uploader"))
        {
            if (StringField(body, "uploader") is not { } name) return Problems.BadRequest("field 'uploader': a user name is required");
            if (await a.Accounts.GetAsync(name, h.RequestAborted) is not { } account) return Problems.BadRequest($"field 'uploader': no account '{name}'");
            rule = new ProjectRule(id, ProjectRuleKinds.Uploader, account.Name);
            await a.Projects.Store.AddUploaderRuleAsync(id, account.Name, h.RequestAborted);
        }
        else
        {
            if (StringField(body, "aeTitle") is not { } raw) return Problems.BadRequest("field 'aeTitle': an AE title is required");
            string ae;
            try
            {
                ae = ApplicationEntity.NormalizeTitle(raw);
            }
            catch (ArgumentException e)
            {
                return Problems.BadRequest($"field 'aeTitle': {e.Message}");
            }
            rule = new ProjectRule(id, ProjectRuleKinds.AeTitle, ae);
            await a.Projects.Store.AddRuleAsync(id, ae, h.RequestAborted);
        }
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, RuleDetails("add", rule));
        return Results.Json(rule.Kind == ProjectRuleKinds.Uploader
            ? new { project = id, id = rule.Id, kind = rule.Kind, uploader = rule.Source }
            : (object)new { project = id, id = rule.Id, kind = rule.Kind, aeTitle = rule.Source });
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
    static async Task<IResult> RemoveRule(HttpContext h, MiraPlatform a, string id, string rule)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        var target = ParseRule(id, rule);
        if (target is null || !await a.Projects.Store.RemoveRuleAsync(target, h.RequestAborted))
            return Problems.NotFound($"field 'rule': project {id} has no rule '{rule}' (rules are named ae:TITLE, uploader:NAME or by the AE title)");
        var (pending, failed) = await a.Projects.RemoveRuleCopiesAsync(target, h.RequestAborted);
        var details = RuleDetails("remove", target);
        details["droppedPending"] = pending;
        details["droppedFailed"] = failed;
        await AuditChangeAsync(a, h, AuditActions.ProjectRule, id, details);
        return Results.Json(new { project = id, id = target.Id, kind = target.Kind, removed = true, droppedPending = pending, droppedFailed = failed });
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
