using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mira.Platform.Annotations;
using Mira.Storage.Annotations;

namespace Mira.Server.Annotations;

/// <summary>Tasks, reads, arbitration, review, queues, agreement, gold scores and export.</summary>
public static partial class AnnotationEndpoints
{
    static void MapTasks(WebApplication app)
    {
        app.MapPost("/api/projects/{p}/tasks", CreateTask);
        app.MapPost("/api/projects/{p}/tasks/batch", CreateBatch);
        app.MapGet("/api/projects/{p}/tasks", ProjectTasks);
        app.MapGet("/api/projects/{p}/agreement", ProjectAgreement);
        app.MapGet("/api/projects/{p}/annotators/{user}/gold", Gold);
        app.MapGet("/api/projects/{p}/annotations/export", Export);
        app.MapGet("/api/me/tasks", MyTasks);
        app.MapGet("/api/tasks/{t}", GetTask);
        app.MapPost("/api/tasks/{t}/reads", PostRead);
        app.MapPost("/api/tasks/{t}/arbitration", PostArbitration);
        app.MapPost("/api/tasks/{t}/review", PostReview);
        app.MapPost("/api/tasks/{t}/versions", PostVersion);
    }

    static IReadOnlyList<string> Names(JsonObject body, string field) => body[field] switch
    {
        JsonArray a => [.. a.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw AnnotationRefusedException.Invalid($"field '{field}': user names are strings"))],
        null => throw AnnotationRefusedException.Invalid($"field '{field}': an array of user names is required"),
        _ => throw AnnotationRefusedException.Invalid($"field '{field}': an array of user names is required"),
    };

    static DateTimeOffset? Due(JsonObject body) =>
        Str(body, "due") is { } due
            ? DateTimeOffset.TryParse(due, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d.ToUniversalTime()
                : throw AnnotationRefusedException.Invalid($"field 'due': '{due}' is not a date (ISO 8601)")
            : null;

    static Task<IResult> CreateTask(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "{studyInstanceUid, protocol, annotators, reviewer, arbitrator}");
        JsonElement? gold = null;
        if (body["gold"] is JsonObject g) gold = JsonDocument.Parse(g.ToJsonString()).RootElement;
        var request = new TaskRequest(
            Str(body, "studyInstanceUid") ?? throw AnnotationRefusedException.Invalid("field 'studyInstanceUid': a Study Instance UID is required"),
            Str(body, "seriesInstanceUid"), Str(body, "sopInstanceUid"),
            Str(body, "protocol") ?? throw AnnotationRefusedException.Invalid("field 'protocol': a protocol id is required"),
            Names(body, "annotators"), Str(body, "reviewer") ?? "", Str(body, "arbitrator") ?? "", Str(body, "batch"), Due(body), gold);
        var id = await a.Annotations.CreateTaskAsync(ActorOf(h), p, request, h.RequestAborted);
        return Results.Json(new { id }, statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> CreateBatch(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "{studies, protocol, annotators, reviewer, arbitrator, batch, due, qcFraction, seed}");
        var studies = body["studies"] is JsonArray s
            ? s.Select(x => x is JsonValue v && v.TryGetValue<string>(out var u) ? u : throw AnnotationRefusedException.Invalid("field 'studies': UIDs are strings")).ToArray()
            : throw AnnotationRefusedException.Invalid("field 'studies': an array of Study Instance UIDs is required");
        var fraction = body["qcFraction"] is null ? 1.0
            : body["qcFraction"] is JsonValue f && f.TryGetValue<double>(out var q) ? q : throw AnnotationRefusedException.Invalid("field 'qcFraction': a number from 0 to 1");
        var seed = body["seed"] is null ? Random.Shared.Next()
            : body["seed"] is JsonValue sv && sv.TryGetValue<int>(out var n) ? n : throw AnnotationRefusedException.Invalid("field 'seed': a whole number");
        var request = new BatchRequest(studies, Str(body, "protocol") ?? throw AnnotationRefusedException.Invalid("field 'protocol': a protocol id is required"),
            Names(body, "annotators"), Str(body, "reviewer") ?? "", Str(body, "arbitrator") ?? "", Str(body, "batch") ?? "", Due(body), fraction, seed);
        var (ids, qc) = await a.Annotations.CreateBatchAsync(ActorOf(h), p, request, h.RequestAborted);
        return Results.Json(new { ids, qc, seed }, statusCode: StatusCodes.Status201Created);
    });

    static object Summary(AnnotationTaskRecord t, bool steward) => new
    {
        id = t.Id, project = t.Project, studyInstanceUid = t.StudyUid, seriesInstanceUid = t.SeriesUid, sopInstanceUid = t.SopUid, protocol = t.Protocol,
        protocolVersion = t.ProtocolVersion, state = t.State, batch = t.Batch, due = t.Due, comment = t.Comment, created = t.Created, updated = t.Updated,
        // Gold cases are mixed blindly into queues: only stewards see the flag, and which tasks quality control drew.
        gold = steward ? t.Gold : (bool?)null, qc = steward ? t.Qc : (bool?)null,
    };

    static Task<IResult> ProjectTasks(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var state = h.Request.Query["state"].ToString();
        var tasks = await a.Annotations.ProjectTasksAsync(ActorOf(h), p, state.Length == 0 ? null : state, h.RequestAborted);
        return Results.Json(tasks.Select(t => Summary(t, true)).ToArray());
    });

    /// <summary>The caller's tasks; <c>?order=uncertainty</c> puts the cases the project's model was least sure of first (active learning).</summary>
    static Task<IResult> MyTasks(MiraPlatform a, HttpContext h, string? order) => Run(async () =>
    {
        if (order is not (null or "uncertainty")) throw AnnotationRefusedException.Invalid("query parameter 'order': uncertainty (or none)");
        var tasks = await a.Annotations.MyTasksAsync(ActorOf(h), h.RequestAborted);
        var predictions = (await a.Deployments.TaskPredictionsAsync([.. tasks.Select(t => t.Task.Id)], h.RequestAborted)).ToDictionary(p => p.Task);
        var listed = order == "uncertainty"
            ? tasks.OrderByDescending(t => predictions.TryGetValue(t.Task.Id, out var p) && p.Uncertainty is { } u ? u : -1).ThenBy(t => t.Task.Id).ToList()
            : tasks;
        return Results.Json(listed.Select(x => new
        {
            role = x.Role, id = x.Task.Id, project = x.Task.Project, studyInstanceUid = x.Task.StudyUid, protocol = x.Task.Protocol,
            state = x.Task.State, due = x.Task.Due, batch = x.Task.Batch, comment = x.Task.Comment,
            prefill = predictions.TryGetValue(x.Task.Id, out var p) ? new { model = $"{p.ModelName}@{p.ModelVersion}", state = p.State, uncertainty = p.Uncertainty, reason = p.Reason } : null,
        }).ToArray());
    });

    static Task<IResult> GetTask(MiraPlatform a, HttpContext h, long t) => Run(async () =>
    {
        var view = await a.Annotations.GetTaskAsync(ActorOf(h), t, h.RequestAborted);
        return Results.Json(new
        {
            id = view.Task.Id, project = view.Task.Project, studyInstanceUid = view.Task.StudyUid, seriesInstanceUid = view.Task.SeriesUid,
            sopInstanceUid = view.Task.SopUid, protocol = view.Task.Protocol, protocolVersion = view.Task.ProtocolVersion, state = view.Task.State,
            batch = view.Task.Batch, due = view.Task.Due, comment = view.Task.Comment,
            gold = view.ShowGold ? view.Task.Gold : (bool?)null, qc = view.ShowGold ? view.Task.Qc : (bool?)null,
            people = view.People.Select(p => new { user = p.User, role = p.Role }),
            reads = view.Versions.Select(v => new
            {
                version = v.Number, author = v.Author, role = v.Role, tool = v.Tool, time = v.Created, kind = v.Kind, protocol = v.Protocol,
                protocolVersion = v.ProtocolVersion, sopInstanceUids = v.SopInstanceUids,
            }),
            agreement = view.Agreement is { } ag ? new { statistic = ag.Statistic, measure = ag.Measure, values = ag.Values, disagree = ag.Disagree, threshold = ag.Threshold } : null,
        });
    });

    /// <summary>A read's body: the form (application/json), a NIfTI label map (application/octet-stream, application/gzip) or a SEG (application/dicom).</summary>
    static async Task<ReadBody> ReadBodyAsync(HttpContext h)
    {
        if (h.Request.ContentLength > ReadBody.MaxBytes) throw AnnotationRefusedException.Invalid($"the body is larger than the limit of {ReadBody.MaxBytes} bytes");
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await h.Request.Body.ReadAsync(buffer, h.RequestAborted)) > 0)
        {
            if (ms.Length + n > ReadBody.MaxBytes) throw AnnotationRefusedException.Invalid($"the body is larger than the limit of {ReadBody.MaxBytes} bytes");
            ms.Write(buffer, 0, n);
        }
        var tool = h.Request.Query["tool"].ToString();
        if (tool.Length > 64 || tool.Any(char.IsControl)) throw AnnotationRefusedException.Invalid("query parameter 'tool': at most 64 printable characters");
        return new ReadBody(h.Request.ContentType ?? "", ms.ToArray(), tool.Length == 0 ? null : tool);
    }

    static Task<IResult> PostRead(MiraPlatform a, HttpContext h, long t) => Run(async () =>
    {
        var outcome = await a.Annotations.SubmitReadAsync(ActorOf(h), t, await ReadBodyAsync(h), h.RequestAborted);
        return Results.Json(new { version = outcome.Version, state = outcome.State }, statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> PostArbitration(MiraPlatform a, HttpContext h, long t) => Run(async () =>
    {
        var body = await ReadBodyAsync(h);
        int? choose = null;
        if (body.MediaType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(body.Bytes);
            }
            catch (JsonException e)
            {
                throw AnnotationRefusedException.Invalid($"the body is not valid JSON: {e.Message}");
            }
            if (node is JsonObject o && o.Count == 1 && o["choose"] is { } c)
                choose = c is JsonValue v && v.TryGetValue<int>(out var n) && n > 0 ? n : throw AnnotationRefusedException.Invalid("field 'choose': a version number");
        }
        var outcome = await a.Annotations.ArbitrateAsync(ActorOf(h), t, choose is null ? body : null, choose, h.RequestAborted);
        return Results.Json(new { version = outcome.Version, state = outcome.State }, statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> PostReview(MiraPlatform a, HttpContext h, long t) => Run(async () =>
    {
        var body = await ObjectBodyAsync(h, "{accept, comment?, returnTo?}");
        var accept = body["accept"] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw AnnotationRefusedException.Invalid("field 'accept': true or false is required");
        var state = await a.Annotations.ReviewAsync(ActorOf(h), t, accept, Str(body, "comment"), Str(body, "returnTo"), h.RequestAborted);
        return Results.Json(new { id = t, state });
    });

    static Task<IResult> PostVersion(MiraPlatform a, HttpContext h, long t) => Run(async () =>
    {
        var role = h.Request.Query["role"].ToString();
        var outcome = await a.Annotations.AddVersionAsync(ActorOf(h), t, role, await ReadBodyAsync(h), h.RequestAborted);
        return Results.Json(new { version = outcome.Version, state = outcome.State }, statusCode: StatusCodes.Status201Created);
    });

    static Task<IResult> ProjectAgreement(MiraPlatform a, HttpContext h, string p) => Run(async () =>
        Results.Json(new { project = p, protocols = await a.Annotations.ProjectAgreementAsync(ActorOf(h), p, h.RequestAborted) }));

    static Task<IResult> Gold(MiraPlatform a, HttpContext h, string p, string user) => Run(async () =>
    {
        var report = await a.Annotations.GoldScoresAsync(ActorOf(h), p, user.Trim().ToLowerInvariant(), h.RequestAborted);
        return Results.Json(new { user = report.User, cases = report.Cases.Select(c => new { task = c.Task, version = c.Version, metric = c.Metric, score = c.Score }), mean = report.Mean });
    });
}

public static partial class AnnotationEndpoints
{
    /// <summary>The zip is composed in a temporary file (deleted when sent), then streamed.</summary>
    static Task<IResult> Export(MiraPlatform a, HttpContext h, string p) => Run(async () =>
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await a.Annotations.ExportAsync(ActorOf(h), p, h.Request.Query["format"].ToString(), h.Request.Query["version"].ToString(), file, h.RequestAborted);
            file.Position = 0;
            return Results.File(file, "application/zip", $"{p}-annotations-{h.Request.Query["format"]}.zip");
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    });
}
