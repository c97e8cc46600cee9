using System.Text.Json;
using Mira.Annotations.Reads;
using Mira.Platform.Audit;
using Mira.Storage.Annotations;
using Mira.Storage.Security;

namespace Mira.Platform.Annotations;

/// <summary>A task to create: the case (a study of the project's archive, optionally one series or image), the
/// protocol (attached to the project), the people, and optionally a batch, a due date and a gold answer (a form).</summary>
public sealed record TaskRequest(
    string StudyInstanceUid, string? SeriesInstanceUid, string? SopInstanceUid, string Protocol, IReadOnlyList<string> Annotators, string Reviewer,
    string Arbitrator, string? Batch = null, DateTimeOffset? Due = null, JsonElement? Gold = null);

/// <summary>Many studies with the same protocol and people; <see cref="QcFraction"/> of the batch (per annotator, at
/// least one task) is drawn for review with <see cref="Seed"/>; the rest go from agreeing reads straight to done.</summary>
public sealed record BatchRequest(
    IReadOnlyList<string> Studies, string Protocol, IReadOnlyList<string> Annotators, string Reviewer, string Arbitrator, string Batch,
    DateTimeOffset? Due, double QcFraction, int Seed);

/// <summary>A task as one person may see it: the versions they may see, and the agreement once computed.</summary>
public sealed record TaskView(AnnotationTaskRecord Task, IReadOnlyList<TaskAssignmentRecord> People, IReadOnlyList<AnnotationVersionRecord> Versions,
    TaskAgreement? Agreement, bool ShowGold);

public sealed partial class AnnotationService
{
    static readonly JsonSerializerOptions AgreementJson = new(JsonSerializerDefaults.Web);

    /// <summary>Creates one task (stewards and admins): 201 with its id. Single tasks are always reviewed.</summary>
    public async Task<long> CreateTaskAsync(AnnotationActor actor, string project, TaskRequest request, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationTaskCreate, project);
        await ProjectAsync(project, ct);
        var (protocol, people) = await CheckPeopleAndProtocolAsync(project, request.Protocol, request.Annotators, request.Reviewer, request.Arbitrator, ct);
        var images = await CaseImagesAsync(project, request.StudyInstanceUid, request.SeriesInstanceUid, request.SopInstanceUid, ct);
        AnnotationContent? gold = null;
        if (request.Gold is { } g)
            try
            {
                gold = AnnotationContent.Of(FormAnswers.Parse(g, protocol.Protocol));
            }
            catch (AnnotationException e)
            {
                throw AnnotationRefusedException.Invalid($"field 'gold': {e.Message}");
            }
        var task = new NewAnnotationTask(project, request.StudyInstanceUid, images.SeriesInstanceUid, request.SopInstanceUid, protocol.Id, protocol.Version,
            TaskStates.Open, request.Batch, request.Due, gold is not null, Qc: true, actor.Name);
        var id = (await store.CreateTasksAsync([(task, people)], DateTimeOffset.UtcNow, ct))[0];
        await AuditAsync(actor, AuditActions.AnnotationTaskCreate, $"task:{id}", new
        {
            project, study = request.StudyInstanceUid, series = images.SeriesInstanceUid, sop = request.SopInstanceUid, protocol = protocol.Id,
            protocolVersion = protocol.Version, people = people.Select(p => new { user = p.User, role = p.Role }), batch = request.Batch, due = request.Due,
            gold = gold is not null,
        });
        if (TasksCreated is { } created) await created(project, [id], ct);
        if (gold is not null)
        {
            var context = await TaskContextAsync(id, ct);
            var record = await VersionAsync(context, actor.Name, VersionRoles.Gold, "api-form", gold, ct);
            await store.AddVersionsAsync(id, [record], TaskStates.Open, TaskStates.Open, null, null, DateTimeOffset.UtcNow, ct);
        }
        return id;
    }

    /// <summary>Creates a batch of tasks in one transaction and draws its quality-control sample (recorded in the audit log).</summary>
    public async Task<(IReadOnlyList<long> Ids, IReadOnlyList<long> Qc)> CreateBatchAsync(AnnotationActor actor, string project, BatchRequest request, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationTaskCreate, project);
        await ProjectAsync(project, ct);
        if (request.Studies.Count is 0 or > 10_000) throw AnnotationRefusedException.Invalid("field 'studies': 1 to 10000 Study Instance UIDs are required");
        if (request.Studies.Distinct(StringComparer.Ordinal).Count() != request.Studies.Count) throw AnnotationRefusedException.Invalid("field 'studies': a study is listed twice");
        if (!(request.QcFraction is >= 0 and <= 1)) throw AnnotationRefusedException.Invalid("field 'qcFraction': a number from 0 to 1");
        if (string.IsNullOrWhiteSpace(request.Batch) || request.Batch.Length > 64) throw AnnotationRefusedException.Invalid("field 'batch': a name of 1 to 64 characters is required");
        var (protocol, people) = await CheckPeopleAndProtocolAsync(project, request.Protocol, request.Annotators, request.Reviewer, request.Arbitrator, ct);
        var tasks = new List<(NewAnnotationTask, IReadOnlyList<(string, string)>)>();
        foreach (var study in request.Studies)
        {
            var images = await CaseImagesAsync(project, study, null, null, ct);
            tasks.Add((new NewAnnotationTask(project, study, images.SeriesInstanceUid, null, protocol.Id, protocol.Version, TaskStates.Open, request.Batch,
                request.Due, false, false, actor.Name), people));
        }
        var ids = await store.CreateTasksAsync(tasks, DateTimeOffset.UtcNow, ct);
        var qc = QcSample(ids, request.QcFraction, request.Seed);
        await store.MarkQcAsync(qc, ct);
        await AuditAsync(actor, AuditActions.AnnotationTaskCreate, $"batch:{project}:{request.Batch}", new
        {
            project, batch = request.Batch, tasks = ids, protocol = protocol.Id, protocolVersion = protocol.Version,
            people = people.Select(p => new { user = p.User, role = p.Role }), due = request.Due, qcFraction = request.QcFraction, seed = request.Seed, qc,
        });
        if (TasksCreated is { } created) await created(project, ids, ct);
        return (ids, qc);
    }

    /// <summary>
    /// The quality-control sample of a batch: ⌈fraction · n⌉ tasks (at least one when the fraction is above 0), drawn
    /// without replacement by a seeded shuffle, so the same seed draws the same tasks. Every task of a batch has the same
    /// readers, so this is also the sample per annotator.
    /// </summary>
    public static IReadOnlyList<long> QcSample(IReadOnlyList<long> ids, double fraction, int seed)
    {
        var n = fraction <= 0 ? 0 : Math.Min(ids.Count, Math.Max(1, (int)Math.Ceiling(fraction * ids.Count - 1e-9)));
        var order = ids.ToArray();
        new Random(seed).Shuffle(order);
        return [.. order.Take(n).Order()];
    }

    async Task<(ProtocolVersion Protocol, IReadOnlyList<(string User, string Role)> People)> CheckPeopleAndProtocolAsync(
        string project, string protocolId, IReadOnlyList<string> annotators, string reviewer, string arbitrator, CancellationToken ct)
    {
        var attached = (await store.ListProjectProtocolsAsync(project, ct)).FirstOrDefault(p => p.Protocol == protocolId)
            ?? throw AnnotationRefusedException.Invalid($"field 'protocol': '{protocolId}' is not attached to project {project} (POST /api/projects/{project}/protocols)");
        var protocol = await Protocols.GetAsync(attached.Protocol, attached.Version, ct) ?? throw AnnotationRefusedException.Invalid($"field 'protocol': no protocol '{protocolId}'");
        if (annotators.Count is 0 or > 16) throw AnnotationRefusedException.Invalid("field 'annotators': 1 to 16 user names are required");
        var people = new List<(string User, string Role)>();
        foreach (var a in annotators) people.Add((await PersonAsync(project, a, "annotators", ct), TaskRoles.Annotator));
        people.Add((await PersonAsync(project, reviewer, "reviewer", ct), TaskRoles.Reviewer));
        people.Add((await PersonAsync(project, arbitrator, "arbitrator", ct), TaskRoles.Arbitrator));
        // One person, one role per case (Beijing AI GMP inspection guide, 2024): annotator, reviewer and arbitrator are
        // three different people, and no annotator reads the same case twice.
        foreach (var group in people.GroupBy(p => p.User, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var roles = group.Select(p => p.Role).ToArray();
            throw AnnotationRefusedException.Invalid(roles.All(r => r == TaskRoles.Annotator)
                ? $"'{group.Key}' is listed {roles.Length} times as an annotator of one case: each of the independent reads needs another person"
                : $"'{group.Key}' cannot be both {string.Join(" and ", roles.Distinct())} on one case: one person holds at most one of the roles annotator, reviewer and arbitrator on the same case");
        }
        return (protocol, people);
    }

    /// <summary>A person for a task: an account with the annotator role that is a member of the project.</summary>
    async Task<string> PersonAsync(string project, string? name, string field, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name)) throw AnnotationRefusedException.Invalid($"field '{field}': a user name is required");
        var account = await accounts.GetAsync(name.Trim(), ct) ?? throw AnnotationRefusedException.Invalid($"field '{field}': no account '{name.Trim()}'");
        if (!account.Roles.Contains(Security.Roles.Annotator))
            throw AnnotationRefusedException.Invalid($"field '{field}': '{account.Name}' does not hold the annotator role");
        if (await projects.Store.GetMemberRoleAsync(project, account.Name, ct) is null)
            throw AnnotationRefusedException.Invalid($"field '{field}': '{account.Name}' is not a member of project {project}");
        return account.Name;
    }

    /// <summary>The case's images in the project's archive: the series given, or the study's only series (a study of
    /// several series takes none: its reads are then forms, about the whole study).</summary>
    async Task<CaseImages> CaseImagesAsync(string project, string study, string? series, string? sop, CancellationToken ct)
    {
        if (!IsUid(study)) throw AnnotationRefusedException.Invalid($"field 'studyInstanceUid': '{study}' is not a UID");
        if (series is not null && !IsUid(series)) throw AnnotationRefusedException.Invalid($"field 'seriesInstanceUid': '{series}' is not a UID");
        var archive = await projects.Archives.GetAsync(project);
        var found = (await archive.Index.FindInstancesAsync(study, series, ct))
            .Where(i => !Mira.Imaging.Segmentation.DicomSegReader.IsSegmentationSopClass(i.SopClassUid) && !i.SopClassUid.StartsWith("1.2.840.10008.5.1.4.1.1.88.", StringComparison.Ordinal))
            .ToList();
        if (found.Count == 0)
            throw AnnotationRefusedException.Invalid(series is null
                ? $"field 'studyInstanceUid': no study {study} in the de-identified archive of project {project}"
                : $"field 'seriesInstanceUid': no series {series} of study {study} in the de-identified archive of project {project}");
        if (sop is not null && found.All(i => i.SopInstanceUid != sop))
            throw AnnotationRefusedException.Invalid($"field 'sopInstanceUid': no image {sop} in that study of project {project}");
        var seriesUids = found.Select(i => i.SeriesInstanceUid).Distinct().ToArray();
        var chosen = series ?? (seriesUids.Length == 1 ? seriesUids[0] : sop is null ? null : found.First(i => i.SopInstanceUid == sop).SeriesInstanceUid);
        // The chosen series' images (a mask's grid), or every image of the study when none is chosen (a form's report
        // references the whole study): headers only, Pixel Data stays in the blob (the writers and readers need none).
        var instances = new List<Mira.Dicom.DicomDataset>();
        foreach (var i in found.Where(i => chosen is null || i.SeriesInstanceUid == chosen))
            instances.Add(StoredObjects.ReadForMetadata(archive.Blobs, i).Dataset);
        return new CaseImages(study, chosen, instances);
    }

    static bool IsUid(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => c is >= '0' and <= '9' or '.');

    /// <summary>A task as <paramref name="actor"/> may see it. Reads are blind: while the task is open an annotator sees
    /// only their own reads; gold answers are never shown to the people on the task.</summary>
    public async Task<TaskView> GetTaskAsync(AnnotationActor actor, long id, CancellationToken ct = default)
    {
        var task = await store.GetTaskAsync(id, ct) ?? throw AnnotationRefusedException.NotFound($"no task {id}");
        if (await IsHiddenAsync(actor, task, ct)) throw AnnotationRefusedException.NotFound($"no task {id}");
        var people = await store.AssignmentsAsync(id, ct);
        var mine = people.FirstOrDefault(p => p.User == actor.Name)?.Role;
        if (mine is null && !actor.IsSteward)
            throw AnnotationRefusedException.Forbidden($"{actor.Name} is not assigned to task {id}");
        var versions = await store.VersionsAsync(id, ct);
        var steward = actor.IsSteward && mine is null;
        var visible = versions.Where(v => steward || v.Role != VersionRoles.Gold)
            .Where(v => mine != TaskRoles.Annotator || task.State != TaskStates.Open || v.Author == actor.Name)
            .ToArray();
        var agreement = task.AgreementJson is null || task.State == TaskStates.Open && !steward ? null : JsonSerializer.Deserialize<TaskAgreement>(task.AgreementJson, AgreementJson);
        return new TaskView(task, steward || mine != TaskRoles.Annotator ? people : [.. people.Where(p => p.User == actor.Name)], visible, agreement, steward);
    }

    /// <summary>The signed-in person's tasks with their role, due date first.</summary>
    public async Task<IReadOnlyList<(AnnotationTaskRecord Task, string Role)>> MyTasksAsync(AnnotationActor actor, CancellationToken ct = default) =>
        await WithoutHiddenAsync(actor, await store.TasksOfAsync(actor.Name, ct), ct);

    /// <summary>A project's tasks, optionally in one state (stewards and admins).</summary>
    public async Task<IReadOnlyList<AnnotationTaskRecord>> ProjectTasksAsync(AnnotationActor actor, string project, string? state, CancellationToken ct = default)
    {
        await ProjectAsync(project, ct);
        if (!actor.IsSteward) throw AnnotationRefusedException.Forbidden($"the task list of project {project} is for stewards and admins");
        if (state is not null && !TaskStates.IsKnown(state)) throw AnnotationRefusedException.Invalid($"query parameter 'state': one of {string.Join(", ", TaskStates.All)}");
        return await store.ListTasksAsync(project, state, ct);
    }
}
