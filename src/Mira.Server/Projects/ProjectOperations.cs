using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Deid;
using Mira.Server.Security;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Server.Projects;

/// <summary>
/// The project operations that change something, with their rules in one place for the API
/// (<see cref="ProjectEndpoints"/>) and the web pages: who may (stewards and admins; a refusal is audited as denied),
/// what is valid (each refusal names the field), what changes, and the audit record of the change. Members and
/// rules: <c>ProjectOperations.Access.cs</c>.
/// </summary>
public static partial class ProjectOperations
{
    /// <summary>The roles that create projects, manage members and rules, and copy intake studies in.</summary>
    public static readonly string[] Stewards = [Roles.Steward, Roles.Admin];

    public static bool IsSteward(AuthenticatedUser user) => Stewards.Any(user.IsInRole);

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    /// <summary>Appends an audit record for the signed-in user's request.</summary>
    public static Task AuditAsync(MiraPlatform a, HttpContext h, string action, string resource, AuditOutcome outcome, string? details = null) =>
        a.Audit.AppendAsync(new AuditEntry(UserOf(h).Name, action, resource, h.Connection.RemoteIpAddress?.ToString(), outcome, details),
            CancellationToken.None);

    static Task AuditChangeAsync(MiraPlatform a, HttpContext h, string action, string id, Dictionary<string, object> details) =>
        AuditAsync(a, h, action, id, AuditOutcome.Success, JsonSerializer.Serialize(details));

    /// <summary>Null for a steward or admin; else a 403 refusal, audited as denied.</summary>
    public static async Task<ProjectOutcome?> RequireStewardAsync(HttpContext h, MiraPlatform a, string action, string resource)
    {
        if (IsSteward(UserOf(h))) return null;
        await AuditAsync(a, h, action, resource, AuditOutcome.Denied);
        return ProjectOutcome.Refused(StatusCodes.Status403Forbidden, $"'{action}' needs one of the roles: {string.Join(", ", Stewards)}.");
    }

    public static object Describe(Project p) => new { id = p.Id, name = p.Name, recipe = p.RecipeName, recipeHash = p.RecipeHash, domain = p.Domain, created = p.Created };

    /// <summary>
    /// Creates a project: <paramref name="recipe"/> is a built-in recipe's name (<c>basic</c>, <c>research</c>) as a
    /// JSON string, or a recipe object; <paramref name="overrideReason"/> is a steward's reason for keeping direct
    /// identifiers (refused by <see cref="ProjectRecipePolicy"/> when empty), null when not asked for;
    /// <paramref name="domain"/> the disease domain (one of <see cref="ProjectDomains.All"/>, the annotation protocols), or
    /// null. 201 with the project.
    /// </summary>
    public static async Task<ProjectOutcome> CreateAsync(HttpContext h, MiraPlatform a, string? id, string? name, JsonNode? recipe, string? overrideReason,
        string? domain = null)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectCreate, "/api/projects") is { } denied) return denied;
        id = id?.Trim();
        name = name?.Trim();
        if (string.IsNullOrEmpty(id) || !ProjectStore.IsValidId(id))
            return ProjectOutcome.BadRequest("field 'id': a project id of a-z, 0-9 and '-' (at most 63 characters) is required");
        if (string.IsNullOrEmpty(name)) return ProjectOutcome.BadRequest("field 'name': a non-empty string is required");
        domain = string.IsNullOrWhiteSpace(domain) ? null : domain.Trim();
        if (domain is not null && !ProjectDomains.IsKnown(domain))
            return ProjectOutcome.BadRequest($"field 'domain': one of {string.Join(", ", ProjectDomains.All)} (the annotation protocols), or absent");
        CheckedRecipe checkedRecipe;
        try
        {
            var builtIn = recipe is JsonValue v && v.TryGetValue<string>(out var s) && ProjectRecipePolicy.IsBuiltInName(s);
            var parsed = recipe switch
            {
                JsonValue when builtIn => DeidRecipe.Load(((string)recipe!).Trim().ToLowerInvariant()),
                JsonObject o => DeidRecipe.FromJson(o.ToJsonString()),
                _ => throw new FormatException("\"basic\", \"research\" or a recipe object is required"),
            };
            checkedRecipe = ProjectRecipePolicy.Check(parsed, builtIn, overrideReason);
        }
        catch (ProjectRecipeRefusedException e)
        {
            await AuditAsync(a, h, AuditActions.ProjectCreate, id, AuditOutcome.Denied,
                JsonSerializer.Serialize(new Dictionary<string, string> { ["refused"] = e.Message }));
            return ProjectOutcome.BadRequest($"field '{e.Field}': {e.Message}");
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return ProjectOutcome.BadRequest($"field 'recipe': {e.Message}");
        }
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var r = checkedRecipe.Recipe;
        if (!await a.Projects.Store.CreateAsync(id, name, r.Name, r.ToJson(), r.Hash, key, domain, h.RequestAborted))
            return ProjectOutcome.Refused(StatusCodes.Status409Conflict, $"field 'id': a project '{id}' exists already");
        await AuditAsync(a, h, AuditActions.ProjectCreate, id, AuditOutcome.Success,
            JsonSerializer.Serialize(new Dictionary<string, string?> { ["recipe"] = r.Name, ["recipeHash"] = r.Hash, ["domain"] = domain }));
        if (checkedRecipe.OverrideReason is { } reason)
            await AuditAsync(a, h, AuditActions.ProjectRecipeOverride, id, AuditOutcome.Success, JsonSerializer.Serialize(new
            {
                recipe = r.Name, recipeHash = r.Hash, keptDirectIdentifiers = checkedRecipe.KeptDirectIdentifiers, reason,
            }));
        var project = await a.Projects.Store.GetAsync(id, h.RequestAborted);
        return ProjectOutcome.Done(Describe(project!), StatusCodes.Status201Created);
    }

    /// <summary>Copies whole intake studies into the project through its recipe (audited as <c>project.copy</c> by the
    /// service). The answer is the copy's <see cref="Mira.Platform.Research.CopySummary"/>.</summary>
    public static async Task<ProjectOutcome> CopyAsync(HttpContext h, MiraPlatform a, string id, IReadOnlyList<string> studies)
    {
        if (await RequireStewardAsync(h, a, AuditActions.ProjectCopy, id) is { } denied) return denied;
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is not { } project) return ProjectOutcome.NotFound($"no project {id}");
        if (studies.Count == 0) return ProjectOutcome.BadRequest("field 'studies': a non-empty array of Study Instance UIDs is required");
        if (studies.FirstOrDefault(s => !IsUid(s)) is { } bad) return ProjectOutcome.BadRequest($"field 'studies': '{bad}' is not a UID");
        return ProjectOutcome.Done(await a.Projects.CopyStudiesAsync(project, studies, UserOf(h).Name, h.RequestAborted));
    }

    /// <summary>A UID's syntax (PS3.5 §9.1: digits and '.', at most 64 characters).</summary>
    public static bool IsUid(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => c is >= '0' and <= '9' or '.');
}
