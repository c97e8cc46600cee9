using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Storage.Projects;

namespace Mira.Server.Projects;

/// <summary>
/// Who may see a project and what flows into it: members (listed by stewards, admins and the project's own members;
/// added and removed by stewards and admins) and rules (stewards and admins). The rules and the audit records
/// (<c>project.member</c>, <c>project.rule</c>) are <see cref="ProjectOperations"/>'; this reads the JSON bodies.
/// </summary>
public static partial class ProjectEndpoints
{
    static void MapAccess(RouteGroupBuilder g)
    {
        g.MapGet("/{id}/members", ListMembers);
        g.MapPost("/{id}/members", AddMember);
        g.MapDelete("/{id}/members/{user}", (HttpContext h, MiraPlatform a, string id, string user) =>
            Answer(ProjectOperations.RemoveMemberAsync(h, a, id, user)));
        g.MapGet("/{id}/rules", ListRules);
        g.MapPost("/{id}/rules", AddRule);
        g.MapDelete("/{id}/rules/{rule}", (HttpContext h, MiraPlatform a, string id, string rule) =>
            Answer(ProjectOperations.RemoveRuleAsync(h, a, id, rule)));
    }

    static async Task<IResult> Answer(Task<ProjectOutcome> outcome) => (await outcome).ToResult();

    static async Task<IResult> ListMembers(HttpContext h, MiraPlatform a, string id)
    {
        var outcome = await ProjectOperations.ListMembersAsync(h, a, id);
        return outcome.Value is IReadOnlyList<ProjectMember> members
            ? Results.Json(members.Select(m => new { user = m.User, role = m.Role }).ToArray())
            : outcome.ToResult();
    }

    static async Task<IResult> AddMember(HttpContext h, MiraPlatform a, string id)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectMember, id) is { } denied) return denied.ToResult();
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {user, role}");
        return (await ProjectOperations.AddMemberAsync(h, a, id, StringField(body, "user"), StringField(body, "role"))).ToResult();
    }

    static async Task<IResult> ListRules(HttpContext h, MiraPlatform a, string id)
    {
        var outcome = await ProjectOperations.ListRulesAsync(h, a, id);
        return outcome.Value is IReadOnlyList<ProjectRuleStatus> rules
            ? Results.Json(rules.Select(s => s.Rule.Kind == ProjectRuleKinds.Uploader
                ? new { id = s.Rule.Id, kind = s.Rule.Kind, uploader = s.Rule.Source, pendingCopies = s.PendingCopies, failedCopies = s.FailedCopies }
                : (object)new { id = s.Rule.Id, kind = s.Rule.Kind, aeTitle = s.Rule.Source, pendingCopies = s.PendingCopies, failedCopies = s.FailedCopies })
                .ToArray())
            : outcome.ToResult();
    }

    /// <summary><c>{"aeTitle": "X"}</c> (C-STORE arrivals from that calling AE) or <c>{"uploader": "name"}</c> (STOW-RS uploads by that account).</summary>
    static async Task<IResult> AddRule(HttpContext h, MiraPlatform a, string id)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectRule, id) is { } denied) return denied.ToResult();
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body || body.ContainsKey("aeTitle") == body.ContainsKey("uploader"))
            return Problems.BadRequest("fields 'aeTitle' and 'uploader': exactly one of them is required (an AE title, or the user name of an uploading account)");
        string? Field(JsonObject o, string name) => o.ContainsKey(name) ? StringField(o, name) ?? "" : null;
        return (await ProjectOperations.AddRuleAsync(h, a, id, Field(body, "aeTitle"), Field(body, "uploader"))).ToResult();
    }
}
