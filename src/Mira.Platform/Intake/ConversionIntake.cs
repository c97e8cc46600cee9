using System.Security.Cryptography;
using Mira.Conversion;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Intake;

/// <summary>What one converted source became: its converter, subject and the store result of every object made.</summary>
public sealed record ConvertedSource(string Path, string Converter, ConversionSubject Subject, IReadOnlyList<ConvertedStore> Objects)
{
    public int Stored => Objects.Count(o => o.Result.Outcome == StoreOutcome.Stored);
    public int AlreadyStored => Objects.Count(o => o.Result.Outcome == StoreOutcome.AlreadyStored);
    public int Refused => Objects.Count(o => !o.Result.IsSuccess);
}

/// <summary>One converted object and how its store went.</summary>
public sealed record ConvertedStore(string Description, string SopClassUid, string SopInstanceUid, string StudyInstanceUid, string SeriesInstanceUid, StoreResult Result);

/// <summary>
/// Non-DICOM sources into the archive (issue 16: NIfTI, photographs, whole-slide images): the file's converter (chosen
/// by content) makes DICOM objects, and each goes through the same intake session as any DICOM — one parse, ingest,
/// project rules, the session's audit record — so de-identification and projects treat them as any other instance.
/// Small objects (a slice, a photograph) are composed in memory and stored in batches; an object whose pixels are
/// produced frame by frame (a slide level) is composed into a staging file of the blob store, hashed as it is written,
/// and adopted by the store by rename: memory holds one frame at a time, whatever the slide's size.
/// </summary>
public sealed class ConversionIntake(IngestService ingest, IIndexStore index, IBlobStore blobs, ImageConverters converters)
{
    /// <summary>Objects with native pixels up to this size are composed in memory.</summary>
    public long InMemoryLimit { get; init; } = 64L << 20;

    public ImageConverters Converters => converters;

    /// <summary>What <see cref="ImportLabelsAsync"/> reports as the converter (the patient is the series', not a subject's).</summary>
    public const string LabelsConverterName = "NIfTI labels";

    /// <summary>The converter for a file, or null (DICOM, or not a kind Mira converts).</summary>
    public IImageConverter? Detect(string path) => converters.Detect(path);

    /// <summary>
    /// Converts <paramref name="path"/> and stores what it becomes through <paramref name="session"/>. Throws
    /// <see cref="ConversionException"/> when the file cannot be converted: objects already stored from it stay (each was
    /// acknowledged), and the exception says how far it got.
    /// </summary>
    public Task<ConvertedSource> ImportAsync(IntakeSession session, string path, IImageConverter converter, ConversionRequest request, CancellationToken ct = default) =>
        StoreAllAsync(session, path, converter.Name, request.Subject, converter.Convert(path, request, ct), ct);

    /// <summary>
    /// A NIfTI label volume as a DICOM Segmentation of the stored series <paramref name="seriesUid"/> (its patient,
    /// study and frame of reference; the label grid must be the series'): <c>mira import --labels-for</c>.
    /// </summary>
    public async Task<ConvertedSource> ImportLabelsAsync(IntakeSession session, string path, string seriesUid, ConversionRequest request, CancellationToken ct = default)
    {
        if (converters.Detect(path) is not Mira.Conversion.Nifti.NiftiConverter)
            throw new ConversionException($"{path}: a label volume must be a NIfTI file");
        var found = await index.QuerySeriesAsync(Mira.Storage.Query.QidoQuery.Parse([new("SeriesInstanceUID", seriesUid)]), null, ct);
        if (found.Count == 0 || found[0].GetString(Mira.Dicom.DicomTags.StudyInstanceUID) is not { } study)
            throw new ConversionException($"{path}: no stored series {seriesUid} to put the segmentation on");
        var instances = await index.FindInstancesAsync(study, seriesUid, ct);
        var headers = instances.Select(si => StoredObjects.ReadForMetadata(blobs, si).Dataset).ToList();
        var seg = Mira.Conversion.Nifti.NiftiSegmentationConverter.Convert(path, headers, request);
        return await StoreAllAsync(session, path, LabelsConverterName, request.Subject, [seg], ct);
    }

    async Task<ConvertedSource> StoreAllAsync(IntakeSession session, string path, string converterName, ConversionSubject subject,
        IEnumerable<ConvertedInstance> made, CancellationToken ct)
    {
        var results = new List<ConvertedStore>();
        var batch = new List<(ConvertedInstance Instance, byte[] Bytes)>();
        async Task FlushAsync()
        {
            if (batch.Count == 0) return;
            var parsed = ingest.Parse([.. batch.Select(b => (ReadOnlyMemory<byte>)b.Bytes)], _ => session.Context.Source, ct);
            var stored = await session.StoreAsync(parsed, ct);
            for (var i = 0; i < batch.Count; i++) results.Add(Describe(batch[i].Instance, stored[i]));
            batch.Clear();
        }
        try
        {
            foreach (var instance in made)
            {
                if (IsSmall(instance))
                {
                    using var ms = new MemoryStream();
                    Part10Writer.Write(ms, instance, ct);
                    batch.Add((instance, ms.ToArray()));
                    if (batch.Count >= ingest.BatchSize) await FlushAsync();
                    continue;
                }
                await FlushAsync();
                results.Add(Describe(instance, await StoreStagedAsync(session, instance, ct)));
            }
            await FlushAsync();
        }
        catch (ConversionException e) when (results.Count > 0)
        {
            throw new ConversionException($"{e.Message} (after {results.Count} object(s) of it were stored)", e);
        }
        return new ConvertedSource(path, converterName, subject, results);
    }

    bool IsSmall(ConvertedInstance instance) => instance.Pixels switch
    {
        NativePixels n => n.Length <= InMemoryLimit,
        EncapsulatedFrames f => f.Count == 1,
        _ => false,
    };

    /// <summary>
    /// Objects Mira composed frame by frame are bounded per frame by the converter; their total decoded size (a 40x
    /// slide level runs to tens of gigabytes) is not a cost any single operation pays, so only the per-frame limit applies.
    /// </summary>
    IntakeLimits StagedLimits => ingest.Limits with { MaxDecodedBytes = long.MaxValue };

    async Task<StoreResult> StoreStagedAsync(IntakeSession session, ConvertedInstance instance, CancellationToken ct)
    {
        var staged = blobs.NewStagingFile();
        try
        {
            string sha;
            long length;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await using (var file = new FileStream(staged, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                {
                    var hashing = new ObservedWriteStream(file, hash.AppendData);
                    length = Part10Writer.Write(hashing, instance, ct);
                }
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            var parsed = IncomingInstance.ParseStaged(staged, sha, length, session.Context.Source, StagedLimits);
            return (await session.StoreAsync([parsed], ct))[0];
        }
        finally
        {
            if (File.Exists(staged)) File.Delete(staged); // stored already (adopted), or refused
        }
    }

    /// <summary>
    /// A converted object's UIDs are derived from its source file's SHA-256 and the subject (<see cref="ConversionUids"/>):
    /// an object already stored under the same SOP Instance UID was made from the same file for the same patient and
    /// study. When only what the conversion cannot reproduce differs (an upload's file time, carried into Content
    /// Date), it is the same object: "already stored", not a conflict.
    /// </summary>
    static StoreResult Reconverted(StoreResult result) => result.Refusal == StoreRefusal.Conflict
        ? new StoreResult(StoreOutcome.AlreadyStored, StoreStatus.Success, result.SopClassUid, result.SopInstanceUid,
            "an object converted from the same file with the same attributes is already stored")
        : result;

    static ConvertedStore Describe(ConvertedInstance instance, StoreResult result) => Make(instance, Reconverted(result));

    static ConvertedStore Make(ConvertedInstance instance, StoreResult result) => new(instance.Description, instance.SopClassUid,
        instance.SopInstanceUid, instance.Header.GetString(Mira.Dicom.DicomTags.StudyInstanceUID) ?? "",
        instance.Header.GetString(Mira.Dicom.DicomTags.SeriesInstanceUID) ?? "", result);
}
