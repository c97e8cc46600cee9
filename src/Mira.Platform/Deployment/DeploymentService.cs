using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Intake;
using Mira.Platform.Jobs;
using Mira.Platform.Models;
using Mira.Platform.Security;
using Mira.Storage.Blobs;
using Mira.Storage.Deployments;
using Mira.Storage.Index;
using Mira.Storage.Jobs;
using Mira.Storage.Security;

namespace Mira.Platform.Deployment;

/// <summary>
/// Deployment (issue 19, <c>docs/deployment.md</c>): rules "when a series arrives from AE X (of modality M, body part B,
/// series description matching P), run model N@V and send the result to D". Arrival queues one job per rule and series
/// (<see cref="QueueOnArrivalAsync"/>, before the sender is answered), pushed back while instances keep coming so the
/// model sees the whole series; the job (<see cref="DeploymentInferenceJob"/>) checks the model's intended use, runs it
/// in a worker process, writes the result as a DICOM Segmentation referencing the source images and marked as made by
/// the model, stores it in the archive and sends it on. Stewards and admins keep the rules; every change, inference
/// and refusal is audited.
/// </summary>
public sealed partial class DeploymentService(DeploymentStore store, ModelRegistry models, IIndexStore index, IBlobStore blobs, IngestService ingest,
    ApplicationEntityService aes, JobService jobs, AuditLog audit, string dataFolder, Evaluations.EvaluationOptions workerOptions, DeploymentOptions options,
    AnnotationService? annotations = null, Research.ProjectService? projects = null, Datasets.DatasetService? datasets = null,
    Workitems.WorkitemService? workitems = null)
{
    /// <summary>The job kind of an inference of one rule on one series.</summary>
    public const string JobKind = "deployment.infer";

    public DeploymentStore Store => store;
    public DeploymentOptions Options => options;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex NamePattern();

    static bool MayManage(AnnotationActor actor) => actor.Roles.Contains(Roles.Admin) || actor.Roles.Contains(Roles.Steward);

    /// <summary>Adds a rule after checking it: the model version exists, the destination is a known AE or an http(s) URL, the pattern compiles.</summary>
    public async Task<DeploymentRecord> AddAsync(AnnotationActor actor, DeploymentRequest r, CancellationToken ct = default)
    {
        if (!MayManage(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not add deployments (stewards and admins do)");
        if (r.Name.Length > 64 || !NamePattern().IsMatch(r.Name))
            throw AnnotationRefusedException.Invalid($"deployment name '{r.Name}' must be lower case letters and digits in words joined by '-' (at most 64)");
        var at = r.Model.LastIndexOf('@');
        if (at <= 0 || at == r.Model.Length - 1) throw AnnotationRefusedException.Invalid($"model '{r.Model}' must be NAME@VERSION");
        var (modelName, modelVersion) = (r.Model[..at], r.Model[(at + 1)..]);
        if (await models.Store.GetAsync(modelName, modelVersion, ct) is null)
            throw AnnotationRefusedException.NotFound($"no model {modelName} version {modelVersion} in the registry (push it first: mira model push)");
        var destination = r.SendTo.Trim();
        if (destination.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || destination.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(destination, UriKind.Absolute, out _)) throw AnnotationRefusedException.Invalid($"destination '{destination}' is not a URL");
            destination = destination.TrimEnd('/');
        }
        else if (await aes.FindAsync(destination, ct) is null)
            throw AnnotationRefusedException.Invalid($"destination '{destination}' is not an AE of the AE table (mira ae add) nor a DICOMweb URL");
        if (r.FromAe is { Length: > 16 }) throw AnnotationRefusedException.Invalid($"AE title '{r.FromAe}' is longer than 16 characters (PS3.5 §6.2, AE)");
        if (r.SeriesPattern is { } pattern)
        {
            if (pattern.Length > 256) throw AnnotationRefusedException.Invalid("the series description pattern is longer than 256 characters");
            try { DeploymentMatching.Pattern(pattern); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw AnnotationRefusedException.Invalid($"series description pattern /{pattern}/: {e.Message}");
            }
        }
        if (r.OodThreshold is { } t && !(t is >= 0 and <= 1)) throw AnnotationRefusedException.Invalid($"out-of-distribution threshold {t} is not in [0, 1]");
        if (r.SettleSeconds is { } s && s is < 0 or > 3600) throw AnnotationRefusedException.Invalid($"settle time {s} s is not in 0…3600");
        var feedback = Blank(r.FeedbackProject);
        if (feedback is not null && (projects is null || await projects.Store.GetAsync(feedback, ct) is null))
            throw AnnotationRefusedException.Invalid($"feedback project '{feedback}' does not exist");
        var (oodReleases, oodProfile) = await OodProfileAsync(actor, r, modelName, modelVersion, ct);
        var record = new DeploymentRecord(r.Name, modelName, modelVersion, Blank(r.FromAe), Blank(r.Modality)?.ToUpperInvariant(), Blank(r.BodyPart)?.ToUpperInvariant(),
            Blank(r.SeriesPattern), destination, r.BlindFirstRead, r.OodThreshold,
            (int)(r.SettleSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Settle).TotalMilliseconds, true, actor.Name, DateTimeOffset.UtcNow,
            feedback) { OodReleases = oodReleases, OodProfile = oodProfile, ExternalPerformer = r.ExternalPerformer };
        if (!await store.AddAsync(record, ct)) throw AnnotationRefusedException.Conflict($"a deployment named '{r.Name}' exists (remove it first)");
        await AuditAsync(actor.Name, AuditActions.DeploymentAdd, $"deployment:{r.Name}", AuditOutcome.Success, record with { OodProfile = null });
        return record;
    }

    public async Task<bool> RemoveAsync(AnnotationActor actor, string name, CancellationToken ct = default)
    {
        if (!MayManage(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not remove deployments (stewards and admins do)");
        var removed = await store.RemoveAsync(name, ct);
        if (removed) await AuditAsync(actor.Name, AuditActions.DeploymentRemove, $"deployment:{name}", AuditOutcome.Success, new { name });
        return removed;
    }

    public async Task<IReadOnlyList<DeploymentRecord>> ListAsync(AnnotationActor actor, CancellationToken ct = default)
    {
        if (!MayManage(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not list deployments (stewards and admins do)");
        return await store.ListAsync(ct);
    }

    /// <summary>A deployment's results (or every one's), newest first, for stewards and admins; audited (they name studies).</summary>
    public async Task<IReadOnlyList<DeploymentResultRecord>> ResultsAsync(AnnotationActor actor, string? deployment, string? study = null, CancellationToken ct = default)
    {
        if (!MayManage(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not list deployment results (stewards and admins do)");
        var results = await store.ListResultsAsync(deployment, study, ct: ct);
        await AuditAsync(actor.Name, AuditActions.DeploymentResults, deployment is null ? "deployments" : $"deployment:{deployment}", AuditOutcome.Success,
            new { count = results.Count, study });
        return results;
    }

    /// <summary>
    /// The deployment hook of the intake: for every enabled rule whose AE is <paramref name="callingAe"/> (or that names
    /// none), one job per series among <paramref name="stored"/>, due once the rule's settle time has passed without
    /// another instance of that series (each arrival pushes it back: same job, later start). Written before the sender is
    /// answered, so an acknowledged instance is never without its inference. Returns the jobs written.
    /// </summary>
    public async Task<int> QueueOnArrivalAsync(string? callingAe, IReadOnlyList<StoredInstance> stored, CancellationToken ct = default)
    {
        if (stored.Count == 0) return 0;
        var rules = await store.ForSourceAsync(callingAe, ct);
        if (rules.Count == 0) return 0;
        var now = DateTimeOffset.UtcNow;
        var series = stored.DistinctBy(s => s.SeriesInstanceUid).ToList();
        var requests = rules.SelectMany(rule => series.Select(s => new JobRequest(JobKind, $"{JobKind}:{rule.Name}:{s.SeriesInstanceUid}", null,
            callingAe is null ? "upload" : $"ae:{callingAe}", s.SeriesInstanceUid,
            JsonSerializer.Serialize(new InferencePayload(rule.Name, s.StudyInstanceUid, s.SeriesInstanceUid, callingAe)),
            MaxAttempts: 3, Resources: new JobResources(Cpus: Math.Max(1, workerOptions.WorkerThreads)),
            NotBefore: now + TimeSpan.FromMilliseconds(rule.SettleMilliseconds)))).ToList();
        return await jobs.EnqueueAsync(requests, ct);
    }

    /// <summary>
    /// The out-of-distribution profile of a new rule: built from the releases the request names, else from the model card's
    /// training releases; none (the guard is off) when there are neither. A release that cannot be read refuses the rule.
    /// </summary>
    async Task<(string? Releases, string? Profile)> OodProfileAsync(AnnotationActor actor, DeploymentRequest r, string modelName, string modelVersion,
        CancellationToken ct)
    {
        var ids = r.OodReleases is { Count: > 0 } given ? given : null;
        if (ids is null)
        {
            var model = await models.Store.GetAsync(modelName, modelVersion, ct);
            var card = model is null ? null : Inference.Manifest.ModelManifestReader.Read(model.ManifestJson).Card;
            if (card is { TrainingReleases.Count: > 0 }) ids = card.TrainingReleases;
        }
        if (ids is null) return (null, null);
        if (datasets is null || projects is null) throw new InvalidOperationException("the deployment service has no dataset access for out-of-distribution profiles");
        try
        {
            var profile = await new Ood.TrainingProfileBuilder(datasets, projects.Archives, audit).BuildAsync(ids, actor.Name, ct: ct);
            return (string.Join(",", ids), Ood.TrainingProfileJson.ToJson(profile));
        }
        catch (Exception e) when (e is Datasets.DatasetRefusedException or Ood.OodException or AnnotationRefusedException)
        {
            throw AnnotationRefusedException.Invalid($"out-of-distribution profile of release(s) {string.Join(", ", ids)}: {e.Message}");
        }
    }

    Task AuditAsync(string actor, string action, string resource, AuditOutcome outcome, object details) =>
        audit.AppendAsync(new AuditEntry(actor, action, resource, null, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    static string Invariant(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>What a <see cref="DeploymentService.JobKind"/> job works on.</summary>
public sealed record InferencePayload(string Deployment, string Study, string Series, string? CallingAe);

/// <summary>The job kind <c>deployment.infer</c>.</summary>
public sealed class DeploymentInferenceJob(DeploymentService deployments) : IJobHandler
{
    public string Kind => DeploymentService.JobKind;

    public Task RunAsync(JobContext job, CancellationToken ct) => deployments.RunAsync(job, ct);
}
