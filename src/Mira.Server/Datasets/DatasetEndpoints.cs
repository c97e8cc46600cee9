using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Datasets;
using Mira.Server.Security;

namespace Mira.Server.Datasets;

/// <summary>
/// Dataset releases (<c>docs/datasets.md</c>): made and listed under <c>/api/projects/{p}/releases</c>, read and
/// downloaded under <c>/api/releases/{id}</c>. Endpoints parse, call <see cref="DatasetService"/> (which authorises,
/// audits and holds every rule) and map its refusals to problem details: 400, 403, 404, 409.
/// </summary>
public static class DatasetEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/projects/{p}/releases", Create);
        app.MapGet("/api/projects/{p}/releases", List);
        app.MapGet("/api/releases/{id}", Get);
        app.MapGet("/api/releases/{id}/download", Download);
    }

    internal static DatasetActor ActorOf(HttpContext h)
    {
        var user = MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");
        return new DatasetActor(user.Name, Roles.All.Where(user.IsInRole).ToArray(), h.Connection.RemoteIpAddress?.ToString());
    }

    static async Task<IResult> Run(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (DatasetRefusedException e)
        {
            return e.Kind switch
            {
                DatasetRefusal.Forbidden => Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", e.Message),
                DatasetRefusal.NotFound => Problems.NotFound(e.Message),
                DatasetRefusal.Conflict => Problems.Result(StatusCodes.Status409Conflict, "Conflict", e.Message),
                _ => Problems.BadRequest(e.Message),
            };
        }
    }

    /// <summary>What anyone who may list a release sees; sequestered releases for non-stewards carry only these fields.</summary>
    static object Summary(DatasetRelease r) => new
    {
        id = r.Id, project = r.Project, name = r.Name, version = r.Version, kind = r.Kind, size = r.Size, supersedes = r.Supersedes, created = r.Created,
    };

    static Task<IResult> Create(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var actor = ActorOf(h);
        await a.Datasets.RequireMayCreateAsync(actor, p);
        var body = await JsonBody.ReadObjectAsync(h) ?? throw DatasetRefusedException.Invalid("the body is a JSON object {name, kind, series, splits, datasheet}");
        var request = ReleaseRequest.Parse(JsonSerializer.SerializeToElement(body));
        var release = await a.Datasets.CreateAsync(actor, p, request, h.RequestAborted);
        return Results.Json(new
        {
            id = release.Id, name = release.Name, version = release.Version, kind = release.Kind, size = release.Size, supersedes = release.Supersedes,
            splits = release.Cases.GroupBy(c => c.Split).ToDictionary(g => g.Key, g => g.Count()),
        }, statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> List(MiraPlatform a, HttpContext h, string p) => Run(async () =>
        Results.Json((await a.Datasets.ListAsync(ActorOf(h), p, h.RequestAborted)).Select(Summary).ToArray()));

    static Task<IResult> Get(MiraPlatform a, HttpContext h, string id) => Run(async () =>
    {
        var r = await a.Datasets.GetAsync(ActorOf(h), id, h.RequestAborted);
        return Results.Json(new
        {
            release = Summary(r),
            createdBy = r.CreatedBy,
            splits = JsonNode.Parse(r.SplitsJson),
            datasheet = JsonNode.Parse(r.DatasheetJson),
            cases = r.Cases.Select(c => new
            {
                @case = c.CaseId, patient = c.Patient, split = c.Split, fields = c.Fields, studyInstanceUid = c.StudyInstanceUid,
                seriesInstanceUid = c.SeriesInstanceUid, pixelSha256 = c.PixelSha256, contentSha256 = c.ContentSha256, annotation = c.Annotation,
            }),
        });
    });

    /// <summary>The zip is composed in a temporary file (deleted when sent), then streamed.</summary>
    static Task<IResult> Download(MiraPlatform a, HttpContext h, string id) => Run(async () =>
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await a.Datasets.DownloadAsync(ActorOf(h), id, file, h.RequestAborted);
            file.Position = 0;
            return Results.File(file, "application/zip", $"release-{id[..12]}.zip");
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    });
}
