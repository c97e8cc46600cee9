using System.Text.Json;
using Mira.Annotations.Reads;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Audit;
using Mira.Platform.Evaluations;
using Mira.Platform.Intake;
using Mira.Platform.Jobs;
using Mira.Platform.Jobs.Executors;
using Mira.Platform.Models;
using Mira.Storage.Deployments;
using Mira.Storage.Index;
using Mira.Storage.Models;
using Mira.Storage.Security;

namespace Mira.Platform.Deployment;

public sealed partial class DeploymentService
{
    /// <summary>The job's actor in the audit log.</summary>
    public const string Runner = "deployment";


    /// <summary>
    /// One attempt at an inference (<see cref="JobKind"/>). Done without a result when the rule is gone or disabled, the
    /// series is gone or does not match the rule's filters; refused (recorded, audited, nothing run) when the model's
    /// intended use does not cover the series. Otherwise the model runs in a worker process and its Segmentation is
    /// stored and sent. Throws when an attempt failed (the job retries; the result row says why meanwhile).
    /// </summary>
    internal async Task RunAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        var p = JsonSerializer.Deserialize<InferencePayload>(job.Payload ?? "null") ?? throw new InvalidOperationException($"job {job.Id} has no payload");
        var rule = await store.GetAsync(p.Deployment, ct);
        if (rule is not { Enabled: true })
        {
            await context.LogAsync($"nothing to do: deployment '{p.Deployment}' was removed or disabled", ct);
            return;
        }
        var inputs = (await index.FindInstancesAsync(p.Study, p.Series, ct)).OrderBy(i => i.SopInstanceUid, StringComparer.Ordinal).ToList();
        if (inputs.Count == 0)
        {
            await context.LogAsync($"nothing to do: series {p.Series} is no longer in the archive", ct);
            return;
        }
        var model = await models.Store.GetAsync(rule.ModelName, rule.ModelVersion, ct)
            ?? throw new InvalidOperationException($"model {rule.ModelName}@{rule.ModelVersion} is no longer in the registry");
        var key = InferenceResults.Key(rule.Name, model.Sha256, inputs);
        var now = DateTimeOffset.UtcNow;
        var result = new DeploymentResultRecord(key, rule.Name, job.Id, p.Study, p.Series, null, model.Name, model.Version, model.Sha256,
            DeploymentResultStates.Failed, null, null, null, rule.Destination, null, false, null, ReviewStates.Pending, null, null, null, null, now, now);
        if (inputs.Count > options.MaxSeriesInstances)
        {
            await RefuseAsync(context, result, $"series {p.Series} has {inputs.Count} instances, more than the {options.MaxSeriesInstances} a deployment runs on");
            return;
        }
        var headers = new List<DicomDataset>(inputs.Count);
        foreach (var i in inputs) headers.Add(await HeaderAsync(i, ct));
        var first = headers[0];
        result = result with { Modality = first.GetString(DicomTags.Modality) };
        if (DeploymentMatching.Mismatch(rule, first) is { } mismatch)
        {
            await context.LogAsync($"not for deployment '{rule.Name}': {mismatch}", ct);
            return;
        }
        var package = await models.OpenAsync(model, ct);
        if (IntendedUse.Refusal(package.Manifest, first, inputs.Count) is { } refusal)
        {
            await RefuseAsync(context, result, refusal);
            return;
        }
        result = await WorkitemAsync(rule, result, key, ct);
        if (rule.ExternalPerformer)
        {
            result = result with { State = DeploymentResultStates.External, Reason = $"UPS work item {result.WorkitemUid} is on worklist '{rule.Name}' for an outside performer" };
            await store.SaveResultAsync(result, CancellationToken.None);
            await AuditAsync(Runner, AuditActions.DeploymentInfer, $"deployment:{rule.Name}", AuditOutcome.Success,
                new { job = job.Id, result = key, study = p.Study, series = p.Series, model = $"{model.Name}@{model.Version}", workitem = result.WorkitemUid, state = result.State });
            await context.LogAsync(result.Reason!, ct);
            return;
        }
        var work = Path.Combine(dataFolder, "work", "deployments", $"job-{job.Id}-{context.Attempt}");
        try
        {
            result = await GuardAsync(context, rule, result, inputs, ct);
            var (seg, answer) = await InferAsync(context, rule, model, package, key, inputs, headers, work, result.OodFlagged, ct);
            result = seg is null
                ? result with { State = DeploymentResultStates.NoFinding, Reason = "the model found none of its labels: nothing was sent", Updated = DateTimeOffset.UtcNow }
                : result with { State = DeploymentResultStates.Sent, Reason = answer, ResultSeriesUid = seg.Value.SeriesUid, ResultSopUid = seg.Value.SopUid, Updated = DateTimeOffset.UtcNow };
            if (workitems is not null && result.WorkitemUid is { } uid)
                await workitems.CompleteAsync(uid, InferenceResults.Uid(key, "ups-transaction"), seg is { } s
                    ? [new Workitems.WorkitemOutput(p.Study, s.SeriesUid, Mira.Dicom.DicomUids.SegmentationStorage, s.SopUid, $"{options.RetrieveBaseUrl.TrimEnd('/')}/studies/{p.Study}/series/{s.SeriesUid}")]
                    : [], Workitems.WorkitemActor.System, ct);
            await store.SaveResultAsync(result, CancellationToken.None);
            await AuditAsync(Runner, AuditActions.DeploymentInfer, $"deployment:{rule.Name}", AuditOutcome.Success,
                new { job = job.Id, result = key, study = p.Study, series = p.Series, model = $"{model.Name}@{model.Version}", sha256 = model.Sha256, state = result.State, sent = answer, workitem = result.WorkitemUid });
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await store.SaveResultAsync(result with { State = DeploymentResultStates.Failed, Reason = e.Message, Updated = DateTimeOffset.UtcNow }, CancellationToken.None);
            await AuditAsync(Runner, AuditActions.DeploymentInfer, $"deployment:{rule.Name}", AuditOutcome.Failure,
                new { job = job.Id, attempt = context.Attempt, result = key, study = p.Study, series = p.Series, error = e.Message });
            throw;
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Runs the model on the series, writes its Segmentation, stores it and sends it; null when the model found nothing.</summary>
    async Task<((string SeriesUid, string SopUid)? Seg, string? Answer)> InferAsync(JobContext context, DeploymentRecord rule, ModelRecord model,
        Inference.Packages.ModelPackage package, string key, IReadOnlyList<StoredInstance> inputs, IReadOnlyList<DicomDataset> headers, string work,
        bool outsideValidatedRange, CancellationToken ct)
    {
        var manifest = package.Manifest;
        var predictions = await RunWorkerAsync(context, package, $"{model.Name} {model.Version}", blobs, inputs, work, ct);
        var labelMap = predictions.LabelMapOf(SeriesCase) ?? throw new InvalidOperationException($"the model wrote no label map for the series");
        var grid = ImageGrid.FromSeries(headers);
        var masks = InferenceResults.ReadLabelMap(labelMap, grid, manifest);
        var seg = InferenceResults.Segmentation(key, manifest, model.Sha256, grid, masks, outsideValidatedRange);
        if (seg is not { } written)
        {
            await context.LogAsync("the model found none of its labels: nothing to send", ct);
            return (null, null);
        }
        var stored = await ingest.StoreAsync(written.Part10, new IngestSource("deployment", rule.Name, Runner), ct);
        if (!stored.IsSuccess) throw new InvalidOperationException($"the result could not be stored in the archive: {stored.Reason}");
        await context.LogAsync($"result {written.SopUid} {(stored.Outcome == StoreOutcome.AlreadyStored ? "was already" : "is")} in the archive", ct);
        var sender = new ResultSender(aes, options);
        var answer = await sender.SendAsync(rule.Destination, written.Part10, Mira.Dicom.DicomUids.SegmentationStorage, written.SopUid, ct);
        await context.LogAsync(answer, ct);
        // The measurement report (TID 1500) beside it: the volume of each label, referencing the Segmentation.
        var sr = InferenceResults.MeasurementReport(key, manifest, model.Sha256, headers, grid, masks, written.SeriesUid, written.SopUid);
        var storedSr = await ingest.StoreAsync(sr.Part10, new IngestSource("deployment", rule.Name, Runner), ct);
        if (!storedSr.IsSuccess) throw new InvalidOperationException($"the measurement report could not be stored in the archive: {storedSr.Reason}");
        await context.LogAsync("measurement report: " + await sender.SendAsync(rule.Destination, sr.Part10, Mira.Dicom.DicomUids.Comprehensive3DSRStorage, sr.SopUid, ct), ct);
        return ((written.SeriesUid, written.SopUid), answer);
    }

    /// <summary>
    /// The out-of-distribution guard, when the rule has a profile: the series scored against it (acquisition parameters,
    /// geometry, intensity histogram), the verdict logged and kept with the result; a flagged result still runs and is
    /// sent, marked outside the validated range.
    /// </summary>
    async Task<DeploymentResultRecord> GuardAsync(JobContext context, DeploymentRecord rule, DeploymentResultRecord result, IReadOnlyList<StoredInstance> inputs,
        CancellationToken ct)
    {
        if (rule.OodProfile is not { } json) return result;
        var profile = Ood.TrainingProfileJson.FromJson(json);
        var verdict = await Ood.OodGuard.ScoreAsync(profile, blobs, inputs, new Ood.OodOptions { Threshold = rule.OodThreshold ?? Ood.OodOptions.Default.Threshold }, ct);
        await context.LogAsync($"out-of-distribution score {verdict.Score:0.000} (threshold {verdict.Threshold:0.###})" +
            (verdict.OutsideValidatedRange ? $": {Ood.OodResult.Flag}: {string.Join("; ", verdict.Reasons)}" : ""), ct);
        return result with
        {
            OodScore = verdict.Score, OodFlagged = verdict.OutsideValidatedRange, OodReasons = verdict.Reasons.Count == 0 ? null : string.Join("; ", verdict.Reasons),
            OodDetail = Ood.OodScorer.ToJson(verdict),
        };
    }

    /// <summary>The case name of the one series a deployment or pre-fill worker runs on.</summary>
    const string SeriesCase = "series";

    /// <summary>
    /// Runs a model package on one series in a worker of the configured executor (local process or Slurm job: mira serve
    /// --executor), with the job's resources: the series' files written under <paramref name="work"/>, the package
    /// extracted beside them, <c>mira model run</c>, its predictions read. Throws when the worker failed (its output goes
    /// to the job log). Deployments and pre-annotation both come here.
    /// </summary>
    async Task<PredictionFolder> RunWorkerAsync(JobContext context, Inference.Packages.ModelPackage package, string model, Storage.Blobs.IBlobStore source,
        IReadOnlyList<StoredInstance> inputs, string work, CancellationToken ct)
    {
        var images = Directory.CreateDirectory(Path.Combine(work, "images", SeriesCase)).FullName;
        foreach (var i in inputs)
        {
            await using var s = source.OpenRead(i.BlobKey);
            await using var f = File.Create(Path.Combine(images, i.SopInstanceUid + ".dcm"));
            await s.CopyToAsync(f, ct);
        }
        CanonicalPackageZip.Extract(package, Path.Combine(work, "package"));
        var worker = workerOptions.WorkerCommand is { Count: > 0 } command ? ModelWorkers.Create(workerOptions.Executor, command)
            : throw new InvalidOperationException("this Mira has no model worker configured (mira serve sets one)");
        var output = Path.Combine(work, "output");
        await context.LogAsync($"running {model} on series {inputs[0].SeriesInstanceUid} ({inputs.Count} instances) in a worker " +
            $"({workerOptions.Executor.Kind.ToString().ToLowerInvariant()} executor)", ct);
        var run = await worker.RunAsync(Path.Combine(work, "package"), Path.Combine(work, "images"), output,
            new ModelWorkerLimits(workerOptions.WorkerTimeout, workerOptions.WorkerMemoryBytes, true, workerOptions.WorkerThreads).ForResources(context.Job.Resources), ct);
        if (!run.Succeeded)
        {
            await context.LogAsync("worker output:\n" + run.OutputTail, CancellationToken.None);
            throw new InvalidOperationException($"the model worker {run.StoppedBecause ?? $"exited with code {run.ExitCode}"}");
        }
        var predictions = PredictionFolder.Read(output);
        await context.LogAsync($"worker done in {run.Elapsed.TotalSeconds:0.00} s (ONNX Runtime {predictions.InferenceSeconds:0.00} s)", ct);
        return predictions;
    }

    /// <summary>The code of the work items deployments create (Scheduled Workitem Code Sequence).</summary>
    public static Workitems.WorkitemCode InferenceCode { get; } = new("AI-INFERENCE", "99MIRA", "AI inference");

    /// <summary>
    /// The inference's UPS work item (IHE AIW-I), its UID and Mira's Transaction UID derived from the inference's key, so a
    /// retried job finds the item it made: created on the worklist named after the rule, and claimed by Mira unless the
    /// rule leaves the work to outside performers.
    /// </summary>
    async Task<DeploymentResultRecord> WorkitemAsync(DeploymentRecord rule, DeploymentResultRecord result, string key, CancellationToken ct)
    {
        if (workitems is null) return result;
        var uid = InferenceResults.Uid(key, "ups");
        try
        {
            await workitems.CreateAsync(new Workitems.WorkitemRequest(result.StudyInstanceUid, [result.SeriesInstanceUid], options.RetrieveBaseUrl, InferenceCode,
                rule.Name, $"{result.ModelName}@{result.ModelVersion}") { Uid = uid }, Workitems.WorkitemActor.System, ct);
        }
        catch (Workitems.WorkitemRefusedException e) when (e.Kind == Workitems.WorkitemRefusalKind.Conflict)
        {
            // Made by an earlier attempt of the same inference.
        }
        if (!rule.ExternalPerformer)
        {
            try
            {
                await workitems.ClaimAsync(uid, InferenceResults.Uid(key, "ups-transaction"), Workitems.WorkitemActor.System, ct);
            }
            catch (Workitems.WorkitemRefusedException e) when (e.Kind == Workitems.WorkitemRefusalKind.Conflict)
            {
                // Claimed by an earlier attempt (the same Transaction UID carries on).
            }
        }
        return result with { WorkitemUid = uid };
    }

    async Task RefuseAsync(JobContext context, DeploymentResultRecord result, string reason)
    {
        await store.SaveResultAsync(result with { State = DeploymentResultStates.Refused, Reason = reason, Updated = DateTimeOffset.UtcNow }, CancellationToken.None);
        await AuditAsync(Runner, AuditActions.DeploymentInfer, $"deployment:{result.Deployment}", AuditOutcome.Failure,
            new { job = context.Job.Id, result = result.Id, study = result.StudyInstanceUid, series = result.SeriesInstanceUid, refused = reason });
        await context.LogAsync($"refused: {reason}", CancellationToken.None);
    }

    /// <summary>An instance's data set up to its pixel data, read from the blob's stream (the pixels are not read).</summary>
    async Task<DicomDataset> HeaderAsync(StoredInstance i, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        await using var s = blobs.OpenRead(i.BlobKey);
        return DicomFile.Read(s, new DicomReadOptions { StopBeforePixelData = true }).Dataset;
    }
}
