using System.Diagnostics;
using Mira.Inference.Manifest;
using Mira.Inference.Packages;
using Mira.Platform.Evaluations.Engine;

namespace Mira.Platform.Evaluations;

/// <summary>What an evaluation ran on and where its report goes.</summary>
/// <param name="Package">the model package (folder or zip).</param>
/// <param name="Images">one DICOM series per case, in <c>images/&lt;case&gt;/</c>.</param>
/// <param name="Labels">the reference label maps, <c>&lt;case&gt;.nii.gz</c> (segmentation).</param>
/// <param name="CasesTsv">patients and subgroup fields per case, or null.</param>
/// <param name="Output">the report folder: report.json, report.html, signature.json and nothing else.</param>
public sealed record EvaluationRunRequest(string Package, string Images, string? Labels, string? CasesTsv, string Output)
{
    public string ReleaseId { get; init; } = "offline";
    public string? ReleaseHash { get; init; }
    public string? RankingMetric { get; init; }
    public ModelWorkerLimits Limits { get; init; } = ModelWorkerLimits.Default;
    public DateTimeOffset Created { get; init; } = DateTimeOffset.UtcNow;
    public int BootstrapReplicates { get; init; } = 2000;
    /// <summary>Where the worker's predictions are kept (label maps, probabilities, predictions.json); null: a temporary folder, deleted.</summary>
    public string? Predictions { get; init; }
}

/// <summary>What an evaluation produced: the results, the signed report's files and how long each part took.</summary>
/// <param name="InferenceSeconds">ONNX Runtime's own time over all cases (the worker's predictions.json).</param>
public sealed record EvaluationRunResult(EvaluationResults Results, ModelPackage Package, SignatureManifest Signature, ModelWorkerResult Worker,
    TimeSpan Total, TimeSpan Scoring, double InferenceSeconds);

/// <summary>
/// One code path for every evaluation (docs/evaluation.md): the platform's evaluation job and <c>mira eval offline</c>
/// both come here. The model runs in a separate worker process (<see cref="IModelWorker"/>: no network, time and
/// memory limits) over the test set's images; its predictions are scored against the references by
/// <see cref="EvaluationEngine"/>; the report (JSON + HTML) is written and signed over the hashes of the release, the
/// model package, the evaluator version and the results.
/// </summary>
public sealed class EvaluationRunner(IModelWorker worker, string signingKeyPath)
{
    public async Task<EvaluationRunResult> RunAsync(EvaluationRunRequest request, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        if (File.Exists(request.Output) || (Directory.Exists(request.Output) && Directory.EnumerateFileSystemEntries(request.Output).Any()))
            throw new EvaluationException($"{request.Output}: the report folder must be new or empty");
        ModelPackage package;
        try { package = ModelPackage.Open(request.Package); }
        catch (Mira.Inference.ModelPackageException e) { throw new EvaluationException($"{request.Package}: {e.Message}"); }
        var manifest = package.Manifest;
        var classification = manifest.Task == ModelTasks.Classification;
        var cases = TestSetFolder.Read(request.Images, request.Labels, request.CasesTsv, classification);

        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "mira-eval-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var predictions = request.Predictions is { } keep ? Path.GetFullPath(keep) : Path.Combine(work, "predictions");
            var run = await worker.RunAsync(Path.GetFullPath(request.Package), Path.GetFullPath(request.Images), predictions, request.Limits, ct);
            if (!run.Succeeded)
                throw new ModelRunFailedException(run.StoppedBecause is { } why
                    ? $"the model worker was stopped: {why}"
                    : $"the model worker failed (exit code {run.ExitCode})", run);
            var produced = PredictionFolder.Read(predictions);
            var scoring = Stopwatch.StartNew();
            var spec = SpecFor(manifest, request);
            var evaluationCases = Paired(cases, produced, classification, request.Labels);
            var results = EvaluationEngine.Evaluate(evaluationCases, spec);
            scoring.Stop();
            var provenance = new ReportProvenance(request.ReleaseId, request.ReleaseHash ?? TestSetHash.Of(request.Images, request.Labels, request.CasesTsv),
                manifest.Name, manifest.Version, package.Sha256, request.Created);
            using var signer = ReportSigner.OpenOrCreate(signingKeyPath);
            var signature = EvaluationReport.Write(request.Output, results, provenance, signer);
            return new EvaluationRunResult(results, package, signature, run, clock.Elapsed, scoring.Elapsed, produced.InferenceSeconds);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    static EvaluationSpec SpecFor(ModelManifest m, EvaluationRunRequest request)
    {
        if (m.Task == ModelTasks.Classification)
            return new EvaluationSpec(EvaluationTask.Classification, [.. (m.Output.Classes ?? []).Select(c => new EvaluationLabel(c.Index, c.Name))])
            { RankingMetric = request.RankingMetric, BootstrapReplicates = request.BootstrapReplicates };
        if (m.Task != ModelTasks.Segmentation) throw new EvaluationException($"model task '{m.Task}' is not evaluated by Mira yet (segmentation and classification are)");
        var labels = m.Output.Labels.Where(l => l.Value != 0).Select(l => new EvaluationLabel(l.Value, l.Name)).ToList();
        if (labels.Count == 0) throw new EvaluationException($"model {m.Name} {m.Version} declares no non-zero output label to score");
        return new EvaluationSpec(EvaluationTask.Segmentation, labels) { RankingMetric = request.RankingMetric, BootstrapReplicates = request.BootstrapReplicates };
    }

    /// <summary>The worker's predictions paired with the test set's references; every case of the test set must be there.</summary>
    static IReadOnlyList<EvaluationCase> Paired(IReadOnlyList<TestSetCase> cases, PredictionFolder produced, bool classification, string? labels)
    {
        var missing = cases.Select(c => c.CaseId).Except(produced.CaseIds, StringComparer.Ordinal).ToList();
        if (missing.Count > 0) throw new EvaluationException($"the model worker reported nothing for {missing.Count} case(s): {string.Join(", ", missing.Take(5))}");
        var info = cases.ToDictionary(c => c.CaseId, c => new CaseInfo(c.PatientKey, c.Fields), StringComparer.Ordinal);
        return classification
            ? produced.ClassificationCases(cases.ToDictionary(c => c.CaseId, c => (info[c.CaseId], c.ReferenceClass!.Value), StringComparer.Ordinal))
            : produced.SegmentationCases(labels!, info);
    }
}

/// <summary>The model worker did not finish: its result (exit code, limits, output tail) for the operator's log.</summary>
public sealed class ModelRunFailedException(string message, ModelWorkerResult worker) : Exception(message)
{
    public ModelWorkerResult Worker { get; } = worker;
}
