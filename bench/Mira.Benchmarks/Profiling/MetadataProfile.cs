using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Json;

namespace Mira.Benchmarks.Profiling;

/// <summary>
/// Stopwatch breakdown of a WADO-RS metadata response (PS3.18 §10.4.1.1.2) over a folder of stored instances, phase by
/// phase: reading each object whole into memory (as retrieval does), parsing it, parsing it with every value over 64 KiB
/// left in the file (what the metadata response reads now), and writing the DICOM JSON.
///   dotnet run -c Release --project bench/Mira.Benchmarks -- profile-metadata DIR
/// </summary>
public static class MetadataProfile
{
    static readonly DicomReadOptions whole = DicomReadOptions.Untrusted;
    static readonly DicomReadOptions lazy = DicomReadOptions.Untrusted with { LazyThreshold = 64 * 1024 }; // StoredObjects.MetadataLazyThreshold

    public static int Run(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: profile-metadata DIR");
            return 2;
        }
        var files = Directory.EnumerateFiles(args[0], "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var err = Console.Error;
        for (var pass = 1; pass <= 3; pass++)
        {
            err.WriteLine($"-- pass {pass} over {files.Count} files");
            Measure(err, "read whole (MemoryStream, ToArray)", files, f => ReadWhole(f).Length);
            Measure(err, "read whole + parse", files, f => DicomFile.Read(ReadWhole(f), whole).Dataset.Count);
            Measure(err, "parse, values > 64 KiB left in the file", files, f => ParseLazy(f).Dataset.Count);
            Measure(err, "parse lazily + write JSON (bulk as URIs)", files, f => Json(ParseLazy(f).Dataset));
        }
        return 0;
    }

    static byte[] ReadWhole(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        using var ms = new MemoryStream((int)fs.Length);
        fs.CopyTo(ms);
        return ms.ToArray();
    }

    static DicomFile ParseLazy(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return DicomFile.Read(fs, lazy, new FileByteSource(path));
    }

    static readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);

    static int Json(DicomDataset ds)
    {
        buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(buffer))
            DicomJsonWriter.WriteDataset(w, ds, new DicomJsonWriteOptions { BulkDataUri = e => e is DicomFragmentSequence || e.Length > 1024 ? "bulkdata/" + e.Tag.ToJsonKey() : null });
        return buffer.WrittenCount;
    }

    static void Measure(TextWriter err, string what, List<string> files, Func<string, int> perFile)
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var gen2 = GC.CollectionCount(2);
        var sw = Stopwatch.StartNew();
        long acc = 0;
        foreach (var f in files) acc += perFile(f);
        var ms = sw.Elapsed.TotalMilliseconds;
        var kib = (GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / files.Count;
        err.WriteLine($"{what,-46} {ms,8:F1} ms  {ms * 1000 / files.Count,8:F1} µs/file  {kib,8:F1} KiB alloc/file  {GC.CollectionCount(2) - gen2} gen2 GCs");
        GC.KeepAlive(acc);
    }
}
