using BenchmarkDotNet.Attributes;
using Mira.Benchmarks.Data;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Benchmarks.Dicom;

/// <summary>
/// The text listing `mira dump` prints (DicomDump.Write), of a CT header read from bytes: the per-file work of
/// `mira dump --stop-before-pixels` after parsing.
/// </summary>
[MemoryDiagnoser]
public class DumpTextBenchmarks
{
    DicomFile ct = null!;
    byte[] ctFile = [];

    [GlobalSetup]
    public void Setup()
    {
        ctFile = SyntheticStudies.Encode(SyntheticStudies.CtSlice(), TransferSyntax.ExplicitVRLittleEndian);
        ct = DicomFile.Read(ctFile, DicomReadOptions.Default with { StopBeforePixelData = true });
    }

    [Benchmark(Description = "DicomDump.Write CT header to a StringWriter")]
    public string DumpCtHeader()
    {
        var sw = new StringWriter();
        DicomDump.Write(sw, ct);
        return sw.ToString();
    }

    [Benchmark(Description = "read + DicomDump.Write CT header (dump's per-file work)")]
    public string ReadAndDumpCtHeader()
    {
        var file = DicomFile.Read(ctFile, DicomReadOptions.Default with { StopBeforePixelData = true });
        var sw = new StringWriter();
        DicomDump.Write(sw, file);
        return sw.ToString();
    }
}
