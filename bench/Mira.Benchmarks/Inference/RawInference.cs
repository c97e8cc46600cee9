using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Imaging.Pet;
using Mira.Imaging.Volumes;
using Mira.Inference.Manifest;
using Mira.Inference.Packages;

namespace Mira.Benchmarks.Inference;

/// <summary>
/// <c>raw-inference PACKAGE IMAGES_DIR THREADS [GAP_MS]</c>: the raw baseline of bench/compare-evaluation.sh — ONNX Runtime alone on
/// the inputs an evaluation gives the model. Untimed first: every case's series is decoded (<see cref="DicomVolumeBuilder"/>)
/// and turned into its float32 NCDHW input tensor as the manifest says (SUVbw factor per <see cref="PetSuv"/>, clip, scale,
/// offset: what the worker's preprocessing computes) and wrapped in an <see cref="OrtValue"/>. Then one
/// <see cref="InferenceSession"/> is made (CPU provider, the worker's options: THREADS intra-op threads, 1 inter-op,
/// sequential, all graph optimisations; timed on its own) and <c>InferenceSession.Run</c> is timed per case, one pass, no
/// warm-up run (the worker has none either). GAP_MS (default 0) sleeps that long between two cases' Runs, as the worker
/// spends time on its own work between them (a diagnostic: do ONNX Runtime's threads slow down when Runs are not back to back?). Prints tab-separated lines: <c>case NAME RUN_MS LABEL1_VOXELS</c> per case,
/// then <c>decode_ms</c>, <c>session_ms</c>, <c>run_ms</c> (the sum of the cases' Run times) and <c>run_cpu_ms</c> (the
/// process's CPU time over the Run loop, all threads).
/// </summary>
public static class RawInference
{
    public static int Run(string[] args)
    {
        var gapMs = 0;
        if (args.Length is not (3 or 4) || !int.TryParse(args[2], CultureInfo.InvariantCulture, out var threads) || threads < 1
            || (args.Length == 4 && (!int.TryParse(args[3], CultureInfo.InvariantCulture, out gapMs) || gapMs < 0)))
        {
            Console.Error.WriteLine("usage: raw-inference PACKAGE IMAGES_DIR THREADS [GAP_MS]");
            return 2;
        }
        var package = ModelPackage.Open(args[0]);
        var m = package.Manifest;
        if (m.Input.Layout != "NCDHW" || m.Input.Spacing is not null || m.Output.Kind != OutputKinds.LabelMap)
        {
            Console.Error.WriteLine("raw-inference: times NCDHW label-map models without resampling");
            return 2;
        }
        var decode = Stopwatch.StartNew();
        var cases = Directory.GetDirectories(args[1]).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToArray();
        var inputs = cases.Select(c => Tensor(Path.Combine(args[1], c), m.Input)).ToArray();
        decode.Stop();

        var sessionClock = Stopwatch.StartNew();
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads, InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(package.OnnxBytes, options);
        sessionClock.Stop();
        var inputName = m.Input.Name ?? session.InputMetadata.Keys.Single();
        var outputName = m.Output.Name ?? session.OutputMetadata.Keys.Single();
        using var runOptions = new RunOptions();

        var total = TimeSpan.Zero;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var n = 0; n < cases.Length; n++)
        {
            if (n > 0 && gapMs > 0) Thread.Sleep(gapMs);
            var clock = Stopwatch.StartNew();
            using var results = session.Run(runOptions, [inputName], [inputs[n]], [outputName]);
            clock.Stop();
            total += clock.Elapsed;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"case\t{cases[n]}\t{clock.Elapsed.TotalMilliseconds:0.###}\t{Foreground(results[0])}"));
            inputs[n].Dispose();
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decode_ms\t{decode.Elapsed.TotalMilliseconds:0.###}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"session_ms\t{sessionClock.Elapsed.TotalMilliseconds:0.###}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run_ms\t{total.TotalMilliseconds:0.###}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run_cpu_ms\t{cpu.TotalMilliseconds:0.###}"));
        return 0;
    }

    /// <summary>One case's input: its one series as a volume, each voxel (× the SUVbw factor) through the manifest's intensity transform.</summary>
    static OrtValue Tensor(string folder, ModelInput input)
    {
        var volume = DicomVolumeBuilder.FromPath(folder).Single().Volume;
        var factor = input.Intensity.Source == IntensityTransform.SuvBw ? SuvBwFactor(folder) : 1.0;
        var values = new float[volume.VoxelCount];
        for (long i = 0; i < values.LongLength; i++) values[i] = input.Intensity.Apply(volume.GetValue(i) * factor);
        return OrtValue.CreateTensorValueFromMemory(values, [1, 1, volume.Nz, volume.Ny, volume.Nx]);
    }

    static double SuvBwFactor(string folder)
    {
        var headers = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => PetSuvInputs.FromDataset(DicomFile.Open(f, new DicomReadOptions { StopBeforePixelData = true }).Dataset)).ToArray();
        var result = PetSuv.Compute(headers);
        return result.Ok ? result.Factors![0].SuvBw : throw new InvalidOperationException($"{folder}: no SUVbw factor: {result.Refusal}");
    }

    /// <summary>Voxels the model labelled 1 (checked against the worker's predictions.json: the same inputs give the same labels).</summary>
    static long Foreground(OrtValue output)
    {
        long n = 0;
        foreach (var v in output.GetTensorDataAsSpan<long>()) if (v == 1) n++;
        return n;
    }
}
