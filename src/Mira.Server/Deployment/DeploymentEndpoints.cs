using System.Text.Json.Nodes;
using Mira.Platform.Annotations;
using Mira.Platform.Deployment;
using Mira.Server.Annotations;
using Mira.Storage.Deployments;

namespace Mira.Server.Deployment;

/// <summary>
/// Deployment rules and their results over REST (docs/deployment.md): <c>GET/POST /api/deployments</c>,
/// <c>DELETE /api/deployments/{name}</c>, <c>GET /api/deployments/{name}/results</c> and
/// <c>GET /api/deployment-results[?study=UID]</c>. Stewards and admins only; reading results is audited.
/// </summary>
public static class DeploymentEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/deployments", List);
        app.MapPost("/api/deployments", Add);
        app.MapDelete("/api/deployments/{name}", Remove);
        app.MapGet("/api/deployments/{name}/results", Results);
        app.MapGet("/api/deployment-results", AllResults);
        app.MapPut("/api/projects/{project}/model", AttachModel);
    }

    /// <summary>Attaches a model to a project for pre-annotation: <c>{model: NAME@VERSION}</c> (stewards and admins).</summary>
    static Task<IResult> AttachModel(MiraPlatform a, HttpContext h, string project) => AnnotationEndpoints.Run(async () =>
    {
        var body = await AnnotationEndpoints.ObjectBodyAsync(h, "{model}");
        var r = await a.Deployments.AttachModelAsync(AnnotationEndpoints.ActorOf(h), project,
            AnnotationEndpoints.Str(body, "model") ?? throw AnnotationRefusedException.Invalid("field 'model' is required"), h.RequestAborted);
        return Microsoft.AspNetCore.Http.Results.Json(new { project = r.Project, model = $"{r.ModelName}@{r.ModelVersion}", attachedBy = r.AttachedBy, attached = r.Attached });
    });

    internal static object Describe(DeploymentRecord d) => new
    {
        name = d.Name, model = $"{d.ModelName}@{d.ModelVersion}", fromAe = d.FromAe, modality = d.Modality, bodyPart = d.BodyPart,
        seriesDescription = d.SeriesPattern, sendTo = d.Destination, blindFirstRead = d.BlindFirstRead, oodThreshold = d.OodThreshold,
        settleSeconds = d.SettleMilliseconds / 1000.0, externalPerformer = d.ExternalPerformer, oodReleases = d.OodReleases?.Split(','), feedbackProject = d.FeedbackProject, enabled = d.Enabled, createdBy = d.CreatedBy, created = d.Created,
    };

    internal static object Describe(DeploymentResultRecord r) => new
    {
        id = r.Id, deployment = r.Deployment, job = r.JobId, studyInstanceUid = r.StudyInstanceUid, seriesInstanceUid = r.SeriesInstanceUid,
        modality = r.Modality, model = $"{r.ModelName}@{r.ModelVersion}", modelSha256 = r.ModelSha256, state = r.State, reason = r.Reason,
        workitem = r.WorkitemUid, resultSeriesInstanceUid = r.ResultSeriesUid, resultSopInstanceUid = r.ResultSopUid, destination = r.Destination,
        ood = new { score = r.OodScore, outsideValidatedRange = r.OodFlagged, reasons = r.OodReasons, detail = r.OodDetail is null ? null : JsonNode.Parse(r.OodDetail) },
        review = new { state = r.ReviewState, reviewer = r.Reviewer, reason = r.ReviewReason, at = r.Reviewed, editDistance = r.EditDistance, feedbackTask = r.FeedbackTask },
        created = r.Created, updated = r.Updated,
    };

    static Task<IResult> List(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
        Microsoft.AspNetCore.Http.Results.Json((await a.Deployments.ListAsync(AnnotationEndpoints.ActorOf(h), h.RequestAborted)).Select(Describe).ToArray()));

    static Task<IResult> Add(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
    {
        var body = await AnnotationEndpoints.ObjectBodyAsync(h, "{name, model, fromAe?, modality?, bodyPart?, seriesDescription?, sendTo, blindFirstRead?, oodThreshold?, settleSeconds?, feedbackProject?}");
        string Required(string field) => AnnotationEndpoints.Str(body, field) ?? throw AnnotationRefusedException.Invalid($"field '{field}' is required");
        var request = new DeploymentRequest(Required("name"), Required("model"), AnnotationEndpoints.Str(body, "fromAe"), AnnotationEndpoints.Str(body, "modality"),
            AnnotationEndpoints.Str(body, "bodyPart"), AnnotationEndpoints.Str(body, "seriesDescription"), Required("sendTo"),
            Bool(body, "blindFirstRead"), Number(body, "oodThreshold"), Number(body, "settleSeconds") is { } s ? (int)s : null,
            AnnotationEndpoints.Str(body, "feedbackProject"), Strings(body, "oodReleases"), Bool(body, "externalPerformer"));
        var d = await a.Deployments.AddAsync(AnnotationEndpoints.ActorOf(h), request, h.RequestAborted);
        return Microsoft.AspNetCore.Http.Results.Json(Describe(d), statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> Remove(MiraPlatform a, HttpContext h, string name) => AnnotationEndpoints.Run(async () =>
        await a.Deployments.RemoveAsync(AnnotationEndpoints.ActorOf(h), name, h.RequestAborted)
            ? Microsoft.AspNetCore.Http.Results.NoContent()
            : throw AnnotationRefusedException.NotFound($"no deployment '{name}'"));

    static Task<IResult> Results(MiraPlatform a, HttpContext h, string name) => AnnotationEndpoints.Run(async () =>
        Microsoft.AspNetCore.Http.Results.Json((await a.Deployments.ResultsAsync(AnnotationEndpoints.ActorOf(h), name, null, h.RequestAborted)).Select(Describe).ToArray()));

    static Task<IResult> AllResults(MiraPlatform a, HttpContext h, string? study) => AnnotationEndpoints.Run(async () =>
        Microsoft.AspNetCore.Http.Results.Json((await a.Deployments.ResultsAsync(AnnotationEndpoints.ActorOf(h), null, study, h.RequestAborted)).Select(Describe).ToArray()));

    static IReadOnlyList<string>? Strings(JsonObject o, string name) =>
        o[name] is null ? null
        : o[name] is JsonArray a && a.Count <= 100 && a.All(x => x is JsonValue v && v.TryGetValue<string>(out var s) && s.Length is > 0 and <= 128)
            ? [.. a.Select(x => x!.GetValue<string>())]
            : throw AnnotationRefusedException.Invalid($"field '{name}' must be a list of release ids");

    static bool Bool(JsonObject o, string name) =>
        o[name] is null ? false
        : o[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b
        : throw AnnotationRefusedException.Invalid($"field '{name}' must be true or false");

    static double? Number(JsonObject o, string name) =>
        o[name] is null ? null
        : o[name] is JsonValue v && v.TryGetValue<double>(out var d) ? d
        : throw AnnotationRefusedException.Invalid($"field '{name}' must be a number");
}

/// <summary>
/// Clinician review of AI results over REST (docs/deployment.md): <c>GET /api/results</c> (the review queue),
/// <c>GET /api/results/{id}</c> (a result with the model's identity and card; every display audited; withheld until the
/// own read under a blind-first-read rule), <c>POST /api/results/{id}/own-read</c> <c>{read}</c>,
/// <c>POST /api/results/{id}/review</c> with <c>{decision: accepted|rejected, reason}</c>, or a corrected label map
/// (NIfTI, <c>application/gzip</c>) with <c>?decision=corrected&amp;reason=…</c>.
/// </summary>
public static class ResultReviewEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/api/results", Queue);
        app.MapGet("/api/results/{id}", View);
        app.MapPost("/api/results/{id}/own-read", OwnRead);
        app.MapPost("/api/results/{id}/review", Review);
    }

    static Task<IResult> Queue(MiraPlatform a, HttpContext h) => AnnotationEndpoints.Run(async () =>
        Results.Json((await a.Deployments.ReviewQueueAsync(AnnotationEndpoints.ActorOf(h), h.RequestAborted)).Select(DeploymentEndpoints.Describe).ToArray()));

    static Task<IResult> View(MiraPlatform a, HttpContext h, string id) => AnnotationEndpoints.Run(async () =>
    {
        var v = await a.Deployments.ViewResultAsync(AnnotationEndpoints.ActorOf(h), id, h.RequestAborted);
        return Results.Json(new
        {
            result = DeploymentEndpoints.Describe(v.Result), aiGenerated = true,
            ownRead = v.Result.OwnReadBy is null ? null : new { by = v.Result.OwnReadBy, read = v.Result.OwnRead, at = v.Result.OwnReadAt },
            card = v.Card is null ? null : new { summary = v.Card.Summary, intendedUse = v.Card.IntendedUse, outOfScopeUse = v.Card.OutOfScopeUse, knownFailureModes = v.Card.KnownFailureModes },
        });
    });

    static Task<IResult> OwnRead(MiraPlatform a, HttpContext h, string id) => AnnotationEndpoints.Run(async () =>
    {
        var body = await AnnotationEndpoints.ObjectBodyAsync(h, "{read}");
        await a.Deployments.RecordOwnReadAsync(AnnotationEndpoints.ActorOf(h), id, AnnotationEndpoints.Str(body, "read") ?? "", h.RequestAborted);
        return Results.NoContent();
    });

    static Task<IResult> Review(MiraPlatform a, HttpContext h, string id, string? decision, string? reason) => AnnotationEndpoints.Run(async () =>
    {
        var media = h.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        byte[]? correction = null;
        if (media is "application/json")
        {
            var body = await AnnotationEndpoints.ObjectBodyAsync(h, "{decision, reason?}");
            decision = AnnotationEndpoints.Str(body, "decision");
            reason = AnnotationEndpoints.Str(body, "reason");
        }
        else
        {
            await using var spooled = await Models.BoundedUpload.SpoolAsync(h, Mira.Platform.Annotations.ReadBody.MaxBytes, "the corrected label map");
            using var m = new MemoryStream();
            await spooled.CopyToAsync(m, h.RequestAborted);
            correction = m.ToArray();
        }
        var r = await a.Deployments.ReviewAsync(AnnotationEndpoints.ActorOf(h), id, decision ?? "", reason, correction, h.RequestAborted);
        return Results.Json(DeploymentEndpoints.Describe(r));
    });
}
