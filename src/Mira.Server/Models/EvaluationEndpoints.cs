using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mira.Platform.Annotations;
using Mira.Platform.Evaluations;
using Mira.Server.Annotations;
using Mira.Storage.Evaluations;

namespace Mira.Server.Models;

/// <summary>
/// Evaluation over REST (docs/evaluation.md): phases (<c>POST/GET /api/phases</c>, <c>GET /api/phases/{id}</c> with its
/// leaderboard), submissions (<c>POST /api/phases/{id}/submissions</c>), evaluations (<c>GET /api/evaluations</c>,
/// <c>GET /api/evaluations/{id}</c>) and the signed report's files (<c>GET /api/evaluations/{id}/report/{file}</c>, the
/// HTML served under a content security policy that allows nothing but its own inline styles).
/// </summary>
public static class EvaluationEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/api/phases", CreatePhase);
        app.MapGet("/api/phases", ListPhases);
        app.MapGet("/api/phases/{id}", GetPhase);
        app.MapPost("/api/phases/{id}/submissions", Submit);
        app.MapGet("/api/evaluations", List);
        app.MapGet("/api/evaluations/{id}", Get);
        app.MapGet("/api/evaluations/{id}/report/{file}", Report);
    }

    /// <summary>A report's HTML may show text a model maker chose (names, versions): it runs no script and loads nothing.</summary>
    public const string ReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

    internal static object DescribePhase(EvaluationPhaseRecord p)
    {
        var spec = PhaseSpec.FromJson(p.SpecJson);
        return new
        {
            id = p.Id, title = p.Title, project = p.Project, protocol = p.Protocol, release = p.ReleaseId, rankingMetric = spec.RankingMetric,
            higherIsBetter = spec.HigherIsBetter, opens = p.Opens, closes = p.Closes, maxSubmissions = p.MaxSubmissions, maxPerDay = p.MaxPerDay,
            createdBy = p.CreatedBy, created = p.Created,
        };
    }

    internal static object Describe(EvaluationRecord e) => new
    {
        id = e.Id, phase = e.Phase, model = e.ModelName, version = e.ModelVersion, sha256 = e.ModelSha256, submitter = e.Submitter, state = e.State,
        job = e.Job, submitted = e.Submitted, finished = e.Finished, score = e.Score, summary = e.SummaryJson is null ? null : JsonNode.Parse(e.SummaryJson),
        reportSha256 = e.ReportSha256, keyId = e.KeyId, error = e.Error,
    };

    static Task<IResult> CreatePhase(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
    {
        PhaseRequest request;
        try
        {
            using var doc = await JsonDocument.ParseAsync(h.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, h.RequestAborted);
            request = PhaseRequests.Parse(doc.RootElement);
        }
        catch (JsonException) { throw AnnotationRefusedException.Invalid("the body must be a JSON object {id, title, project, release, protocol, ...}"); }
        catch (ArgumentException e) { throw AnnotationRefusedException.Invalid(e.Message); }
        var phase = await a.Evaluations.CreatePhaseAsync(AnnotationEndpoints.ActorOf(h), request, h.RequestAborted);
        return Results.Json(DescribePhase(phase), statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> ListPhases(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
        Results.Json((await a.Evaluations.ListPhasesAsync(AnnotationEndpoints.ActorOf(h), h.RequestAborted)).Select(DescribePhase).ToArray()));

    static Task<IResult> GetPhase(MiraPlatform a, HttpContext h, string id) => AnnotationEndpoints.Run(async () =>
    {
        var actor = AnnotationEndpoints.ActorOf(h);
        var phase = await a.Evaluations.GetPhaseAsync(actor, id, h.RequestAborted);
        var board = await a.Evaluations.LeaderboardAsync(actor, id, h.RequestAborted);
        return Results.Json(new
        {
            phase = DescribePhase(phase),
            leaderboard = board.Select(r => new
            {
                rank = r.Rank, submitter = r.Evaluation.Submitter, model = r.Evaluation.ModelName, version = r.Evaluation.ModelVersion,
                score = r.Evaluation.Score, evaluation = r.Evaluation.Id, finished = r.Evaluation.Finished,
            }).ToArray(),
        });
    });

    static Task<IResult> Submit(MiraPlatform a, HttpContext h, string id) => AnnotationEndpoints.Run(async () =>
    {
        var body = await AnnotationEndpoints.ObjectBodyAsync(h, "{model, version}");
        var model = AnnotationEndpoints.Str(body, "model") ?? throw AnnotationRefusedException.Invalid("field 'model' is required");
        var version = AnnotationEndpoints.Str(body, "version") ?? throw AnnotationRefusedException.Invalid("field 'version' is required");
        var e = await a.Evaluations.SubmitAsync(AnnotationEndpoints.ActorOf(h), id, model, version, h.RequestAborted);
        return Results.Json(Describe(e), statusCode: StatusCodes.Status202Accepted);
    });

    static Task<IResult> List(MiraPlatform a, HttpContext h, string? phase) => AnnotationEndpoints.Run(async () =>
        Results.Json((await a.Evaluations.ListAsync(AnnotationEndpoints.ActorOf(h), phase, h.RequestAborted)).Select(Describe).ToArray()));

    static Task<IResult> Get(MiraPlatform a, HttpContext h, long id) => AnnotationEndpoints.Run(async () =>
        Results.Json(Describe(await a.Evaluations.GetAsync(AnnotationEndpoints.ActorOf(h), id, h.RequestAborted))));

    static Task<IResult> Report(MiraPlatform a, HttpContext h, long id, string file) => AnnotationEndpoints.Run(async () =>
    {
        var bytes = await a.Evaluations.ReportFileAsync(AnnotationEndpoints.ActorOf(h), id, file, h.RequestAborted);
        if (file.EndsWith(".html", StringComparison.Ordinal))
        {
            h.Response.Headers.ContentSecurityPolicy = ReportPolicy;
            h.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Bytes(bytes, "text/html; charset=utf-8");
        }
        return Results.Bytes(bytes, "application/json", id.ToString(CultureInfo.InvariantCulture) + "-" + file);
    });
}
