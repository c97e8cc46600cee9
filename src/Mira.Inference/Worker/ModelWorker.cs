using System.Diagnostics;
using System.Text.RegularExpressions;
using Mira.Imaging.Nifti;
using Mira.Inference.Packages;
using Mira.Inference.Prediction;
using Mira.Inference.Sessions;

namespace Mira.Inference.Worker;

/// <summary>Limits and choices of one worker run.</summary>
public sealed record ModelWorkerOptions
{
    public ModelPackageLimits PackageLimits { get; init; } = ModelPackageLimits.Default;
    public ModelPredictorOptions Predictor { get; init; } = ModelPredictorOptions.Default;
    /// <summary>Most cases in one run.</summary>
    public int MaxCases { get; init; } = 100_000;

    public static ModelWorkerOptions Default { get; } = new();
}

/// <summary>
/// Runs a model package over a folder of cases in one process, the session made once (the file protocol of
/// <c>mira model run</c>, docs/models.md): the images folder holds one sub-folder per case (<c>images/&lt;case&gt;/</c>), each
/// with one DICOM series; the output folder (absent or empty) receives, per case, <c>&lt;case&gt;.nii.gz</c> (the label map in the image grid),
/// <c>&lt;case&gt;.prob.nii.gz</c> (foreground probability, when the output is probabilistic), and once
/// <c>predictions.json</c> (per case: status, series, files, label voxel counts, class scores, timings; totals).
/// A case that fails is recorded with its error and the others go on; a package or session that fails stops the run.
/// </summary>
public static partial class ModelWorker
{
    public const string PredictionsFileName = "predictions.json";

    /// <exception cref="ModelPackageException">The package, the folders or the session are refused; nothing is written.</exception>
    /// <param name="imagesFolder">the folder of case folders (a test set's <c>images/</c>)</param>
    public static ModelWorkerResult Run(string package, string imagesFolder, string outputFolder, IModelSessionFactory factory,
        ModelWorkerOptions? options = null, TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        options ??= ModelWorkerOptions.Default;
        var wall = Stopwatch.StartNew();
        var images = imagesFolder;
        if (!Directory.Exists(images)) throw new ModelPackageException($"{images}: no such images folder (one sub-folder per case, each holding one DICOM series)");
        var cases = Directory.GetDirectories(images).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (cases.Length == 0) throw new ModelPackageException($"{images}: no case folders");
        if (cases.Length > options.MaxCases) throw new ModelPackageException($"{images}: {cases.Length} cases, more than the limit of {options.MaxCases}");
        foreach (var c in cases)
            if (!CaseName().IsMatch(c)) throw new ModelPackageException($"images/{c}: a case name is [A-Za-z0-9._-] (it names the output files)");
        if (Directory.Exists(outputFolder) && Directory.EnumerateFileSystemEntries(outputFolder).Any())
            throw new ModelPackageException($"{outputFolder}: the output folder is not empty");

        var pkg = ModelPackage.Open(package, options.PackageLimits);
        var sessionWatch = Stopwatch.StartNew();
        using var predictor = new ModelPredictor(pkg, factory, options.Predictor);
        var sessionTime = sessionWatch.Elapsed;
        Directory.CreateDirectory(outputFolder);
        log?.WriteLine($"{pkg.Manifest.Name} {pkg.Manifest.Version} (sha256 {pkg.Sha256}): {cases.Length} case(s), session in {sessionTime.TotalMilliseconds:0} ms");

        var results = new List<CaseResult>();
        foreach (var c in cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(RunCase(predictor, c, Path.Combine(images, c), outputFolder));
            var r = results[^1];
            log?.WriteLine(r.Error is null
                ? $"{c}: {r.Timings!.Total.TotalMilliseconds:0} ms (inference {r.Timings.Inference.TotalMilliseconds:0} ms)"
                : $"{c}: failed: {r.Error}");
        }
        var result = new ModelWorkerResult(pkg.Manifest.Name, pkg.Manifest.Version, pkg.Sha256, results, sessionTime, wall.Elapsed);
        PredictionsFile.Write(Path.Combine(outputFolder, PredictionsFileName), pkg, result);
        return result;
    }

    static CaseResult RunCase(ModelPredictor predictor, string name, string folder, string outputFolder)
    {
        var load = Stopwatch.StartNew();
        try
        {
            var image = CaseImage.Read(folder, predictor.Manifest);
            var loadTime = load.Elapsed;
            var p = predictor.Predict(image.Volume, image.SuvBwFactor);
            string? labelFile = null, probFile = null;
            var counts = new SortedDictionary<int, long>();
            if (p.LabelMap is { } labels)
            {
                labelFile = name + ".nii.gz";
                NiftiVolumes.WriteVolume(Path.Combine(outputFolder, labelFile), labels);
                for (long i = 0; i < labels.VoxelCount; i++)
                {
                    var v = (int)labels.GetValue(i);
                    if (v != 0) counts[v] = counts.GetValueOrDefault(v) + 1;
                }
            }
            if (p.Probability is { } prob)
            {
                probFile = name + ".prob.nii.gz";
                NiftiVolumes.WriteVolume(Path.Combine(outputFolder, probFile), prob);
            }
            return new CaseResult(name, image.SeriesInstanceUid, null, labelFile, probFile, counts, p.Scores, image.SuvBwFactor, loadTime, p.Timings);
        }
        catch (Exception e) when (e is ModelPackageException or Mira.Imaging.ImagingException or Mira.Dicom.MiraException)
        {
            return new CaseResult(name, null, e.Message, null, null, null, null, null, load.Elapsed, null);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex CaseName();
}
