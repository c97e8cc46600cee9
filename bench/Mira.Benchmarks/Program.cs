using BenchmarkDotNet.Running;
using Mira.Benchmarks.Dicom;
using Mira.Benchmarks.Profiling;

namespace Mira.Benchmarks;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "profile-dump") return DumpProfile.Run(args[1..]);
        if (args.Length > 0 && args[0] == "profile-metadata") return MetadataProfile.Run(args[1..]);
        if (args.Length > 0 && args[0] == "gen-slide") return Slides.GenerateSlide.Run(args[1..]);
        if (args.Length > 0 && args[0] == "gen-pet-cohort") return Inference.GeneratePetCohort.Run(args[1..]);
        if (args.Length > 0 && args[0] == "raw-inference") return Inference.RawInference.Run(args[1..]);
        var types = typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsPublic && !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkDotNet.Attributes.BenchmarkAttribute), false)))
            .Where(t => t != typeof(SharedDataBenchmarks) || Environment.GetEnvironmentVariable(SharedDataBenchmarks.EnvironmentVariable) is { Length: > 0 })
            .ToArray();
        BenchmarkSwitcher.FromTypes(types).Run(args);
        return 0;
    }
}
