using System.Text.Json;
using Mira.Annotations.Reads;
using Mira.Platform.Audit;
using Mira.Platform.Intake;
using Mira.Platform.Research;
using Mira.Storage.Annotations;
using Mira.Storage.Blobs;
using Mira.Storage.Security;

namespace Mira.Platform.Annotations;

/// <summary>A read's body as posted: its media type, bytes and (optionally) the tool that made it.</summary>
public sealed record ReadBody(string MediaType, byte[] Bytes, string? Tool = null)
{
    /// <summary>The largest body taken (a label map of 512 × 512 × 600 voxels gzip-compresses far below this).</summary>
    public const int MaxBytes = 512 << 20;
}

/// <summary>A stored version and the state the task is in after it.</summary>
public sealed record VersionOutcome(int Version, string State);

public sealed partial class AnnotationService
{
    /// <summary>A task with what every step needs: its protocol version, its people and its project's archive.</summary>
    sealed class TaskContext(AnnotationTaskRecord task, ProtocolVersion protocol, IReadOnlyList<TaskAssignmentRecord> people, ProjectArchive archive)
    {
        public AnnotationTaskRecord Task { get; } = task;
        public ProtocolVersion Protocol { get; } = protocol;
        public IReadOnlyList<TaskAssignmentRecord> People { get; } = people;
        public ProjectArchive Archive { get; } = archive;
        public CaseImages? Images { get; set; }

        public bool Holds(string user, string role) => People.Any(p => p.User == user && p.Role == role);
    }

    async Task<TaskContext> TaskContextAsync(long id, CancellationToken ct)
    {
        var task = await store.GetTaskAsync(id, ct) ?? throw AnnotationRefusedException.NotFound($"no task {id}");
        var protocol = await Protocols.GetAsync(task.Protocol, task.ProtocolVersion, ct)
            ?? throw new InvalidOperationException($"task {id} names protocol {task.Protocol} version {task.ProtocolVersion}, which is not stored");
        return new TaskContext(task, protocol, await store.AssignmentsAsync(id, ct), await projects.Archives.GetAsync(task.Project));
    }

    async Task<CaseImages> ImagesAsync(TaskContext c, CancellationToken ct) =>
        c.Images ??= await CaseImagesAsync(c.Task.Project, c.Task.StudyUid, c.Task.SeriesUid, c.Task.SopUid, ct);

    /// <summary>Decodes a body: the protocol's form (JSON), a NIfTI label map, or a DICOM SEG, checked against the protocol.</summary>
    async Task<(AnnotationContent Content, string Tool)> DecodeAsync(TaskContext c, ReadBody body, CancellationToken ct)
    {
        var protocol = c.Protocol.Protocol;
        var media = body.MediaType.Split(';')[0].Trim().ToLowerInvariant();
        if (body.Bytes.Length == 0) throw AnnotationRefusedException.Invalid("the body is empty");
        if (body.Bytes.Length > ReadBody.MaxBytes) throw AnnotationRefusedException.Invalid($"the body is {body.Bytes.Length} bytes, more than the limit of {ReadBody.MaxBytes}");
        try
        {
            switch (media)
            {
                case "application/json":
                    using (var doc = ParseJson(body.Bytes))
                    {
                        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("annotations", out _) && doc.RootElement.TryGetProperty("images", out _))
                        {
                            if (!protocol.Geometry.Contains(Mira.Annotations.Protocols.ProtocolGeometry.Polygon2d))
                                throw AnnotationRefusedException.Invalid($"protocol {protocol.Id} has no polygons: a COCO file is not a read of it");
                            var images = await ImagesAsync(c, ct);
                            var coco = Mira.Annotations.Coco.CocoImport.Read(new MemoryStream(body.Bytes, writable: false), protocol, images.Instances);
                            return (AnnotationContent.Of(coco.Polygons), body.Tool ?? "api-coco");
                        }
                        if (protocol.Fields.Count == 0) throw AnnotationRefusedException.Invalid($"protocol {protocol.Id} has no form: a read is a label map, a SEG or COCO");
                        return (AnnotationContent.Of(FormAnswers.Parse(doc.RootElement, protocol)), body.Tool ?? "form");
                    }
                case "application/octet-stream" or "application/gzip" or "application/x-gzip":
                {
                    var (images, encodings) = await MaskInputsAsync(c, "a NIfTI label map", ct);
                    return (CheckLabels(encodings.ReadLabelMap(body.Bytes, images, protocol), protocol), body.Tool ?? "api-nifti");
                }
                case "application/dicom":
                {
                    var (images, encodings) = await MaskInputsAsync(c, "a DICOM SEG", ct);
                    return (CheckLabels(encodings.ReadSegmentation(body.Bytes, images, protocol), protocol), body.Tool ?? "api-seg");
                }
                default:
                    throw AnnotationRefusedException.Invalid($"a read is application/json (the form), application/octet-stream or application/gzip (a NIfTI label map) " +
                        $"or application/dicom (a SEG); '{media}' is none of them");
            }
        }
        catch (AnnotationException e)
        {
            throw AnnotationRefusedException.Invalid(e.Message);
        }
    }

    static JsonDocument ParseJson(byte[] bytes)
    {
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw AnnotationRefusedException.Invalid($"the body is not valid JSON: {e.Message}");
        }
    }

    async Task<(CaseImages Images, IAnnotationEncodings Encodings)> MaskInputsAsync(TaskContext c, string what, CancellationToken ct)
    {
        if (!c.Protocol.Protocol.HasRegions) throw AnnotationRefusedException.Invalid($"protocol {c.Protocol.Id} has no regions: a read is its form (application/json)");
        var encodings = Encodings ?? throw AnnotationRefusedException.Invalid($"{what} cannot be read here: this Mira has no SEG/NIfTI encodings");
        var images = await ImagesAsync(c, ct);
        if (images.SeriesInstanceUid is null)
            throw AnnotationRefusedException.Invalid($"task {c.Task.Id} names no series and its study has several: {what} needs the images it lies on");
        return (images, encodings);
    }

    /// <summary>Every label of a read is one of the protocol's values.</summary>
    static AnnotationContent CheckLabels(AnnotationContent content, Mira.Annotations.Protocols.Protocol protocol)
    {
        foreach (var label in content.Masks!.Labels)
            if (protocol.LabelByValue(label) is null || label == 0)
                throw AnnotationRefusedException.Invalid($"label value {label} is not in protocol {protocol.Id} (its values: {string.Join(", ", protocol.Segments.Select(l => $"{l.Value} {l.Name}"))})");
        return content;
    }

    /// <summary>
    /// Stores a version's content and DICOM objects: the objects through the project archive's ingest (a refused object
    /// refuses the version), the decoded content in the project's blob folder. The row is the caller's to add.
    /// </summary>
    async Task<AnnotationVersionRecord> VersionAsync(TaskContext c, string author, string role, string tool, AnnotationContent content, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var uids = new List<string>();
        if (Encodings is not null)
        {
            var images = await ImagesAsync(c, ct);
            var description = new VersionDescription(c.Task.Id, author, role, c.Protocol.Id, c.Protocol.Version, tool, now);
            IReadOnlyList<byte[]> objects;
            try
            {
                objects = Encodings.Write(content, c.Protocol.Protocol, images, description);
            }
            catch (AnnotationException e)
            {
                throw AnnotationRefusedException.Invalid($"the annotation cannot be written as DICOM: {e.Message}");
            }
            foreach (var bytes in objects)
            {
                var stored = await c.Archive.Ingest.StoreAsync(bytes, new IngestSource("annotation", c.Task.Project, author), ct);
                if (!stored.IsSuccess || stored.Instance is null)
                    throw AnnotationRefusedException.Invalid($"the project archive refused the annotation object: {stored.Reason}");
                uids.Add(stored.Instance.SopInstanceUid);
            }
        }
        var key = BlobKeys.For("annotations", $"task-{c.Task.Id}", Guid.NewGuid().ToString("N") + (content.Kind == ContentKinds.Masks ? ".msk.gz" : $".{content.Kind}.json"));
        await c.Archive.Blobs.WriteAsync(key, content.ToBytes(), ct);
        return new AnnotationVersionRecord(c.Task.Id, 0, author, role, c.Protocol.Id, c.Protocol.Version, tool, content.Kind, now, key, uids);
    }

    /// <summary>A version's decoded content.</summary>
    async Task<AnnotationContent> ContentAsync(TaskContext c, AnnotationVersionRecord v, CancellationToken ct)
    {
        await using var s = c.Archive.Blobs.OpenRead(v.ContentKey);
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms, ct);
        return AnnotationContent.FromBytes(v.Kind, ms.ToArray(), c.Protocol.Protocol);
    }

    /// <summary>A version's decoded content (for exports and reports: the caller has checked access).</summary>
    public async Task<AnnotationContent> ContentOfAsync(AnnotationVersionRecord v, CancellationToken ct = default) =>
        await ContentAsync(await TaskContextAsync(v.Task, ct), v, ct);

    /// <summary>The current round's reads: each annotator's latest read after <see cref="AnnotationTaskRecord.ReadsAfter"/>, by annotator.</summary>
    static IReadOnlyList<AnnotationVersionRecord> CurrentReads(AnnotationTaskRecord task, IEnumerable<AnnotationVersionRecord> versions) =>
        [.. versions.Where(v => v.Role == VersionRoles.Annotator && v.Number > task.ReadsAfter)
            .GroupBy(v => v.Author, StringComparer.Ordinal).Select(g => g.MaxBy(v => v.Number)!).OrderBy(v => v.Author, StringComparer.Ordinal)];

    /// <summary>
    /// A read by one of the task's annotators while it is open: 201 with its version. The last read in computes the
    /// agreement: disagreement beyond the protocol's threshold sends the task to arbitration; otherwise Mira's consensus
    /// (STAPLE, majority, identical answers) becomes a version and the task goes to review, or to done when quality
    /// control did not draw it. A second read by the same annotator replaces their first (both stay as versions).
    /// </summary>
    public async Task<VersionOutcome> SubmitReadAsync(AnnotationActor actor, long id, ReadBody body, CancellationToken ct = default)
    {
        var c = await TaskContextAsync(id, ct);
        if (await IsHiddenAsync(actor, c.Task, ct)) throw AnnotationRefusedException.NotFound($"no task {id}");
        if (!c.Holds(actor.Name, TaskRoles.Annotator))
        {
            await AuditAsync(actor, AuditActions.AnnotationRead, $"task:{id}", new { refused = "not an annotator of the task" }, AuditOutcome.Denied);
            throw AnnotationRefusedException.Forbidden($"{actor.Name} is not an annotator of task {id}");
        }
        if (c.Task.State != TaskStates.Open) throw AnnotationRefusedException.Conflict($"task {id} is in {c.Task.State}: reads are taken while it is open");
        var (content, tool) = await DecodeAsync(c, body, ct);
        var record = await VersionAsync(c, actor.Name, VersionRoles.Annotator, tool, content, ct);
        var numbers = await store.AddVersionsAsync(id, [record], TaskStates.Open, TaskStates.Open, null, null, DateTimeOffset.UtcNow, ct)
            ?? throw AnnotationRefusedException.Conflict($"task {id} left the open state while the read was stored; it was not taken");
        var (state, agreement) = await CompleteIfAllReadAsync(c, ct);
        await AuditAsync(actor, AuditActions.AnnotationRead, $"task:{id}", new
        {
            project = c.Task.Project, version = numbers[0], tool, kind = content.Kind, from = TaskStates.Open, to = state,
            agreement = agreement is null ? null : new { agreement.Statistic, agreement.Values, agreement.Disagree, agreement.Threshold },
        });
        return new VersionOutcome(numbers[0], state);
    }

    /// <summary>When every annotator's read of the round is in: agreement, then arbitration, review or done (one
    /// conditional move, so of two last reads arriving together only one moves the task).</summary>
    async Task<(string State, TaskAgreement? Agreement)> CompleteIfAllReadAsync(TaskContext c, CancellationToken ct)
    {
        var task = await store.GetTaskAsync(c.Task.Id, ct) ?? throw AnnotationRefusedException.NotFound($"no task {c.Task.Id}");
        if (task.State != TaskStates.Open) return (task.State, null);
        var reads = CurrentReads(task, await store.VersionsAsync(task.Id, ct));
        var annotators = c.People.Where(p => p.Role == TaskRoles.Annotator).Select(p => p.User).ToHashSet(StringComparer.Ordinal);
        if (!annotators.SetEquals(reads.Select(r => r.Author))) return (TaskStates.Open, null);
        var contents = new List<AnnotationContent>();
        foreach (var r in reads) contents.Add(await ContentAsync(c, r, ct));
        var polygons = contents.Any(x => x.Polygons is not null);
        var images = polygons ? (await ImagesAsync(c, ct)).Instances : [];
        var agreement = TaskAgreement.Compute(c.Protocol.Protocol, polygons ? PolygonMasks.Rasterize(contents, images) : contents);
        var json = JsonSerializer.Serialize(agreement, AgreementJson);
        var versions = new List<AnnotationVersionRecord>();
        string next;
        if (agreement.Disagree) next = TaskStates.Arbitration;
        else
        {
            next = task.Qc ? TaskStates.Review : TaskStates.Done;
            var (consensus, method) = polygons ? PolygonMasks.Consensus(c.Protocol.Protocol, contents, images) : TaskAgreement.Consensus(c.Protocol.Protocol, contents);
            versions.Add(await VersionAsync(c, "mira", VersionRoles.Consensus, method, consensus, ct));
        }
        var moved = await store.AddVersionsAsync(task.Id, versions, TaskStates.Open, next, json, null, DateTimeOffset.UtcNow, ct);
        return moved is null ? ((await store.GetTaskAsync(task.Id, ct))!.State, null) : (next, agreement);
    }

    /// <summary>
    /// The arbitrator's decision while the task is in arbitration: a body as for reads, or <paramref name="choose"/>, a
    /// read's version whose content is taken. Either becomes the consensus version (role consensus, author the
    /// arbitrator); the task goes to review.
    /// </summary>
    public async Task<VersionOutcome> ArbitrateAsync(AnnotationActor actor, long id, ReadBody? body, int? choose, CancellationToken ct = default)
    {
        var c = await TaskContextAsync(id, ct);
        if (!c.Holds(actor.Name, TaskRoles.Arbitrator))
        {
            await AuditAsync(actor, AuditActions.AnnotationArbitrate, $"task:{id}", new { refused = "not the arbitrator of the task" }, AuditOutcome.Denied);
            throw AnnotationRefusedException.Forbidden($"{actor.Name} is not the arbitrator of task {id}");
        }
        if (c.Task.State != TaskStates.Arbitration) throw AnnotationRefusedException.Conflict($"task {id} is in {c.Task.State}, not in arbitration");
        AnnotationContent content;
        string tool;
        if (choose is { } n)
        {
            var chosen = (await store.VersionsAsync(id, ct)).FirstOrDefault(v => v.Number == n && v.Role == VersionRoles.Annotator)
                ?? throw AnnotationRefusedException.Invalid($"field 'choose': task {id} has no read with version {n}");
            content = await ContentAsync(c, chosen, ct);
            tool = $"choose:{n}";
        }
        else (content, tool) = await DecodeAsync(c, body ?? throw AnnotationRefusedException.Invalid("a body as for reads, or {\"choose\": version}, is required"), ct);
        var record = await VersionAsync(c, actor.Name, VersionRoles.Consensus, tool, content, ct);
        var numbers = await store.AddVersionsAsync(id, [record], TaskStates.Arbitration, TaskStates.Review, null, null, DateTimeOffset.UtcNow, ct)
            ?? throw AnnotationRefusedException.Conflict($"task {id} left arbitration meanwhile; the decision was not taken");
        await AuditAsync(actor, AuditActions.AnnotationArbitrate, $"task:{id}", new
        {
            project = c.Task.Project, version = numbers[0], chose = choose, tool, from = TaskStates.Arbitration, to = TaskStates.Review,
        });
        return new VersionOutcome(numbers[0], TaskStates.Review);
    }

    /// <summary>The reviewer's decision: accept (done), or return with a comment to arbitration or to the readers (a new round of reads).</summary>
    public async Task<string> ReviewAsync(AnnotationActor actor, long id, bool accept, string? comment, string? returnTo, CancellationToken ct = default)
    {
        var c = await TaskContextAsync(id, ct);
        if (!c.Holds(actor.Name, TaskRoles.Reviewer))
        {
            await AuditAsync(actor, AuditActions.AnnotationReview, $"task:{id}", new { refused = "not the reviewer of the task" }, AuditOutcome.Denied);
            throw AnnotationRefusedException.Forbidden($"{actor.Name} is not the reviewer of task {id}");
        }
        if (c.Task.State != TaskStates.Review) throw AnnotationRefusedException.Conflict($"task {id} is in {c.Task.State}, not in review");
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (comment?.Length > 4000) throw AnnotationRefusedException.Invalid("field 'comment': at most 4000 characters");
        string next;
        if (accept) next = TaskStates.Done;
        else
        {
            if (comment is null) throw AnnotationRefusedException.Invalid("field 'comment': a returned task needs the reviewer's comment");
            next = returnTo switch
            {
                "arbitration" => TaskStates.Arbitration,
                "read" => TaskStates.Open,
                _ => throw AnnotationRefusedException.Invalid("field 'returnTo': \"arbitration\" or \"read\""),
            };
        }
        if (!await store.TransitionAsync(id, TaskStates.Review, next, null, comment, DateTimeOffset.UtcNow, restartReads: next == TaskStates.Open, ct))
            throw AnnotationRefusedException.Conflict($"task {id} left review meanwhile");
        await AuditAsync(actor, AuditActions.AnnotationReview, $"task:{id}", new { project = c.Task.Project, accept, comment, from = TaskStates.Review, to = next });
        return next;
    }

    /// <summary>A gold answer or an imported prior label, by a steward or admin, as a version of the task (its state unchanged).</summary>
    public async Task<VersionOutcome> AddVersionAsync(AnnotationActor actor, long id, string role, ReadBody body, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationVersion, $"task:{id}");
        if (role is not (VersionRoles.Gold or VersionRoles.Import)) throw AnnotationRefusedException.Invalid("query parameter 'role': \"gold\" or \"import\"");
        var c = await TaskContextAsync(id, ct);
        var (content, tool) = await DecodeAsync(c, body, ct);
        var record = await VersionAsync(c, actor.Name, role, tool, content, ct);
        var numbers = await store.AddVersionsAsync(id, [record], c.Task.State, c.Task.State, null, null, DateTimeOffset.UtcNow, ct)
            ?? throw AnnotationRefusedException.Conflict($"task {id} changed state meanwhile; try again");
        if (role == VersionRoles.Gold && !c.Task.Gold) await store.MarkGoldAsync(id, ct);
        await AuditAsync(actor, AuditActions.AnnotationVersion, $"task:{id}", new { project = c.Task.Project, version = numbers[0], role, tool, kind = content.Kind });
        return new VersionOutcome(numbers[0], c.Task.State);
    }
}

public sealed partial class AnnotationService
{
    /// <summary>
    /// The one open task of <paramref name="project"/> on a study where the caller is an annotator, with its protocol: what
    /// an annotation object stored for that study (the viewer's STOW-RS) is a read of. None, or several, is refused with
    /// the reason.
    /// </summary>
    public async Task<(long Task, Mira.Annotations.Protocols.Protocol Protocol)> OpenReadTaskForStudyAsync(AnnotationActor actor, string project,
        string studyInstanceUid, CancellationToken ct = default)
    {
        var open = (await store.TasksOfAsync(actor.Name, ct))
            .Where(t => t.Role == TaskRoles.Annotator && t.Task.Project == project && t.Task.StudyUid == studyInstanceUid && t.Task.State == TaskStates.Open)
            .Select(t => t.Task).ToArray();
        if (open.Length == 0)
            throw AnnotationRefusedException.Forbidden($"{actor.Name} has no open task on study {studyInstanceUid} in project {project}: an annotation is stored as the read of an open task");
        if (open.Length > 1)
            throw AnnotationRefusedException.Invalid($"{actor.Name} has {open.Length} open tasks on study {studyInstanceUid} (tasks {string.Join(", ", open.Select(t => t.Id))}): post the read to /api/tasks/{{t}}/reads");
        var protocol = await Protocols.GetAsync(open[0].Protocol, open[0].ProtocolVersion, ct)
            ?? throw new InvalidOperationException($"task {open[0].Id} names protocol {open[0].Protocol} version {open[0].ProtocolVersion}, which is not stored");
        return (open[0].Id, protocol.Protocol);
    }

    /// <summary>A read that arrives without a task id (see <see cref="OpenReadTaskForStudyAsync"/>).</summary>
    public async Task<(long Task, VersionOutcome Outcome)> SubmitReadForStudyAsync(AnnotationActor actor, string project, string studyInstanceUid, ReadBody body,
        CancellationToken ct = default)
    {
        var (task, _) = await OpenReadTaskForStudyAsync(actor, project, studyInstanceUid, ct);
        return (task, await SubmitReadAsync(actor, task, body, ct));
    }
}
