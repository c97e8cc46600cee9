using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Mira.Dicom;
using Mira.Dicom.IO;

namespace Mira.Deid;

/// <summary>What happened to one input file.</summary>
public enum DeidFileStatus { Deidentified, Quarantined, NotDicom, Failed }

/// <summary>One file of a run: where it came from and went, and the UIDs before and after (lineage).</summary>
public sealed record DeidFileRecord(
    string Input, string? Output, DeidFileStatus Status, string? Reason,
    string? OriginalSopInstanceUid, string? SopInstanceUid, string? OriginalStudyInstanceUid, string? StudyInstanceUid,
    string? OriginalSeriesInstanceUid, string? SeriesInstanceUid, bool PixelsCleaned);

/// <summary>
/// The record of one de-identification run, for lineage: the recipe (name, version, content hash), the project key's
/// fingerprint (never the key), when, and every file with its input and output UIDs. It names original UIDs, so it
/// belongs in the intake zone with the vault, not in the research copy.
/// </summary>
public sealed record DeidRunRecord(
    string RunId, string Recipe, string RecipeVersion, string RecipeHash, string KeyFingerprint,
    DateTimeOffset Started, DateTimeOffset Finished, IReadOnlyList<string> Inputs, string OutputRoot,
    int Deidentified, int Quarantined, int NotDicom, int Failed, IReadOnlyList<DeidFileRecord> Files)
{
    public string ToJson() => JsonSerializer.Serialize(this, DeidJson.Default.DeidRunRecord);

    public static DeidRunRecord FromJson(string json) => JsonSerializer.Deserialize(json, DeidJson.Default.DeidRunRecord) ?? throw new FormatException("empty run record");
}

/// <summary>
/// Offline de-identification of files and folders into an output folder that mirrors each input's tree (same relative
/// paths; a file given directly goes to the top of the output). Files are processed in parallel; each is parsed with
/// its Pixel Data left in the source file (loaded by offset only when written; decoded only when a pixel-cleaning
/// rule applies) and written in its own transfer syntax (or RLE Lossless after pixel cleaning).
/// </summary>
public static class DeidRunner
{
    static readonly DicomWriteOptions WriteOptions = new() { KeepInvalidValues = true };

    /// <summary>Values above 16 KiB (Pixel Data above all) stay in the source file until written.</summary>
    static readonly DicomReadOptions ReadOptions = DicomReadOptions.Default with { LazyThreshold = 16 * 1024 };

    public static DeidRunRecord Run(DeidEngine engine, IReadOnlyList<string> inputs, string outputRoot, int maxParallelism = 0)
    {
        var started = DateTimeOffset.UtcNow;
        var jobs = new List<(string Input, string Output)>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                    jobs.Add((f, Path.Combine(outputRoot, Path.GetRelativePath(input, f))));
            }
            else jobs.Add((input, Path.Combine(outputRoot, Path.GetFileName(input))));
        }
        var results = new DeidFileRecord[jobs.Count];
        var dirs = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = maxParallelism > 0 ? maxParallelism : Environment.ProcessorCount },
            i => results[i] = ProcessFile(engine, jobs[i].Input, jobs[i].Output, dirs));
        var counts = new int[4];
        foreach (var r in results) counts[(int)r.Status]++;
        return new DeidRunRecord(Guid.NewGuid().ToString("N"), engine.Recipe.Name, engine.Recipe.Version, engine.Recipe.Hash,
            engine.Pseudonyms.Key.Fingerprint(), started, DateTimeOffset.UtcNow, [.. inputs], outputRoot,
            counts[0], counts[1], counts[2], counts[3], results);
    }

    /// <summary>
    /// When native Pixel Data (7FE0,0010) is the last element, was left in the file (lazy) and sits right after its
    /// header in the encoding the transfer syntax names (the reader warns when the bytes disagree), the output can
    /// take the source's bytes from the element's tag to the end as they are: no load, no copy into managed memory.
    /// Returns the element and the offset of its tag; whether it ends the file is checked when copying.
    /// </summary>
    static (DicomElement Element, long Offset, long End)? PixelTail(DicomFile file)
    {
        var ds = file.Dataset;
        var ts = file.TransferSyntax;
        if (ts.IsDeflated || file.IsTruncated || ds.Count == 0 || ds[ds.Count - 1] is not { } e || e.Tag != DicomTags.PixelData
            || e.Offset < 0 || e.LazyReference is not { } lazy || e is DicomFragmentSequence) return null;
        if (file.Warnings.Any(w => w.Code == DicomReadProblemCode.TransferSyntaxMismatch)) return null;
        var header = ts.IsExplicitVR ? 12 : 8;
        return lazy.Offset == e.Offset + header ? (e, e.Offset, lazy.Offset + lazy.Length) : null;
    }

    [ThreadStatic] static MemoryStream? headerBuffer;

    /// <summary>An empty buffer for a new header, one per worker thread and reused (a header above 1 MiB is not kept).</summary>
    static MemoryStream HeaderBuffer()
    {
        var b = headerBuffer;
        if (b is null || b.Capacity > 1 << 20) headerBuffer = b = new MemoryStream(64 * 1024);
        b.SetLength(0);
        return b;
    }

    /// <summary>
    /// Opens the output for writing, created new in the usual case of an empty output folder (an open that creates,
    /// where replacing also costs a truncation after the lock), else replaced. No preallocation: the file system
    /// allocates the blocks when it writes them back, as for any copy.
    /// </summary>
    static SafeFileHandle CreateOutput(string output)
    {
        try
        {
            return File.OpenHandle(output, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (IOException) when (File.Exists(output))
        {
            return File.OpenHandle(output, FileMode.Create, FileAccess.Write, FileShare.None);
        }
    }

    /// <summary>The new header, then the source's bytes from <paramref name="offset"/> to its end, with one handle each and no managed copy of the pixels.</summary>
    static bool WriteWithTail(string output, MemoryStream header, SafeFileHandle src, string input, long offset, long end)
    {
        if (RandomAccess.GetLength(src) != end) return false;   // something follows Pixel Data: take the general path
        var tailLength = end - offset;
        using var dst = CreateOutput(output);
        RandomAccess.Write(dst, header.GetBuffer().AsSpan(0, (int)header.Length), 0);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long done = 0;
            while (done < tailLength)
            {
                var n = RandomAccess.Read(src, buffer.AsSpan(0, (int)Math.Min(buffer.Length, tailLength - done)), offset + done);
                if (n == 0) throw new IOException($"{input} shrank while being copied");
                RandomAccess.Write(dst, buffer.AsSpan(0, n), header.Length + done);
                done += n;
            }
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
        return true;
    }

    /// <summary>
    /// Writes a Part 10 file (PS3.10 §7.1) with a new File Meta Information (nothing of the source's meta is kept: Source
    /// AE titles and private meta elements identify). A data set without SOP Class/Instance UID takes them from the
    /// source's meta (the instance UID replaced, Table E.1-1 U); with neither, it keeps a meta without them when its source
    /// had one, else it is written as a bare data set, as read.
    /// </summary>
    static void Write(Stream fs, DeidEngine engine, DicomDataset ds, TransferSyntax ts, DicomDataset sourceMeta)
    {
        if (ds.GetString(DicomTags.SOPClassUID) is not null && ds.GetString(DicomTags.SOPInstanceUID) is not null)
        {
            DicomFileWriter.Write(fs, ds, ts, null, WriteOptions);
            return;
        }
        var cls = ds.GetString(DicomTags.SOPClassUID) ?? sourceMeta.GetString(DicomTags.MediaStorageSOPClassUID);
        var inst = ds.GetString(DicomTags.SOPInstanceUID) ?? (sourceMeta.GetString(DicomTags.MediaStorageSOPInstanceUID) is { } m ? engine.Pseudonyms.Uid(m) : null);
        if (cls is not null && inst is not null)
        {
            var meta = new DicomDataset();
            meta.Set(DicomTags.MediaStorageSOPClassUID, DicomVR.UI, cls);
            meta.Set(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, inst);
            DicomFileWriter.Write(fs, ds, ts, meta, WriteOptions);
            return;
        }
        if (sourceMeta.Count > 0)
        {
            // A Part 10 file whose meta, like its source's, names no SOP instance (PS3.10 §7.1 needs them; we do not invent them).
            var meta = new DicomDataset();
            meta.Set(new DicomElement(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 }));
            meta.Set(DicomTags.TransferSyntaxUID, DicomVR.UI, ts.Uid);
            meta.Set(DicomTags.ImplementationClassUID, DicomVR.UI, DicomFileWriter.ImplementationClassUid);
            meta.Set(DicomTags.ImplementationVersionName, DicomVR.SH, DicomFileWriter.ImplementationVersionName);
            var body = new MemoryStream();
            new DicomDatasetWriter(TransferSyntax.ExplicitVRLittleEndian, WriteOptions).Write(body, meta);
            meta.Set(new DicomElement(DicomTags.FileMetaInformationGroupLength, DicomVR.UL, BitConverter.GetBytes((uint)body.Length)));
            fs.Write(new byte[128]);
            fs.Write("DICM"u8);
            new DicomDatasetWriter(TransferSyntax.ExplicitVRLittleEndian, WriteOptions).Write(fs, meta);
        }
        new DicomDatasetWriter(ts.IsDeflated ? TransferSyntax.ExplicitVRLittleEndian : ts, WriteOptions).Write(fs, ds);
    }

    /// <summary>De-identifies one file into <paramref name="output"/>; never throws for a bad input.</summary>
    public static DeidFileRecord ProcessFile(DeidEngine engine, string input, string output, ConcurrentDictionary<string, bool>? createdDirs = null)
    {
        // One open of the source for the parse and the copy of its Pixel Data tail (each open costs system calls).
        FileStream? source = null;
        try
        {
            return ProcessFile(engine, input, output, createdDirs, ref source);
        }
        finally { source?.Dispose(); }
    }

    static DeidFileRecord ProcessFile(DeidEngine engine, string input, string output, ConcurrentDictionary<string, bool>? createdDirs, ref FileStream? source)
    {
        DicomFile file;
        try
        {
            source = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            file = DicomFile.Read(source, ReadOptions, new FileByteSource(input));
            if (file.Dataset.Count == 0 || file.IsTruncated && !file.Dataset.Contains(DicomTags.SOPInstanceUID)) throw new DicomFormatException(DicomReadProblemCode.NotDicom, "no data set", null, 0);
        }
        catch (Exception e) when (e is MiraException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new DeidFileRecord(input, null, DeidFileStatus.NotDicom, e.Message, null, null, null, null, null, null, false);
        }
        try
        {
            var tail = PixelTail(file);
            var r = engine.Deidentify(file.Dataset, file.TransferSyntax);
            if (r.Status == DeidStatus.Quarantined)
                return new DeidFileRecord(input, null, DeidFileStatus.Quarantined, r.Reason, r.OriginalSopInstanceUid, null,
                    r.OriginalStudyInstanceUid, null, r.OriginalSeriesInstanceUid, null, false);
            var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
            // Remembered only once created: a worker that skips the call must find the folder there already.
            if (createdDirs is null || !createdDirs.ContainsKey(dir))
            {
                Directory.CreateDirectory(dir);
                createdDirs?.TryAdd(dir, true);
            }
            var ds = r.Dataset!;
            var done = false;
            if (tail is { } t && r.TransferSyntax == file.TransferSyntax && ds.Count > 0 && ReferenceEquals(ds[ds.Count - 1], t.Element))
            {
                ds.Remove(DicomTags.PixelData);
                var groupLength = ds.Find(new DicomTag(0x7FE0, 0x0000));
                if (groupLength is not null) ds.Remove(groupLength.Tag);
                var header = HeaderBuffer();
                Write(header, engine, ds, r.TransferSyntax!, file.FileMetaInformation);
                done = WriteWithTail(output, header, source!.SafeFileHandle, input, t.Offset, t.End);
                if (!done)
                {
                    ds.Set(t.Element);
                    if (groupLength is not null) ds.Set(groupLength);
                }
            }
            if (!done)
            {
                using var fs = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                Write(fs, engine, ds, r.TransferSyntax!, file.FileMetaInformation);
            }
            return new DeidFileRecord(input, output, DeidFileStatus.Deidentified, null, r.OriginalSopInstanceUid, r.SopInstanceUid,
                r.OriginalStudyInstanceUid, r.StudyInstanceUid, r.OriginalSeriesInstanceUid, r.SeriesInstanceUid, r.PixelsCleaned);
        }
        catch (Exception e) when (e is MiraException or IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            try { if (File.Exists(output)) File.Delete(output); } catch (IOException) { }
            return new DeidFileRecord(input, null, DeidFileStatus.Failed, e.Message, null, null, null, null, null, null, false);
        }
    }
}
