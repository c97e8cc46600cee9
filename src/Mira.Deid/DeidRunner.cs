using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
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
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DeidRunRecord FromJson(string json) => JsonSerializer.Deserialize<DeidRunRecord>(json, Json) ?? throw new FormatException("empty run record");
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
        DicomFile file;
        try
        {
            file = DicomFile.Open(input);
            if (file.Dataset.Count == 0 || file.IsTruncated && !file.Dataset.Contains(DicomTags.SOPInstanceUID)) throw new DicomFormatException("no data set", null, 0);
        }
        catch (Exception e) when (e is MiraException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new DeidFileRecord(input, null, DeidFileStatus.NotDicom, e.Message, null, null, null, null, null, null, false);
        }
        try
        {
            var r = engine.Deidentify(file.Dataset, file.TransferSyntax);
            if (r.Status == DeidStatus.Quarantined)
                return new DeidFileRecord(input, null, DeidFileStatus.Quarantined, r.Reason, r.OriginalSopInstanceUid, null,
                    r.OriginalStudyInstanceUid, null, r.OriginalSeriesInstanceUid, null, false);
            var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
            if (createdDirs is null || createdDirs.TryAdd(dir, true)) Directory.CreateDirectory(dir);
            using (var fs = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                Write(fs, engine, r.Dataset!, r.TransferSyntax!, file.FileMetaInformation);
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
