using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Jobs;
using Mira.Platform.Models;
using Mira.Storage.Deployments;
using Mira.Storage.Jobs;
using Mira.Storage.Security;

namespace Mira.Platform.Deployment;

/// <summary>
/// Pre-annotation and active learning (docs/deployment.md, "Pre-annotation"): a project attaches a model; every task
/// created in it afterwards gets a job (<see cref="PrefillJobKind"/>) that runs the model on the task's (de-identified)
/// series and adds its output to the task as a version flagged as the model's (role import, tool <c>model-prefill</c>),
/// with the model's uncertainty on the case (<see cref="Uncertainty"/>), by which annotators' queues can be ordered.
/// </summary>
public sealed partial class DeploymentService
{
    public const string PrefillJobKind = "annotation.prefill";

    /// <summary>Attaches a model version to a project for pre-annotation (stewards and admins); audited.</summary>
    public async Task<ProjectModelRecord> AttachModelAsync(AnnotationActor actor, string project, string model, CancellationToken ct = default)
    {
        if (!MayManage(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not attach models to projects (stewards and admins do)");
        if (projects is null || await projects.Store.GetAsync(project, ct) is null) throw AnnotationRefusedException.NotFound($"no project {project}");
        var at = model.LastIndexOf('@');
        if (at <= 0 || at == model.Length - 1) throw AnnotationRefusedException.Invalid($"model '{model}' must be NAME@VERSION");
        var record = await models.Store.GetAsync(model[..at], model[(at + 1)..], ct)
            ?? throw AnnotationRefusedException.NotFound($"no model {model[..at]} version {model[(at + 1)..]} in the registry");
        if (record.Task != Inference.Manifest.ModelTasks.Segmentation)
            throw AnnotationRefusedException.Invalid($"{record.Name}@{record.Version} is a {record.Task} model: pre-annotation pre-fills masks and needs a segmentation model");
        var attached = new ProjectModelRecord(project, record.Name, record.Version, actor.Name, DateTimeOffset.UtcNow);
        await store.SetProjectModelAsync(attached, ct);
        await AuditAsync(actor.Name, AuditActions.ProjectModel, $"project:{project}", AuditOutcome.Success, new { model = $"{record.Name}@{record.Version}", sha256 = record.Sha256 });
        return attached;
    }

    /// <summary>The hook of <see cref="AnnotationService.TasksCreated"/>: a pre-fill job per new task when the project has a model.</summary>
    public async Task QueuePrefillAsync(string project, IReadOnlyList<long> tasks, CancellationToken ct)
    {
        if (tasks.Count == 0 || await store.GetProjectModelAsync(project, ct) is not { } attached) return;
        await jobs.EnqueueAsync([.. tasks.Select(t => new JobRequest(PrefillJobKind, $"{PrefillJobKind}:{t}", project, $"model:{attached.ModelName}@{attached.ModelVersion}",
            t.ToString(System.Globalization.CultureInfo.InvariantCulture), MaxAttempts: 3, Resources: new JobResources(Cpus: Math.Max(1, workerOptions.WorkerThreads))))], ct);
    }

    /// <summary>The pre-annotation state of tasks (for queues ordered by uncertainty).</summary>
    public Task<IReadOnlyList<TaskPredictionRecord>> TaskPredictionsAsync(IReadOnlyCollection<long> tasks, CancellationToken ct = default) =>
        store.TaskPredictionsAsync(tasks, ct);

    /// <summary>One attempt at pre-filling a task: the model on the task's series in a worker, its label map as an import version, its uncertainty.</summary>
    internal async Task RunPrefillAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var taskId = long.Parse(job.Subject ?? throw new InvalidOperationException($"job {job.Id} names no task"), System.Globalization.CultureInfo.InvariantCulture);
        if (annotations is null || projects is null) throw new InvalidOperationException("the deployment service has no annotation access");
        var task = await annotations.Store.GetTaskAsync(taskId, ct);
        var attached = job.Project is null ? null : await store.GetProjectModelAsync(job.Project, ct);
        if (task is null || attached is null)
        {
            await context.LogAsync(task is null ? $"nothing to do: task {taskId} no longer exists" : "nothing to do: the project detached its model", ct);
            return;
        }
        var model = await models.Store.GetAsync(attached.ModelName, attached.ModelVersion, ct)
            ?? throw new InvalidOperationException($"model {attached.ModelName}@{attached.ModelVersion} is no longer in the registry");
        var package = await models.OpenAsync(model, ct);
        var archive = await projects.Archives.GetAsync(task.Project);
        var inputs = (await archive.Index.FindInstancesAsync(task.StudyUid, task.SeriesUid, ct)).OrderBy(i => i.SopInstanceUid, StringComparer.Ordinal).ToList();
        var name = $"{model.Name}@{model.Version}";
        async Task RecordAsync(string state, double? uncertainty, string? reason) =>
            await store.SaveTaskPredictionAsync(new TaskPredictionRecord(taskId, model.Name, model.Version, state, uncertainty, reason, DateTimeOffset.UtcNow), CancellationToken.None);
        if (inputs.Count == 0 || task.SeriesUid is null)
        {
            await RecordAsync("failed", null, "the task has no single series of images");
            return;
        }
        var first = (await StoredObjects.ReadAsync(archive.Blobs, inputs[0], ct)).Dataset;
        if (IntendedUse.Refusal(package.Manifest, first, inputs.Count) is { } refusal)
        {
            await RecordAsync("refused", null, refusal);
            await context.LogAsync("refused: " + refusal, ct);
            return;
        }
        var protocol = (await annotations.Protocols.GetAsync(task.Protocol, task.ProtocolVersion, ct))?.Protocol;
        var mismatch = package.Manifest.Output.Labels.FirstOrDefault(l => protocol?.LabelByValue(l.Value)?.Name != l.Name);
        if (mismatch is not null)
        {
            var why = $"{name} labels value {mismatch.Value} '{mismatch.Name}', which is not that label of protocol {task.Protocol}" +
                (protocol?.LabelByValue(mismatch.Value) is { } other ? $" (value {mismatch.Value} is '{other.Name}')" : "");
            await RecordAsync("refused", null, why);
            await context.LogAsync("refused: " + why, ct);
            return;
        }
        var work = Path.Combine(dataFolder, "work", "prefill", $"job-{job.Id}-{context.Attempt}");
        try
        {
            await context.LogAsync($"pre-filling task {taskId} with {name}", ct);
            var predictions = await RunWorkerAsync(context, package, name, archive.Blobs, inputs, work, ct);
            var labelMap = predictions.LabelMapOf(SeriesCase) ?? throw new InvalidOperationException("the model wrote no label map");
            var uncertainty = predictions.ProbabilityOf(SeriesCase) is { } prob ? Uncertainty(NiftiVolumes.ReadVolume(prob)) : (double?)null;
            var version = await annotations.AddPrefillAsync(taskId, name, await File.ReadAllBytesAsync(labelMap, ct), ct);
            await RecordAsync("done", uncertainty, null);
            await context.LogAsync($"version {version} of task {taskId} is {name}'s pre-fill" + (uncertainty is { } u ? $"; uncertainty {u:0.0000} bits" : ""), ct);
        }
        catch (AnnotationRefusedException e)
        {
            // The model's labels are not the task protocol's: retrying will not help.
            await RecordAsync("refused", null, e.Message);
            await context.LogAsync("refused: " + e.Message, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await RecordAsync("failed", null, e.Message);
            throw;
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Voxels at or above this foreground probability count as the region the model considered.</summary>
    public const double UncertaintyFloor = 0.01;

    /// <summary>
    /// A case's uncertainty: the mean binary entropy H(p) = −p log₂ p − (1 − p) log₂(1 − p), in bits, of the foreground
    /// probability over the voxels where p ≥ <see cref="UncertaintyFloor"/> (the region the model considered at all:
    /// averaging over the whole volume would let its size drown the boundary); 0 when there is no such voxel. 1 bit is
    /// a coin toss everywhere in that region, 0 certainty.
    /// </summary>
    public static double Uncertainty(Volume probability)
    {
        double sum = 0;
        long n = 0;
        for (long i = 0; i < probability.VoxelCount; i++)
        {
            var p = probability.GetValue(i);
            if (!(p >= UncertaintyFloor)) continue;
            n++;
            if (p >= 1) continue;
            sum += -p * Math.Log2(p) - (1 - p) * Math.Log2(1 - p);
        }
        return n == 0 ? 0 : sum / n;
    }
}

/// <summary>The job kind <c>annotation.prefill</c>.</summary>
public sealed class PrefillJob(DeploymentService deployments) : IJobHandler
{
    public string Kind => DeploymentService.PrefillJobKind;

    public Task RunAsync(JobContext job, CancellationToken ct) => deployments.RunPrefillAsync(job, ct);
}
