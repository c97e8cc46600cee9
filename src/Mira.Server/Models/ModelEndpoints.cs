using System.Text.Json.Nodes;
using Mira.Platform.Annotations;
using Mira.Server.Annotations;
using Mira.Storage.Models;

namespace Mira.Server.Models;

/// <summary>
/// The model registry over REST (docs/models.md): <c>POST /api/models</c> (a zipped package as the body),
/// <c>GET /api/models</c>, <c>GET /api/models/{name}/{version}</c> (manifest and card) and
/// <c>GET /api/models/{name}/{version}/package</c>. Developers push and see their own models; stewards and admins see all.
/// </summary>
public static class ModelEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/models", Push);
        app.MapGet("/api/models", List);
        app.MapGet("/api/models/{name}/{version}", Get);
        app.MapGet("/api/models/{name}/{version}/package", Download);
    }

    internal static object Describe(ModelRecord m, bool withManifest) => new
    {
        name = m.Name, version = m.Version, sha256 = m.Sha256, task = m.Task, protocol = m.Protocol, packageBytes = m.PackageBytes,
        owner = m.Owner, pushed = m.Pushed, manifest = withManifest ? JsonNode.Parse(m.ManifestJson) : null,
    };

    static Task<IResult> Push(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
    {
        var actor = AnnotationEndpoints.ActorOf(h);
        var spooled = await BoundedUpload.SpoolAsync(h, a.Models.Limits.MaxPackageBytes, "the model package");
        await using (spooled)
        {
            var outcome = await a.Models.PushAsync(actor, spooled, h.RequestAborted);
            var body = Describe(outcome.Model, false);
            return outcome.Added ? Results.Json(body, statusCode: StatusCodes.Status201Created) : Results.Json(body);
        }
    });

    static Task<IResult> List(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
        Results.Json((await a.Models.ListAsync(AnnotationEndpoints.ActorOf(h), h.RequestAborted)).Select(m => Describe(m, false)).ToArray()));

    static Task<IResult> Get(MiraPlatform a, HttpContext h, string name, string version) => AnnotationEndpoints.Run(async () =>
        Results.Json(Describe(await a.Models.GetAsync(AnnotationEndpoints.ActorOf(h), name, version, h.RequestAborted), true)));

    static Task<IResult> Download(MiraPlatform a, HttpContext h, string name, string version) => AnnotationEndpoints.Run(async () =>
    {
        var bytes = await a.Models.DownloadAsync(AnnotationEndpoints.ActorOf(h), name, version, h.RequestAborted);
        return Results.File(bytes, "application/zip", $"{name}-{version}.zip");
    });
}
