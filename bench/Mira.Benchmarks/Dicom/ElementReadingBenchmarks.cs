using BenchmarkDotNet.Attributes;
using Mira.Benchmarks.Data;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Benchmarks.Dicom;

/// <summary>
/// DicomFile.Read from memory: a CT header (stop before Pixel Data), the whole CT file (Pixel Data left lazy as by
/// default, or loaded eagerly), the same header in Implicit VR Little Endian, and a deeply nested SR.
/// Inputs are encoded once in setup with Mira's own writer.
/// </summary>
[MemoryDiagnoser]
public class ElementReadingBenchmarks
{
    static readonly DicomReadOptions headerOnly = DicomReadOptions.Default with { StopBeforePixelData = true };
    static readonly DicomReadOptions eager = DicomReadOptions.Default with { LazyThreshold = int.MaxValue };

    byte[] ctFile = [], ctImplicit = [], sr = [];

    [GlobalSetup]
    public void Setup()
    {
        ctFile = SyntheticStudies.Encode(SyntheticStudies.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);
        ctImplicit = SyntheticStudies.Encode(SyntheticStudies.CtSlice(), TransferSyntax.ImplicitVRLittleEndian);
        sr = SyntheticStudies.Encode(SyntheticStudies.DeepSr(), TransferSyntax.ExplicitVRLittleEndian);
        // Fail in setup, not in the measurement, if an input does not round-trip.
        Check(DicomFile.Read(ctFile, headerOnly).StoppedBeforePixelData, "CT header did not stop at Pixel Data");
        Check(DicomFile.Read(ctImplicit, headerOnly).StoppedBeforePixelData, "implicit CT header did not stop at Pixel Data");
        Check(DicomFile.Read(sr).Dataset.GetSequence(DicomTags.ContentSequence) is { Items.Count: > 0 }, "SR has no content");
    }

    static void Check(bool ok, string what)
    {
        if (!ok) throw new InvalidOperationException(what);
    }

    [Benchmark(Baseline = true, Description = "CT header, explicit VR LE (stop before pixels)")]
    public DicomFile CtHeader() => DicomFile.Read(ctFile, headerOnly);

    [Benchmark(Description = "CT whole file, Pixel Data lazy (default options)")]
    public DicomFile CtWholeFileLazy() => DicomFile.Read(ctFile);

    [Benchmark(Description = "CT whole file, Pixel Data loaded (512 KiB)")]
    public DicomFile CtWholeFileEager() => DicomFile.Read(ctFile, eager);

    [Benchmark(Description = "CT header, implicit VR LE (stop before pixels)")]
    public DicomFile CtHeaderImplicit() => DicomFile.Read(ctImplicit, headerOnly);

    [Benchmark(Description = "Deeply nested SR (6 container levels, 3-way fan-out)")]
    public DicomFile DeepSr() => DicomFile.Read(sr);
}
