using System.CommandLine;
using System.Globalization;
using Mira.Platform.Evaluations;
using Mira.Platform.Evaluations.Engine;
using Mira.Platform.Jobs.Executors;
using Mira.Server;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira eval offline --model PACKAGE --images DIR --labels DIR --out DIR</c>: the platform's evaluation for model
/// makers, on their own data, with no server (docs/evaluation.md): the same runner as an evaluation job (the model in a
/// separate worker process, scoring with bootstrap CIs by patient, subgroups, calibration), writing report.json,
/// report.html and signature.json (signed with a key of this machine, created at the first run). <c>--executor slurm</c>
/// runs the model worker as a Slurm job (docs/jobs.md).
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the model package (a folder or .zip with model.onnx and mira-model.json)", Required = true };
        var images = new Option<string>("--images") { Description = "one sub-folder per case holding its DICOM series", Required = true };
        var labels = new Option<string?>("--labels") { Description = "<case>.nii.gz reference label maps in each image's grid (segmentation)" };
        var cases = new Option<string?>("--cases") { Description = "cases.tsv: case, patient and subgroup fields (site, device, age_band, sex, grade)" };
        var output = new Option<string>("--out") { Description = "the report folder to write (new or empty)", Required = true };
        var key = new Option<string?>("--key") { Description = "the signing key (PKCS#8 PEM, created when missing; default ~/.mira/evaluation-signing.pem)" };
        var metric = new Option<string?>("--metric") { Description = "the ranking metric: " + string.Join(", ", PhaseSpec.Metrics) };
        var replicates = new Option<int>("--replicates") { Description = "bootstrap replicates for the confidence intervals", DefaultValueFactory = _ => 2000 };
        var timeout = new Option<int>("--timeout") { Description = "the model worker's time limit in seconds", DefaultValueFactory = _ => 3600 };
        var memory = new Option<int>("--memory-mb") { Description = "the model worker's memory limit in MiB", DefaultValueFactory = _ => 4096 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime threads of the worker", DefaultValueFactory = _ => 2 };
        var predictions = new Option<string?>("--predictions") { Description = "keep the model's outputs (label maps, probabilities, predictions.json) in this new folder" };
        var executor = ExecutorCommandOptions.Create();
        var offline = new Command("offline", "Evaluate a model package on a local test set: report.json, report.html and a signature. Exit codes: 0 done, 1 refused or failed")
            { model, images, labels, cases, output, key, metric, replicates, timeout, memory, threads, predictions };
        executor.AddTo(offline);
        offline.SetAction((r, ct) => OfflineAsync(executor, r, new EvaluationRunRequest(r.GetValue(model)!, r.GetValue(images)!, r.GetValue(labels), r.GetValue(cases), r.GetValue(output)!)
        {
            RankingMetric = r.GetValue(metric), BootstrapReplicates = r.GetValue(replicates), Predictions = r.GetValue(predictions),
            Limits = new ModelWorkerLimits(TimeSpan.FromSeconds(r.GetValue(timeout)), (long)r.GetValue(memory) << 20, true, r.GetValue(threads)),
        }, r.GetValue(key), ct));
        return new Command("eval", "Evaluation of model packages (offline, same code path as the platform's evaluation jobs)") { offline };
    }

    /// <summary>Where an offline evaluation's signing key lives unless --key says: ~/.mira/evaluation-signing.pem.</summary>
    public static string DefaultKeyPath() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".mira", "evaluation-signing.pem");

    static async Task<int> OfflineAsync(ExecutorCommandOptions executorOptions, ParseResult parsed, EvaluationRunRequest request, string? key, CancellationToken ct)
    {
        ExecutorOptions executor;
        try { executor = executorOptions.Read(parsed); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"mira eval offline: {e.Message}");
            return 1;
        }
        if (request.RankingMetric is { } m && !PhaseSpec.Metrics.Contains(m))
        {
            Console.Error.WriteLine($"mira eval offline: --metric '{m}' is not one of {string.Join(", ", PhaseSpec.Metrics)}");
            return 1;
        }
        var command = MiraExecutable.Command();
        if (command is null)
        {
            Console.Error.WriteLine("mira eval offline: cannot find the mira program to run the model worker");
            return 1;
        }
        var keyPath = key ?? DefaultKeyPath();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keyPath))!);
        try
        {
            var result = await new EvaluationRunner(ModelWorkers.Create(executor, command), keyPath).RunAsync(request, ct);
            var r = result.Results;
            Console.WriteLine($"{result.Package.Manifest.Name} {result.Package.Manifest.Version}: {r.Cases} cases of {r.Patients} patients");
            foreach (var s in r.Segmentation?.Structures ?? [])
                foreach (var metric in s.Metrics)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {s.Structure.Name} {metric.Metric}: {metric.Mean.Estimate:0.####} (95% CI {metric.Mean.Lower:0.####}–{metric.Mean.Upper:0.####}, {metric.Cases} cases)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"worker {result.Worker.Elapsed.TotalSeconds:0.00} s (ONNX Runtime {result.InferenceSeconds:0.00} s), scoring {result.Scoring.TotalSeconds:0.00} s, total {result.Total.TotalSeconds:0.00} s{(result.Worker.NetworkIsolated ? "" : "; the worker ran WITH network access (no user namespaces here)")}"));
            Console.WriteLine($"report: {Path.GetFullPath(request.Output)} (signed, key {result.Signature.KeyId})");
            return 0;
        }
        catch (ModelRunFailedException e)
        {
            Console.Error.WriteLine($"mira eval offline: {e.Message}");
            Console.Error.Write(e.Worker.OutputTail);
            return 1;
        }
        catch (EvaluationException e)
        {
            Console.Error.WriteLine($"mira eval offline: {e.Message}");
            return 1;
        }
        catch (SlurmException e)
        {
            Console.Error.WriteLine($"mira eval offline: the Slurm cluster: {e.Message}");
            return 1;
        }
    }
}
