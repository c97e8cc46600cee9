using BenchmarkDotNet.Attributes;
using Mira.Benchmarks.Data;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Benchmarks.Json;

/// <summary>
/// DICOM JSON (PS3.18 Annex F) of data sets read from bytes, as a service would have them: a CT header and the
/// deeply nested SR, to a string and to a discarding stream.
/// </summary>
[MemoryDiagnoser]
public class JsonWritingBenchmarks
{
    DicomDataset ct = null!, sr = null!;

    [GlobalSetup]
    public void Setup()
    {
        var ctBytes = SyntheticStudies.Encode(SyntheticStudies.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);
        ct = DicomFile.Read(ctBytes, DicomReadOptions.Default with { StopBeforePixelData = true }).Dataset;
        var srBytes = SyntheticStudies.Encode(SyntheticStudies.DeepSr(), TransferSyntax.ExplicitVRLittleEndian);
        sr = DicomFile.Read(srBytes).Dataset;
    }

    [Benchmark(Baseline = true, Description = "JSON of CT header to string")]
    public string CtHeaderToString() => DicomJsonWriter.Serialize(ct);

    [Benchmark(Description = "JSON of CT header to Stream.Null")]
    public void CtHeaderToStream() => DicomJsonWriter.Write(Stream.Null, ct);

    [Benchmark(Description = "JSON of deeply nested SR to string")]
    public string DeepSrToString() => DicomJsonWriter.Serialize(sr);
}
