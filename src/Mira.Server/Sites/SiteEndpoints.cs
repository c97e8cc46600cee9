using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Sites;
using Mira.Server.Dicomweb;
using Mira.Server.Projects;
using Mira.Server.Security;
using Mira.Storage.Security;
using Mira.Storage.Sites;

namespace Mira.Server.Sites;

/// <summary>
/// Sites and hub (<c>docs/sites.md</c>). For a registered site's account (role <c>site</c>, bearer token):
/// <c>GET /api/site/projects</c> (the projects naming it as a source, with recipe and key; each hand-out audited) and
/// <c>POST /api/site/projects/{id}/dicomweb/studies</c> (STOW-RS of de-identified instances into a project naming it: each
/// instance must carry the project recipe's de-identification marks, <see cref="DeidentifiedMarks"/>, or it is refused
/// 0124 and nothing of it is kept; what is stored is stored as received, with the sending site recorded, and audited
/// <c>project.receive</c>). For stewards and admins: <c>GET|POST /api/projects/{id}/sources</c> and
/// <c>DELETE /api/projects/{id}/sources/{site}</c>.
/// </summary>
public static class SiteEndpoints
{
    public static void Map(WebApplication app)
    {
        var site = app.MapGroup("/api/site");
        site.MapGet("/projects", Projects);
        site.MapPost("/projects/{id}/dicomweb/studies", Receive);
        var sources = app.MapGroup("/api/projects/{id}/sources");
        sources.MapGet("/", ListSources);
        sources.MapPost("/", SetSource);
        sources.MapDelete("/{site}", RemoveSource);
    }

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    static string? Client(HttpContext h) => h.Connection.RemoteIpAddress?.ToString();

    /// <summary>The caller as a registered site, or the audited 403.</summary>
    static async Task<(string? Site, IResult? Denied)> RequireSiteAsync(HttpContext h, MiraPlatform a, string action, string resource)
    {
        var user = UserOf(h);
        if (user.IsInRole(Roles.Site) && await a.Sites.Store.IsSiteAsync(user.Name, h.RequestAborted)) return (user.Name, null);
        await a.Audit.AppendAsync(new AuditEntry(user.Name, action, resource, Client(h), AuditOutcome.Denied), CancellationToken.None);
        return (null, Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"'{action}' is for registered sites (role {Roles.Site})"));
    }

    static async Task<IResult> Projects(HttpContext h, MiraPlatform a)
    {
        var (site, denied) = await RequireSiteAsync(h, a, AuditActions.SiteKeyHandout, "/api/site/projects");
        if (denied is not null) return denied;
        var handouts = await a.Sites.HandoutAsync(site!, Client(h), h.RequestAborted);
        return Results.Json(handouts.Select(p => new
        {
            id = p.Project, name = p.Name, recipeName = p.RecipeName, recipeHash = p.RecipeHash, recipe = p.RecipeJson, key = p.KeyHex,
            filter = p.Filter,
        }).ToArray());
    }

    static async Task<IResult> Receive(HttpContext h, MiraPlatform a, ServerOptions options, string id)
    {
        var (site, denied) = await RequireSiteAsync(h, a, AuditActions.ProjectReceive, id);
        if (denied is not null) return denied;
        var engine = await a.Sites.Store.GetSourceAsync(id, site!, h.RequestAborted) is null ? null : await a.Sites.EngineAsync(id, h.RequestAborted);
        if (engine is null)
        {
            await a.Audit.AppendAsync(new AuditEntry(site!, AuditActions.ProjectReceive, id, Client(h), AuditOutcome.Denied), CancellationToken.None);
            return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", $"project {id} does not name site '{site}' as a source");
        }
        var project = await a.Projects.Archives.GetAsync(id);
        var source = new IngestSource("site-push", Client(h), site);
        async Task<IReadOnlyList<StoreResult>> StoreAsync(IReadOnlyList<IncomingInstance> parts, CancellationToken ct)
        {
            var checkedParts = parts.Select(p => p.Refusal is null && DeidentifiedMarks.Check(p.File!.Dataset, engine) is { } why
                ? IncomingInstance.Refused(p.Data, p.Source, StoreResult.Refuse(StoreRefusal.NotDeidentified, StoreStatus.NotAuthorized,
                    $"refused: not de-identified by project {id}'s recipe: {why}", p.SopClassUid, p.SopInstanceUid))
                : p).ToList();
            var results = await project.Ingest.StoreParsedAsync(checkedParts, ct);
            var stored = results.Where(r => r.IsSuccess && r.Instance is not null).Select(r => (r.Instance!.SopInstanceUid, r.Instance.StudyInstanceUid)).ToList();
            await a.Sites.Store.RecordReceivedAsync(id, site!, stored, ct);
            var refused = results.Where(r => !r.IsSuccess).ToList();
            await a.Audit.AppendAsync(new AuditEntry(site!, AuditActions.ProjectReceive, id, Client(h),
                refused.Count > 0 && stored.Count == 0 ? AuditOutcome.Failure : AuditOutcome.Success,
                JsonSerializer.Serialize(new { stored = stored.Count, refused = refused.Count, studies = stored.Select(s => s.StudyInstanceUid).Distinct().ToArray(),
                    reasons = refused.Select(r => r.Reason).Take(20).ToArray() })), CancellationToken.None);
            return results;
        }
        var target = new StowEndpoints.StowTarget(project.Ingest, source, DicomwebUrls.ProjectBase(h.Request, id), StoreAsync);
        return await StowEndpoints.StoreAsync(h, options, target, null);
    }

    static async Task<IResult> ListSources(HttpContext h, MiraPlatform a, string id)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectSourceSet, id) is { } denied) return denied.ToResult();
        if (await a.Projects.Store.GetAsync(id, h.RequestAborted) is null) return ProjectEndpoints.ProjectNotFound(id);
        var sources = await a.Sites.Store.ListSourcesAsync(id, ct: h.RequestAborted);
        return Results.Json(sources.Select(s => new { site = s.Site, filter = s.Filter, created = s.Created }).ToArray());
    }

    /// <summary><c>{"site": NAME, "filter": {"modalities": [...], "studyDateFrom": "YYYYMMDD", "studyDateTo": "YYYYMMDD"}}</c>; no filter: all.</summary>
    static async Task<IResult> SetSource(HttpContext h, MiraPlatform a, string id)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectSourceSet, id) is { } denied) return denied.ToResult();
        if (await JsonBody.ReadObjectAsync(h) is not { } body || body["site"] is not JsonValue v || !v.TryGetValue<string>(out var siteName))
            return Problems.BadRequest("the body must be a JSON object {\"site\": NAME, \"filter\": {...}}");
        SourceFilter filter;
        try
        {
            filter = body["filter"] is JsonObject f ? SourceFilter.FromJson(f.ToJsonString()) : SourceFilter.All;
        }
        catch (JsonException e)
        {
            return Problems.BadRequest("field 'filter': " + e.Message);
        }
        var refused = await a.Sites.SetSourceAsync(id, siteName, filter, UserOf(h).Name, h.RequestAborted);
        if (refused is not null) return refused.StartsWith("no project", StringComparison.Ordinal) ? ProjectEndpoints.ProjectNotFound(id) : Problems.BadRequest(refused);
        return Results.Json(new { project = id, site = siteName, filter }, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> RemoveSource(HttpContext h, MiraPlatform a, string id, string site)
    {
        if (await ProjectOperations.RequireStewardAsync(h, a, AuditActions.ProjectSourceRemove, id) is { } denied) return denied.ToResult();
        return await a.Sites.RemoveSourceAsync(id, site, UserOf(h).Name, h.RequestAborted)
            ? Results.NoContent() : Problems.NotFound($"project {id} has no source '{site}'");
    }
}
