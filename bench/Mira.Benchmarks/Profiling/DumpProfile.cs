using System.Diagnostics;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Benchmarks.Profiling;

/// <summary>
/// Stopwatch harness for where `mira dump --stop-before-pixels` spends its time, phase by phase, in one process:
/// runtime start to Main, file enumeration, first-use (static init + JIT) costs, then warm passes over every file
/// (read only, read + text dump, read + JSON, sequential and parallel, stream vs whole-file read).
///   dotnet run -c Release --project bench/Mira.Benchmarks -- profile-dump DIR... >/dev/null
/// The report goes to stderr; the dump text of one pass goes to stdout (so it can go to /dev/null like mira's).
/// </summary>
public static class DumpProfile
{
    static readonly DicomReadOptions headerOnly = DicomReadOptions.Default with { StopBeforePixelData = true };

    public static int Run(string[] dirs)
    {
        var sinceStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        var err = Console.Error;
        err.WriteLine($"runtime start to Main: {sinceStart.TotalMilliseconds:F0} ms (includes `dotnet run` host only if launched through it)");
        if (dirs.Length == 0)
        {
            err.WriteLine("usage: profile-dump DIR...");
            return 2;
        }

        var sw = Stopwatch.StartNew();
        var files = dirs.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)).ToList();
        Report(err, "enumerate + sort files", sw, files.Count);

        sw.Restart();
        _ = DicomDictionary.Lookup(DicomTags.PatientName);
        Report(err, "first DicomDictionary.Lookup (static init)", sw, 1);

        sw.Restart();
        var first = DicomFile.Open(files[0], headerOnly);
        Report(err, "first DicomFile.Open (cold: JIT + statics)", sw, 1);

        sw.Restart();
        _ = first.Dataset.CharacterSet;
        Report(err, "first CharacterSet (ISO_IR 100)", sw, 1);

        sw.Restart();
        var text = new StringWriter();
        DicomDump.Write(text, first);
        Report(err, "first DicomDump.Write (cold)", sw, 1);

        sw.Restart();
        _ = DicomJsonWriter.Serialize(first.Dataset);
        Report(err, "first DicomJsonWriter.Serialize (cold)", sw, 1);

        for (var pass = 1; pass <= 2; pass++)
        {
            err.WriteLine($"-- pass {pass} over {files.Count} files (pass 1 still includes tier-0 code)");
            Measure(err, "Open (FileStream) only, sequential", files, f => DicomFile.Open(f, headerOnly).Dataset.Count);
            Measure(err, "ReadAllBytes + Read(memory), sequential", files, f => DicomFile.Read(File.ReadAllBytes(f), headerOnly).Dataset.Count);
            Measure(err, "Open + DicomDump.Write, sequential", files, f =>
            {
                var w = new StringWriter();
                DicomDump.Write(w, DicomFile.Open(f, headerOnly));
                return w.ToString().Length;
            });
            Measure(err, "Open + JSON, sequential", files, f => DicomJsonWriter.Serialize(DicomFile.Open(f, headerOnly).Dataset).Length);
            Measure(err, "Open + DicomDump.Write, PLINQ ordered (as dump)", files, null);
        }

        // What `mira dump` does last: the text of every file through Console.Out.
        var texts = files.Select(f =>
        {
            var w = new StringWriter();
            DicomDump.Write(w, DicomFile.Open(f, headerOnly));
            return w.ToString();
        }).ToList();
        sw.Restart();
        var stdout = Console.Out;
        foreach (var t in texts)
        {
            stdout.Write(t);
            stdout.WriteLine();
        }
        stdout.Flush();
        Report(err, $"Console.Out write of {texts.Sum(t => (long)t.Length) / 1024} K chars", sw, files.Count);

        err.WriteLine($"GC: gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; allocated {GC.GetTotalAllocatedBytes() / (1 << 20)} MiB; " +
                      $"working set {Environment.WorkingSet / (1 << 20)} MiB; heap {GC.GetGCMemoryInfo().HeapSizeBytes / (1 << 20)} MiB");
        return 0;
    }

    static void Measure(TextWriter err, string what, List<string> files, Func<string, int>? perFile)
    {
        var before = GC.GetTotalAllocatedBytes();
        var sw = Stopwatch.StartNew();
        long acc = 0;
        if (perFile is not null)
            foreach (var f in files) acc += perFile(f);
        else
            acc = files.AsParallel().AsOrdered().WithDegreeOfParallelism(Environment.ProcessorCount).Select(f =>
            {
                var w = new StringWriter();
                DicomDump.Write(w, DicomFile.Open(f, headerOnly));
                return w.ToString().Length;
            }).Sum();
        Report(err, what, sw, files.Count, (GC.GetTotalAllocatedBytes() - before) / files.Count);
        GC.KeepAlive(acc);
    }

    static void Report(TextWriter err, string what, Stopwatch sw, int n, long? bytesPerFile = null)
    {
        var ms = sw.Elapsed.TotalMilliseconds;
        err.WriteLine($"{what,-52} {ms,9:F1} ms  {ms * 1000 / Math.Max(n, 1),9:F1} µs/file" + (bytesPerFile is { } b ? $"  {b / 1024.0,8:F1} KiB alloc/file" : ""));
    }
}
