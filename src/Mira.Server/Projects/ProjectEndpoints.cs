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
    static readonly string[] Stewards = [Roles.Steward, Roles.Admin];

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
    }

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    static Task AuditAsync(MiraPlatform a, HttpContext h, string actor, string action, string resource, AuditOutcome outcome, string? details = null) =>
        a.Audit.AppendAsync(new AuditEntry(actor, action, resource, h.Connection.RemoteIpAddress?.ToString(), outcome, details), CancellationToken.None);

    /// <summary>The one answer for a project that does not exist, or that the caller may not know of: the same status
    /// and body, so a non-member cannot tell which ids exist.</summary>
    public static IResult ProjectNotFound(string id) => Problems.NotFound($"no project {id}");

    static IResult Forbidden(string detail) => Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", detail);

    /// <summary>Steward or admin, else 403 (audited as denied).</summary>
    static async Task<IResult?> RequireStewardAsync(HttpContext h, MiraPlatform a, string action, string resource)
    {
        var user = UserOf(h);
        if (Stewards.Any(user.IsInRole)) return null;
        await AuditAsync(a, h, user.Name, action, resource, AuditOutcome.Denied);
        return Forbidden($"'{action}' needs one of the roles: {string.Join(", ", Stewards)}.");
    }

    static string? StringField(JsonObject body, string name) =>
        body[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    static object Describe(Project p) => new { id = p.Id, name = p.Name, recipe = p.RecipeName, recipeHash = p.RecipeHash, domain = p.Domain, created = p.Created };

    static async Task<IResult> Create(HttpContext h, MiraPlatform a)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectCreate, "/api/projects") is { } denied) return denied;
        if (await JsonBody.ReadObjectAsync(h) is not { } body) return Problems.BadRequest("the body must be a JSON object {id, name, recipe}");
        if (StringField(body, "id") is not { } id || !ProjectStore.IsValidId(id))
            return Problems.BadRequest("field 'id': a project id of a-z, 0-9 and '-' (at most 63 characters) is required");
        if (StringField(body, "name") is not { } name) return Problems.BadRequest("field 'name': a non-empty string is required");
        var domain = StringField(body, "domain");
        if ((body["domain"] is not null && domain is null) || (domain is not null && !ProjectDomains.IsKnown(domain)))
            return Problems.BadRequest($"field 'domain': one of {string.Join(", ", ProjectDomains.All)} (the annotation protocols), or absent");
        CheckedRecipe recipe;
        try
        {
            var builtIn = body["recipe"] is JsonValue v && v.TryGetValue<string>(out var s) && ProjectRecipePolicy.IsBuiltInName(s);
            var parsed = body["recipe"] switch
            {
                JsonValue when builtIn => DeidRecipe.Load(((string)body["recipe"]!).Trim().ToLowerInvariant()),
                JsonObject o => DeidRecipe.FromJson(o.ToJsonString()),
                _ => throw new FormatException("\"basic\", \"research\" or a recipe object is required"),
            };
            recipe = ProjectRecipePolicy.Check(parsed, builtIn, OverrideReason(body));
        }
        catch (ProjectRecipeRefusedException e)
        {
            await AuditAsync(a, h, UserOf(h).Name, AuditActions.ProjectCreate, id, AuditOutcome.Denied,
                JsonSerializer.Serialize(new Dictionary<string, string> { ["refused"] = e.Message }));
            return Problems.BadRequest($"field '{e.Field}': {e.Message}");
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return Problems.BadRequest($"field 'recipe': {e.Message}");
        }
        var user = UserOf(h);
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        if (!await a.Projects.Store.CreateAsync(id, name, recipe.Recipe.Name, recipe.Recipe.ToJson(), recipe.Recipe.Hash, key, domain, h.RequestAborted))
            return Problems.Result(StatusCodes.Status409Conflict, "Conflict", $"field 'id': a project '{id}' exists already");
        await AuditAsync(a, h, user.Name, AuditActions.ProjectCreate, id, AuditOutcome.Success,
            JsonSerializer.Serialize(new Dictionary<string, string?> { ["recipe"] = recipe.Recipe.Name, ["recipeHash"] = recipe.Recipe.Hash, ["domain"] = domain }));
        if (recipe.OverrideReason is { } reason)
            await AuditAsync(a, h, user.Name, AuditActions.ProjectRecipeOverride, id, AuditOutcome.Success, JsonSerializer.Serialize(new
            {
                recipe = recipe.Recipe.Name, recipeHash = recipe.Recipe.Hash, keptDirectIdentifiers = recipe.KeptDirectIdentifiers, reason,
            }));
        var project = await a.Projects.Store.GetAsync(id, h.RequestAborted);
        return Results.Json(Describe(project!), statusCode: StatusCodes.Status201Created);
    }

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
        var all = Stewards.Any(user.IsInRole);
        var projects = await a.Projects.Store.ListAsync(all ? null : user.Name, h.RequestAborted);
        return Results.Json(projects.Select(Describe).ToArray());
    }

    static async Task<IResult> Copy(HttpContext h, MiraPlatform a, string id)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectCopy, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is not { } project) return Problems.NotFound($"no project {id}");
        if (await JsonBody.ReadObjectAsync(h) is not { } body || body["studies"] is not JsonArray array || array.Count == 0)
            return Problems.BadRequest("field 'studies': a non-empty array of Study Instance UIDs is required");
        var studies = new List<string>();
        foreach (var item in array)
        {
            if (item is not JsonValue v || !v.TryGetValue<string>(out var uid) || !DicomUidSyntax(uid))
                return Problems.BadRequest($"field 'studies': '{item}' is not a UID");
            studies.Add(uid);
        }
        var summary = await a.Projects.CopyStudiesAsync(project, studies, UserOf(h).Name, h.RequestAborted);
        return Results.Json(summary);
    }

    static bool DicomUidSyntax(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => c is >= '0' and <= '9' or '.');

    static async Task<IResult> Vault(HttpContext h, MiraPlatform a, string id)
    {
        var user = UserOf(h);
        if (await RequireStewardAsync(h, a, AuditActions.VaultLookup, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return Problems.NotFound($"no project {id}");
        var pseudonym = h.Request.Query["pseudonym"].ToString();
        if (string.IsNullOrWhiteSpace(pseudonym)) return Problems.BadRequest("query parameter 'pseudonym' is required");
        var found = await a.Projects.Store.LookupAsync(id, pseudonym, h.RequestAborted);
        await AuditAsync(a, h, user.Name, AuditActions.VaultLookup, $"{id}:{pseudonym}", found.Count > 0 ? AuditOutcome.Success : AuditOutcome.Failure,
            JsonSerializer.Serialize(new Dictionary<string, int> { ["records"] = found.Count }));
        if (found.Count == 0) return Problems.NotFound($"no pseudonym '{pseudonym}' in the vault of project {id}");
        return Results.Json(found.Select(r => new { kind = r.Kind, original = r.Original, pseudonym = r.Pseudonym, created = r.Created }).ToArray());
    }
}
