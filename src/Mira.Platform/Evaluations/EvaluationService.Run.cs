using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mira.Platform.Audit;
using Mira.Platform.Evaluations.Engine;
using Mira.Platform.Jobs;
using Mira.Platform.Jobs.Executors;
using Mira.Platform.Models;
using Mira.Storage.Blobs;
using Mira.Storage.Evaluations;
using Mira.Storage.Security;

namespace Mira.Platform.Evaluations;

public sealed partial class EvaluationService
{
    const string Runner = "evaluation-runner";

    /// <summary>
    /// Runs one queued evaluation (the <c>evaluation.run</c> job): materialises the phase's test release into a private
    /// work folder (the only read of a sequestered release), extracts the model package, runs the model in a worker process,
    /// scores and signs (<see cref="EvaluationRunner"/>), stores the report files as blobs and records the score. A model
    /// that fails or breaks a limit fails its evaluation (not the job): the submitter reads a reason that names no case of a
    /// sequestered set; the worker's output goes to the job log, which submitters never see. Safe to run again.
    /// </summary>
    public async Task RunAsync(JobContext job, CancellationToken ct)
    {
        var id = JsonDocument.Parse(job.Job.Payload ?? "{}").RootElement.TryGetProperty("evaluation", out var v) && v.TryGetInt64(out var n)
            ? n : throw new InvalidDataException($"job {job.Job.Id} names no evaluation");
        var evaluation = await store.GetAsync(id, ct) ?? throw new InvalidDataException($"no evaluation {id}");
        if (evaluation.State is EvaluationStates.Succeeded or EvaluationStates.Failed) return;
        var phase = await store.GetPhaseAsync(evaluation.Phase ?? "", ct) ?? throw new InvalidDataException($"evaluation {id} has no phase");
        var release = await datasets.ReleaseForEvaluationAsync(phase.ReleaseId, ct) ?? throw new InvalidDataException($"phase {phase.Id}: its release is gone");
        var model = await models.Store.GetAsync(evaluation.ModelName, evaluation.ModelVersion, ct)
                    ?? throw new InvalidDataException($"evaluation {id}: model {evaluation.ModelName} {evaluation.ModelVersion} is gone");
        await store.SetRunningAsync(id, ct);
        var work = Path.Combine(dataFolder, "work", "evaluations", id.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            if (Options.WorkerCommand is not { Count: > 0 } command)
            {
                await FailAsync(job, evaluation, "this Mira has no model worker configured (mira serve sets one)", null, ct);
                return;
            }
            var testSet = Path.Combine(work, "test-set");
            await job.LogAsync($"materialising release {release.Id} ({release.Size} cases{(release.IsSequestered ? ", sequestered" : "")})", ct);
            await datasets.MaterialiseForEvaluationAsync(release.Id, testSet, Runner, ct);
            await audit.AppendAsync(new AuditEntry(Runner, AuditActions.EvaluationRun, $"release:{release.Id}", null, AuditOutcome.Success,
                JsonSerializer.Serialize(new { evaluation = id, phase = phase.Id, model = model.Name, version = model.Version, sha256 = model.Sha256 })), ct);
            var package = Path.Combine(work, "package");
            CanonicalPackageZip.Extract(await models.OpenAsync(model, ct), package);
            var output = Path.Combine(work, "report");
            var spec = PhaseSpec.FromJson(phase.SpecJson);
            var request = new EvaluationRunRequest(package, Path.Combine(testSet, "images"), Path.Combine(testSet, "labels"), Path.Combine(testSet, "cases.tsv"), output)
            {
                ReleaseId = release.Id, ReleaseHash = release.Id, RankingMetric = spec.RankingMetric, Created = DateTimeOffset.UtcNow,
                Limits = new ModelWorkerLimits(Options.WorkerTimeout, Options.WorkerMemoryBytes, true, Options.WorkerThreads).ForResources(job.Job.Resources),
                BootstrapReplicates = Options.BootstrapReplicates,
                // In the work folder (the data folder), not this machine's temp: a cluster's nodes write them there.
                Predictions = Path.Combine(work, "predictions"),
            };
            EvaluationRunResult result;
            try
            {
                await job.LogAsync($"running {model.Name} {model.Version} in a worker process ({Options.Executor.Kind.ToString().ToLowerInvariant()} executor)", ct);
                result = await new EvaluationRunner(ModelWorkers.Create(Options.Executor, command), SigningKeyPath).RunAsync(request, ct);
            }
            catch (ModelRunFailedException e)
            {
                await job.LogAsync("worker output:\n" + e.Worker.OutputTail, ct);
                await FailAsync(job, evaluation, e.Message + (release.IsSequestered ? "" : "; see the worker output in your offline run"), e, ct);
                return;
            }
            catch (EvaluationException e)
            {
                await FailAsync(job, evaluation, release.IsSequestered ? "the model's output could not be scored on the sequestered test set" : Sanitise(e.Message, work), e, ct);
                return;
            }
            foreach (var file in ReportFileNames)
                await blobs.WriteAsync(BlobKeys.For("evaluations", id.ToString(CultureInfo.InvariantCulture), file), await File.ReadAllBytesAsync(Path.Combine(output, file), ct), ct);
            var reportSha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(output, ReportFolder.ReportJsonName), ct)));
            var score = EvaluationSummaries.Score(result.Results, spec.RankingMetric);
            await store.FinishAsync(id, EvaluationStates.Succeeded, DateTimeOffset.UtcNow, double.IsFinite(score) ? score : null,
                EvaluationSummaries.ToJson(result, spec), reportSha, result.Signature.KeyId, null, ct);
            await job.LogAsync($"scored {result.Results.Cases} cases: {spec.RankingMetric} {score:0.####}; worker {result.Worker.Elapsed.TotalSeconds:0.0} s, scoring {result.Scoring.TotalSeconds:0.0} s", ct);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    async Task FailAsync(JobContext job, EvaluationRecord evaluation, string reason, Exception? e, CancellationToken ct)
    {
        if (e is not null) await job.LogAsync($"failed: {e.GetType().Name}: {e.Message}", ct);
        await store.FinishAsync(evaluation.Id, EvaluationStates.Failed, DateTimeOffset.UtcNow, null, null, null, null, reason, ct);
    }

    /// <summary>A message without the runner's private paths.</summary>
    static string Sanitise(string message, string work) => message.Replace(work, "…", StringComparison.Ordinal);
}

/// <summary>The platform's job kind that runs evaluations.</summary>
public sealed class EvaluationRunJob(EvaluationService evaluations) : IJobHandler
{
    public string Kind => EvaluationService.RunJobKind;

    public Task RunAsync(JobContext job, CancellationToken ct) => evaluations.RunAsync(job, ct);
}
