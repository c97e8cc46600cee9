using System.Text.Json;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Datasets;
using Mira.Platform.Evaluations.Engine;
using Mira.Platform.Jobs;
using Mira.Platform.Models;
using Mira.Platform.Research;
using Mira.Storage.Blobs;
using Mira.Storage.Evaluations;
using Mira.Storage.Jobs;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Evaluations;

/// <summary>A row of a phase's leaderboard: rank (ties share one), the evaluation, and its score.</summary>
public sealed record LeaderboardRow(int Rank, EvaluationRecord Evaluation);

/// <summary>
/// Independent evaluation (issue 18, docs/evaluation.md): stewards open phases on a project's test release (sequestered or
/// not) under a protocol, with a ranking metric, a window and submission limits; developers who are members of the
/// project submit model versions of that protocol; each submission is an <c>evaluation.run</c> job that the runner
/// executes (<see cref="EvaluationRunner"/>: the model in a separate worker process, scoring, a signed report). A
/// submitter reads their own evaluations and the leaderboard; stewards and admins read everything. The test release's
/// cases are read by the runner only: a submitter never receives an image, a label or a log line of a sequestered set.
/// </summary>
public sealed partial class EvaluationService
{
    public const string RunJobKind = "evaluation.run";

    readonly EvaluationStore store;
    readonly ModelRegistry models;
    readonly DatasetService datasets;
    readonly ProjectService projects;
    readonly JobService jobs;
    readonly AuditLog audit;
    readonly IBlobStore blobs;
    readonly string dataFolder;

    public EvaluationService(EvaluationStore store, ModelRegistry models, DatasetService datasets, ProjectService projects, JobService jobs, AuditLog audit,
        IBlobStore blobs, string dataFolder, EvaluationOptions options)
    {
        this.store = store;
        this.models = models;
        this.datasets = datasets;
        this.projects = projects;
        this.jobs = jobs;
        this.audit = audit;
        this.blobs = blobs;
        this.dataFolder = dataFolder;
        Options = options;
    }

    public EvaluationStore Store => store;
    public EvaluationOptions Options { get; }

    /// <summary>Where the platform's report signing key is (PKCS#8 PEM, owner-only; created at the first evaluation).</summary>
    public string SigningKeyPath => Options.SigningKeyPath ?? Path.Combine(dataFolder, "keys", "evaluation-signing.pem");

    Task AuditAsync(AnnotationActor actor, string action, string resource, object details, AuditOutcome outcome = AuditOutcome.Success) =>
        audit.AppendAsync(new AuditEntry(actor.Name, action, resource, actor.ClientAddress, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    async Task<bool> IsMemberAsync(AnnotationActor actor, string project, CancellationToken ct) =>
        actor.IsSteward || await projects.Store.GetMemberRoleAsync(project, actor.Name, ct) is not null;

    // ---- phases ----

    /// <summary>Opens a phase (stewards and admins): the release must be a test or sequestered release of the project.</summary>
    public async Task<EvaluationPhaseRecord> CreatePhaseAsync(AnnotationActor actor, PhaseRequest request, CancellationToken ct = default)
    {
        if (!actor.IsSteward)
        {
            await AuditAsync(actor, AuditActions.EvaluationPhase, "phases", new { refused = "not a steward" }, AuditOutcome.Denied);
            throw AnnotationRefusedException.Forbidden($"opening a phase needs one of the roles: {Security.Roles.Steward}, {Security.Roles.Admin}");
        }
        if (!ProjectStore.IsValidId(request.Project) || await projects.Store.GetAsync(request.Project, ct) is null)
            throw AnnotationRefusedException.Invalid($"field 'project': no project {request.Project}");
        var release = await datasets.ReleaseForEvaluationAsync(request.ReleaseId, ct);
        if (release is null || release.Project != request.Project)
            throw AnnotationRefusedException.Invalid($"field 'release': project {request.Project} has no release {request.ReleaseId}");
        if (release.Kind == ReleaseKinds.Training)
            throw AnnotationRefusedException.Invalid($"field 'release': release {release.Name} v{release.Version} is a training release; a phase scores a test or sequestered release");
        PhaseSpec spec;
        try { spec = PhaseSpec.For(request.RankingMetric); }
        catch (ArgumentException e) { throw AnnotationRefusedException.Invalid(e.Message); }
        var now = DateTimeOffset.UtcNow;
        var record = new EvaluationPhaseRecord(request.Id, request.Project, request.Title, request.Protocol, release.Id, spec.ToJson(), request.Opens ?? now,
            request.Closes, request.MaxSubmissions, request.MaxPerDay, actor.Name, now);
        if (!await store.AddPhaseAsync(record, ct)) throw AnnotationRefusedException.Conflict($"a phase '{request.Id}' exists already");
        await AuditAsync(actor, AuditActions.EvaluationPhase, $"phase:{record.Id}",
            new { project = record.Project, release = record.ReleaseId, protocol = record.Protocol, metric = spec.RankingMetric, sequestered = release.IsSequestered });
        return record;
    }

    /// <summary>The phases the caller may see: all (stewards, admins), else those of the projects they are a member of.</summary>
    public async Task<IReadOnlyList<EvaluationPhaseRecord>> ListPhasesAsync(AnnotationActor actor, CancellationToken ct = default)
    {
        var all = await store.ListPhasesAsync(null, ct);
        if (actor.IsSteward) return all;
        var visible = new List<EvaluationPhaseRecord>();
        foreach (var p in all)
            if (await IsMemberAsync(actor, p.Project, ct)) visible.Add(p);
        return visible;
    }

    /// <summary>One phase the caller may see (else 404, the same answer as for a phase that does not exist).</summary>
    public async Task<EvaluationPhaseRecord> GetPhaseAsync(AnnotationActor actor, string id, CancellationToken ct = default)
    {
        var p = await store.GetPhaseAsync(id, ct);
        if (p is null || !await IsMemberAsync(actor, p.Project, ct)) throw AnnotationRefusedException.NotFound($"no phase {id}");
        return p;
    }

    /// <summary>
    /// The leaderboard: each submitter's best succeeded evaluation (by the phase's ranking metric and direction),
    /// ranked; equal scores share a rank.
    /// </summary>
    public async Task<IReadOnlyList<LeaderboardRow>> LeaderboardAsync(AnnotationActor actor, string phaseId, CancellationToken ct = default)
    {
        var phase = await GetPhaseAsync(actor, phaseId, ct);
        var spec = PhaseSpec.FromJson(phase.SpecJson);
        var done = (await store.ListAsync(phase.Id, null, ct)).Where(e => e.State == EvaluationStates.Succeeded && e.Score is { } s && double.IsFinite(s));
        var best = done.GroupBy(e => e.Submitter)
            .Select(g => spec.HigherIsBetter ? g.OrderByDescending(e => e.Score).ThenBy(e => e.Id).First() : g.OrderBy(e => e.Score).ThenBy(e => e.Id).First());
        var ordered = (spec.HigherIsBetter ? best.OrderByDescending(e => e.Score) : best.OrderBy(e => e.Score)).ThenBy(e => e.Submitted).ToList();
        var rows = new List<LeaderboardRow>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
            rows.Add(new LeaderboardRow(i > 0 && ordered[i].Score == ordered[i - 1].Score ? rows[i - 1].Rank : i + 1, ordered[i]));
        return rows;
    }

    // ---- submissions ----

    /// <summary>
    /// Submits a model version to a phase (its owner, a developer member of the phase's project): the phase must be
    /// open, the model of the phase's protocol, and the submitter within the phase's limits. Queues the run.
    /// </summary>
    public async Task<EvaluationRecord> SubmitAsync(AnnotationActor actor, string phaseId, string modelName, string modelVersion, CancellationToken ct = default)
    {
        var phase = await GetPhaseAsync(actor, phaseId, ct);
        var resource = $"phase:{phase.Id}";
        async Task<Exception> Refuse(Exception e, string why)
        {
            await AuditAsync(actor, AuditActions.EvaluationSubmit, resource, new { model = modelName, version = modelVersion, refused = why }, AuditOutcome.Denied);
            return e;
        }
        if (!actor.Roles.Contains(Security.Roles.Developer) && !actor.Roles.Contains(Security.Roles.Admin))
            throw await Refuse(AnnotationRefusedException.Forbidden($"submitting to a phase needs one of the roles: {Security.Roles.Developer}, {Security.Roles.Admin}"), "not a developer");
        var model = await models.GetAsync(actor, modelName, modelVersion, ct);
        if (model.Owner != actor.Name && !actor.Roles.Contains(Security.Roles.Admin))
            throw await Refuse(AnnotationRefusedException.Forbidden($"model {modelName} {modelVersion} belongs to {model.Owner}; only its owner submits it"), "not the owner");
        if (model.Protocol != phase.Protocol)
            throw await Refuse(AnnotationRefusedException.Invalid(
                $"model {modelName} {modelVersion} is for protocol {model.Protocol}; phase {phase.Id} scores protocol {phase.Protocol}"), "protocol");
        var now = DateTimeOffset.UtcNow;
        if (now < phase.Opens) throw await Refuse(AnnotationRefusedException.Conflict($"phase {phase.Id} opens at {phase.Opens:u}"), "not open yet");
        if (phase.Closes is { } closes && now >= closes) throw await Refuse(AnnotationRefusedException.Conflict($"phase {phase.Id} closed at {closes:u}"), "closed");
        var (id, refusal) = await store.AddEvaluationAsync(phase.Id, model.Name, model.Version, model.Sha256, actor.Name, now, phase.MaxSubmissions, phase.MaxPerDay,
            now.AddDays(-1), ct);
        if (id is not { } evaluationId) throw await Refuse(AnnotationRefusedException.Conflict(refusal!), "limit");
        await QueueAsync(evaluationId, phase.Project, ct);
        await AuditAsync(actor, AuditActions.EvaluationSubmit, resource, new { evaluation = evaluationId, model = model.Name, version = model.Version, sha256 = model.Sha256 });
        return (await store.GetAsync(evaluationId, ct))!;
    }

    async Task QueueAsync(long evaluationId, string project, CancellationToken ct)
    {
        var subject = $"evaluation:{evaluationId}";
        await jobs.EnqueueAsync([new JobRequest(RunJobKind, DedupeKey: subject, Project: project, Origin: "evaluation", Subject: subject,
            Payload: JsonSerializer.Serialize(new { evaluation = evaluationId }), MaxAttempts: 2, Resources: new JobResources(Cpus: Options.WorkerThreads))], ct);
        var job = (await jobs.Store.ListAsync(RunJobKind, project, null, ct: ct)).LastOrDefault(j => j.Subject == subject);
        if (job is not null) await store.SetJobAsync(evaluationId, job.Id, ct);
    }

    /// <summary>An evaluation the caller may read: its submitter, a steward or an admin (else 404).</summary>
    public async Task<EvaluationRecord> GetAsync(AnnotationActor actor, long id, CancellationToken ct = default)
    {
        var e = await store.GetAsync(id, ct);
        if (e is null || (e.Submitter != actor.Name && !actor.IsSteward)) throw AnnotationRefusedException.NotFound($"no evaluation {id}");
        return e;
    }

    /// <summary>The caller's evaluations (all, for stewards and admins), newest first.</summary>
    public Task<IReadOnlyList<EvaluationRecord>> ListAsync(AnnotationActor actor, string? phase, CancellationToken ct = default) =>
        store.ListAsync(phase, actor.IsSteward ? null : actor.Name, ct);

    /// <summary>The files of a finished evaluation's report folder.</summary>
    public static IReadOnlyList<string> ReportFileNames { get; } = [ReportFolder.ReportJsonName, ReportFolder.ReportHtmlName, ReportFolder.SignatureName];

    /// <summary>One file of an evaluation's signed report (its submitter, stewards, admins), audited.</summary>
    public async Task<byte[]> ReportFileAsync(AnnotationActor actor, long id, string file, CancellationToken ct = default)
    {
        var e = await GetAsync(actor, id, ct);
        if (!ReportFileNames.Contains(file)) throw AnnotationRefusedException.NotFound($"an evaluation report has no file '{file}' ({string.Join(", ", ReportFileNames)})");
        if (e.State != EvaluationStates.Succeeded) throw AnnotationRefusedException.Conflict($"evaluation {id} is {e.State}: it has no report");
        await AuditAsync(actor, AuditActions.EvaluationReport, $"evaluation:{id}", new { file });
        await using var s = blobs.OpenRead(BlobKeys.For("evaluations", id.ToString(System.Globalization.CultureInfo.InvariantCulture), file));
        using var m = new MemoryStream();
        await s.CopyToAsync(m, ct);
        return m.ToArray();
    }
}

/// <summary>How evaluation jobs run: the worker command (the host's <c>mira</c>), its limits, the signing key.</summary>
public sealed record EvaluationOptions
{
    /// <summary>The command that starts <c>mira</c> (e.g. its executable, or <c>dotnet mira.dll</c>); null: evaluation jobs fail saying so.</summary>
    public IReadOnlyList<string>? WorkerCommand { get; init; }
    public TimeSpan WorkerTimeout { get; init; } = TimeSpan.FromMinutes(30);
    public long WorkerMemoryBytes { get; init; } = 4L << 30;
    public int WorkerThreads { get; init; } = 2;
    /// <summary>Where model workers run: this machine (the default) or a Slurm cluster (docs/jobs.md).</summary>
    public Jobs.Executors.ExecutorOptions Executor { get; init; } = Jobs.Executors.ExecutorOptions.Local;
    /// <summary>The report signing key (default: <c>keys/evaluation-signing.pem</c> in the data folder).</summary>
    public string? SigningKeyPath { get; init; }
    public int BootstrapReplicates { get; init; } = 2000;
}
