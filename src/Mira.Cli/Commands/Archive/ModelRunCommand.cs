using System.CommandLine;
using Mira.Inference;
using Mira.Inference.OnnxRuntime;
using Mira.Inference.Prediction;
using Mira.Inference.Worker;

namespace Mira.Cli.Commands.Archive;

/// <summary>
/// <c>mira model run --package P --images DIR --out DIR [--threads N] [--max-tensor-elements N]</c>: runs a model package
/// (folder or zip) over <c>DIR/&lt;case&gt;/</c> (one DICOM series per case) in this one process, the ONNX Runtime session made
/// once, and writes <c>OUT/&lt;case&gt;.nii.gz</c>, <c>OUT/&lt;case&gt;.prob.nii.gz</c> and <c>OUT/predictions.json</c>
/// (ModelWorker; docs/models.md). The command is named <c>run</c>: its parent (<c>model</c>) is made by the caller.
/// </summary>
public static class ModelRunCommand
{
    public static Command Create()
    {
        var package = new Option<string>("--package") { Required = true, Description = "the model package: a folder or .zip holding model.onnx and mira-model.json" };
        var input = new Option<string>("--images") { Required = true, Description = "the folder of cases: one sub-folder per case (images/<case>/), each holding one DICOM series" };
        var output = new Option<string>("--out") { Required = true, Description = "the output folder (absent or empty): <case>.nii.gz, <case>.prob.nii.gz, predictions.json" };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (default 1)", DefaultValueFactory = _ => 1 };
        var maxTensor = new Option<long?>("--max-tensor-elements") { Description = $"refuse input/output tensors larger than this (default {ModelPredictorOptions.Default.MaxTensorElements})" };
        var cmd = new Command("run", """
            Run a model package over a folder of cases (one DICOM series each, under --images DIR/<case>/), applying the
            preprocessing its mira-model.json states (intensity source, clip, scale, offset, resampling) and writing,
            per case, the label map in the image grid (<case>.nii.gz), the foreground probability when the output is
            probabilistic (<case>.prob.nii.gz), and predictions.json (per case status, scores, label voxel counts and
            timings; totals). A case that fails is recorded in predictions.json and the others go on.
            Exit codes: 0 every case predicted; 1 a case failed, or the package, folders or model were refused
            (then nothing is written); 2 on a usage error.
            """) { package, input, output, threads, maxTensor };
        cmd.SetAction((r, ct) => Task.FromResult(Run(r.GetValue(package)!, r.GetValue(input)!, r.GetValue(output)!, r.GetValue(threads), r.GetValue(maxTensor), ct)));
        return cmd;
    }

    static int Run(string package, string input, string output, int threads, long? maxTensor, CancellationToken ct)
    {
        if (threads is < 1 or > 64)
        {
            Console.Error.WriteLine($"mira model run: --threads {threads} is not 1 to 64");
            return 2;
        }
        if (maxTensor is < 1)
        {
            Console.Error.WriteLine($"mira model run: --max-tensor-elements {maxTensor} is not positive");
            return 2;
        }
        var options = ModelWorkerOptions.Default with
        {
            Predictor = maxTensor is { } m ? new ModelPredictorOptions { MaxTensorElements = m } : ModelPredictorOptions.Default,
        };
        try
        {
            var result = ModelWorker.Run(package, input, output, new OnnxSessionFactory(threads), options, Console.Error, ct);
            Console.WriteLine($"{result.Model} {result.Version} (sha256 {result.PackageSha256}): {result.Cases.Count - result.Failed} of {result.Cases.Count} case(s) predicted; {Path.Combine(output, ModelWorker.PredictionsFileName)}");
            return result.Failed == 0 ? 0 : 1;
        }
        catch (ModelPackageException e)
        {
            Console.Error.WriteLine($"mira model run: {e.Message}");
            return 1;
        }
    }
}
