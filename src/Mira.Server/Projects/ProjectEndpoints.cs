using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Deid;
using Mira.Dicom;
using Mira.Server.Dicomweb;
using Mira.Server.Security;
using Mira.Storage.Projects;
using Mira.Storage.Query;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// Research projects under <c>/api/projects</c>: creation, members and rules (<c>ProjectEndpoints.Access.cs</c>), copies (stewards and admins), the
/// project's de-identified archive for its members (<c>…/dicomweb/…</c>: every QIDO-RS and WADO-RS resource of
/// <c>/dicomweb</c>, served by the same handlers from the project's archive, see <see cref="ProjectMemberAccess"/>),
/// and the pseudonym vault (stewards and admins). Every access to project data and every vault look-up is audited.
/// </summary>
public static partial class ProjectEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        g.MapPost("/", Create);
        g.MapGet("/", List);
        MapAccess(g);
        g.MapPost("/{id}/copy", Copy);
        g.MapGet("/{id}/vault", Vault);
        // The project's own archive through the intake handlers (ProjectMemberAccess: members only, audited).
        var research = g.MapGroup("/{id}" + DicomwebUrls.Prefix);
        QidoEndpoints.Map(research, ProjectMemberAccess.Routes);
        WadoEndpoints.MapRetrieval(research, ProjectMemberAccess.Routes);
        ProjectStowEndpoints.Map(research); // annotation objects only
    }

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    /// <summary>The one answer for a project that does not exist, or that the caller may not know of: the same status
    /// and body, so a non-member cannot tell which ids exist.</summary>
    public static IResult ProjectNotFound(string id) => Problems.NotFound($"no project {id}");

    static string? StringField(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    /// <summary><c>{"id", "name", "recipe": "basic" | "research" | {recipe}, "domain": "…", "keepDirectIdentifiers": {"reason"}}</c>.</summary>
    static async Task<IResult> Create(HttpContext h, MiraPlatform a)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectCreate, "/api/projects") is { } denied) return denied.ToResult();
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {id, name, recipe}");
        return (await ProjectOperations.CreateAsync(h, a, StringField(body, "id"), StringField(body, "name"), body["recipe"], OverrideReason(body), DomainField(body))).ToResult();
    }

    /// <summary>The optional disease domain; a value that is not a string is passed on as its JSON text, which no domain matches.</summary>
    static string? DomainField(JsonObject body) => body["domain"] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var other => other.ToJsonString(),
    };

    /// <summary>
    /// <c>"keepDirectIdentifiers": {"reason": "…"}</c>: a steward's explicit, audited decision that the project holds
    /// identified data. Null when absent; an empty string (refused by the policy) when present without a reason.
    /// </summary>
    static string? OverrideReason(JsonObject body) => body["keepDirectIdentifiers"] switch
    {
        null => null,
        JsonObject o when o["reason"] is JsonValue r && r.TryGetValue<string>(out var reason) => reason,
        _ => "",
    };

    static async Task<IResult> List(HttpContext h, MiraPlatform a)
    {
        var user = UserOf(h);
        var projects = await a.Projects.Store.ListAsync(ProjectOperations.IsSteward(user) ? null : user.Name, h.RequestAborted);
        return Results.Json(projects.Select(ProjectOperations.Describe).ToArray());
    }

    static async Task<IResult> Copy(HttpContext h, MiraPlatform a, string id)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectCopy, id) is { } denied) return denied.ToResult();
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body || body["studies"] is not JsonArray array || array.Count == 0)
            return Problems.BadRequest("field 'studies': a non-empty array of Study Instance UIDs is required");
        var studies = new List<string>();
        foreach (var item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue<string>(out var uid) || !ProjectOperations.IsUid(uid))
                return Problems.BadRequest($"field 'studies': '{item}' is not a UID");
            studies.Add(uid);
        }
        return (await ProjectOperations.CopyAsync(h, a, id, studies)).ToResult();
    }

    static async Task<IResult> Vault(HttpContext h, MiraPlatform a, string id)
    {
        var user = UserOf(h);
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.VaultLookup, id) is { } denied) return denied.ToResult();
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        var pseudonym = h.Request.Query["pseudonym"].ToString();
        if (string.IsNullOrWhiteSpace(pseudonym)) return Problems.BadRequest("query parameter 'pseudonym' is required");
        var found = await a.Projects.Store.LookupAsync(id, pseudonym, h.RequestAborted);
        await ProjectOperations.AuditAsync(a, h, AuditActions.VaultLookup, $"{id}:{pseudonym}", found.Count > 0 ? AuditOutcome.Success : AuditOutcome.Failure,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["records"] = found.Count }));
        if (found.Count == 0) return Problems.NotFound($"no pseudonym '{pseudonym}' in the vault of project {id}");
        return Results.Json(found.Select(r => new { kind = r.Kind, original = r.Original, pseudonym = r.Pseudonym, created = r.Created }).ToArray());
    }
}
