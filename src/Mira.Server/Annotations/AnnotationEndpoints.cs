using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Annotations;
using Mira.Server.Security;
using Mira.Storage.Annotations;

namespace Mira.Server.Annotations;

/// <summary>
/// The annotation API (<c>docs/annotation.md</c>): protocols, annotator records, tasks, reads, arbitration, review,
/// queues, agreement, gold scores and export. Endpoints parse, call <see cref="AnnotationService"/> (which authorises,
/// audits and holds every rule) and map its refusals to problem details: 400, 403, 404, 409.
/// </summary>
public static partial class AnnotationEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/protocols", ListProtocols);
        app.MapPost("/api/protocols", AddProtocol);
        app.MapGet("/api/protocols/{id}", GetProtocol);
        app.MapGet("/api/projects/{p}/protocols", ProjectProtocols);
        app.MapPost("/api/projects/{p}/protocols", AttachProtocol);
        app.MapGet("/api/annotators", ListAnnotators);
        app.MapGet("/api/annotators/{user}", GetAnnotator);
        app.MapPut("/api/annotators/{user}", PutAnnotator);
        MapTasks(app);
    }

    internal static AnnotationActor ActorOf(HttpContext h)
    {
        var user = MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");
        return new AnnotationActor(user.Name, Roles.All.Where(user.IsInRole).ToArray(), h.Connection.RemoteIpAddress?.ToString());
    }

    /// <summary>Runs a handler, answering a refusal with its problem details.</summary>
    internal static async Task<IResult> Run(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (AnnotationRefusedException e)
        {
            return e.Kind switch
            {
                RefusalKind.Forbidden => Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
                RefusalKind.NotFound => Problems.NotFound(e.Message),
                RefusalKind.Conflict => Problems.Result(StatusCodes.Status409Conflict, "Conflict", e.Message),
                _ => Problems.BadRequest(e.Message),
            };
        }
    }

    internal static async Task<JsonObject> ObjectBodyAsync(HttpContext h, string shape) =>
        await JsonBody.ReadObjectAsync(h) ?? throw AnnotationRefusedException.Invalid($"the body must be a JSON object {shape}");

    internal static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    static object Describe(ProtocolVersion p) => new
    {
        id = p.Id, version = p.Version, title = p.Protocol.Title, domain = p.Protocol.Domain, builtIn = p.BuiltIn, sha256 = p.Sha256,
        geometry = p.Protocol.Geometry, workflow = p.Protocol.Workflow, created = p.Created, createdBy = p.CreatedBy,
    };

    static Task<IResult> ListProtocols(MiraPlatform a, HttpContext h) => Run(async () =>
        Results.Json((await a.Annotations.Protocols.ListAsync(h.RequestAborted)).Select(Describe).ToArray()));

    static Task<IResult> GetProtocol(MiraPlatform a, HttpContext h, string id) => Run(async () =>
    {
        int? version = null;
        if (h.Request.Query["version"].ToString() is { Length: > 0 } text)
            version = int.TryParse(text, out var v) && v > 0 ? v : throw AnnotationRefusedException.Invalid("query parameter 'version': a positive whole number");
        var p = await a.Annotations.Protocols.GetAsync(id, version, h.RequestAborted)
            ?? throw AnnotationRefusedException.NotFound(version is null ? $"no protocol {id}" : $"no version {version} of protocol {id}");
        return Results.Json(new
        {
            id = p.Id, version = p.Version, builtIn = p.BuiltIn, sha256 = p.Sha256, workflow = p.Protocol.Workflow, created = p.Created,
            createdBy = p.CreatedBy, definition = JsonNode.Parse(p.Protocol.Json),
        });
    });

    /// <summary>The body is the protocol's definition, or <c>{"definition": {...}, "workflow": {...}}</c>.</summary>
    static Task<IResult> AddProtocol(MiraPlatform a, HttpContext h) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "(a protocol definition, or {definition, workflow})");
        var wrapped = body["definition"] is JsonObject;
        var definition = wrapped ? body["definition"]!.ToJsonString() : body.ToJsonString();
        var workflow = wrapped && body["workflow"] is JsonObject w ? w.ToJsonString() : null;
        var (version, added) = await a.Annotations.AddProtocolAsync(ActorOf(h), definition, workflow, h.RequestAborted);
        return Results.Json(Describe(version), statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    });

    static Task<IResult> ProjectProtocols(MiraPlatform a, HttpContext h, string p) => Run(async () =>
        Results.Json((await a.Annotations.ProjectProtocolsAsync(ActorOf(h), p, h.RequestAborted)).Select(Describe).ToArray()));

    static Task<IResult> AttachProtocol(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "{protocol, version?}");
        var id = Str(body, "protocol") ?? throw AnnotationRefusedException.Invalid("field 'protocol': a protocol id is required");
        int? version = null;
        if (body["version"] is { } v)
            version = v is JsonValue jv && jv.TryGetValue<int>(out var n) && n > 0 ? n : throw AnnotationRefusedException.Invalid("field 'version': a positive whole number");
        var attached = await a.Annotations.AttachProtocolAsync(ActorOf(h), p, id, version, h.RequestAborted);
        return Results.Json(new { project = p, protocol = attached.Id, version = attached.Version });
    });

    static Task<IResult> ListAnnotators(MiraPlatform a, HttpContext h) => Run(async () =>
        Results.Json(await a.Annotations.AnnotatorsAsync(ActorOf(h), null, h.RequestAborted)));

    static Task<IResult> GetAnnotator(MiraPlatform a, HttpContext h, string user) => Run(async () =>
    {
        var found = await a.Annotations.AnnotatorsAsync(ActorOf(h), [user.Trim().ToLowerInvariant()], h.RequestAborted);
        return found.Count == 0 ? throw AnnotationRefusedException.NotFound($"no annotator record for '{user}'") : Results.Json(found[0]);
    });

    static Task<IResult> PutAnnotator(MiraPlatform a, HttpContext h, string user) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "{title, specialty, yearsOfExperience, institution, training, assessments}");
        using var doc = JsonDocument.Parse(body.ToJsonString());
        return Results.Json(await a.Annotations.SetAnnotatorAsync(ActorOf(h), user, doc.RootElement, h.RequestAborted));
    });
}
