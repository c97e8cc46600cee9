using BenchmarkDotNet.Attributes;
using Mira.Dicom.IO;

namespace Mira.Benchmarks.Dicom;

/// <summary>
/// Optional: header reads of real files from a folder made by ../shared/bench/gen_bench_data.py. Runs only when
/// MIRA_BENCH_DATA points at that folder (Program leaves the class out otherwise).
/// </summary>
[MemoryDiagnoser]
public class SharedDataBenchmarks
{
    public const string EnvironmentVariable = "MIRA_BENCH_DATA";
    static readonly DicomReadOptions headerOnly = DicomReadOptions.Default with { StopBeforePixelData = true };

    [Params("ct", "mr", "pet")]
    public string Set { get; set; } = "ct";

    string path = "";
    byte[] bytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var root = Environment.GetEnvironmentVariable(EnvironmentVariable)
            ?? throw new InvalidOperationException($"{EnvironmentVariable} is not set");
        path = Directory.EnumerateFiles(Path.Combine(root, Set), "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        bytes = File.ReadAllBytes(path);
    }

    [Benchmark(Description = "header from memory")]
    public DicomFile HeaderFromMemory() => DicomFile.Read(bytes, headerOnly);

    [Benchmark(Description = "header from file (DicomFile.Open)")]
    public DicomFile HeaderFromFile() => DicomFile.Open(path, headerOnly);
}
