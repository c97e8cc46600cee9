using System.Security.Cryptography;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Dicom.Values;
using Mira.Storage.Blobs;
using Mira.Storage.Index;

namespace Mira.Platform.Intake;

/// <summary>
/// One received part, parsed once: its bytes, the file read with <see cref="DicomReadOptions.Untrusted"/> limits (large
/// values such as Pixel Data stay in the bytes until asked for), its UIDs and index row, or why it is refused. The
/// transports' checks (STOW-RS target study), duplicate detection, the index row and the project rules all read this
/// one parse.
/// </summary>
public sealed class IncomingInstance
{
    IncomingInstance(ReadOnlyMemory<byte> data, IngestSource source) => (Data, Source) = (data, source);

    public ReadOnlyMemory<byte> Data { get; }
    public IngestSource Source { get; }
    /// <summary>The parsed file; null when the part is not readable DICOM.</summary>
    public DicomFile? File { get; private set; }
    /// <summary>The index row; null when refused.</summary>
    public InstanceRecord? Record { get; private set; }
    /// <summary>Why the part is refused; null when it can be stored.</summary>
    public StoreResult? Refusal { get; private set; }
    /// <summary>The Study Instance UID the object itself carries (null when it has none and is filed under a derived one).</summary>
    public string? OwnStudyUid { get; private set; }

    public string? SopClassUid => Record?.SopClassUid ?? Refusal?.SopClassUid;
    public string? SopInstanceUid => Record?.SopInstanceUid ?? Refusal?.SopInstanceUid;

    /// <summary>A part refused before parsing (e.g. a multipart part of another media type).</summary>
    public static IncomingInstance Refused(ReadOnlyMemory<byte> data, IngestSource source, StoreResult refusal) => new(data, source) { Refusal = refusal };

    /// <summary>
    /// Refuses this part unless the object belongs to <paramref name="study"/> (STOW-RS to <c>/studies/{study}</c>,
    /// PS3.18 §10.5.1: every instance of the request must belong to the target study).
    /// </summary>
    public void RequireStudy(string study)
    {
        if (Refusal is not null || OwnStudyUid == study) return;
        Refusal = StoreResult.Refuse(StoreRefusal.NotInTargetStudy, StoreStatus.DataSetDoesNotMatchSopClass,
            OwnStudyUid is null
                ? $"the instance has no Study Instance UID (0020,000D), so it does not belong to the target study {study}; POST it to /studies"
                : $"Study Instance UID {OwnStudyUid} is not the target study {study}", SopClassUid, SopInstanceUid);
        Record = null;
    }

    /// <summary>
    /// Parses and validates a part and builds its index row (no I/O): it must be readable and complete, within
    /// <paramref name="limits"/> (default <see cref="IntakeLimits.Default"/>: how far a deflated data set inflates, how
    /// large its pixel data is once decoded, from the header alone), and carry a SOP Instance UID and a SOP Class UID
    /// (in the data set or its file meta information); one without Study or Series Instance UID is filed under derived
    /// UIDs (<see cref="PlacementUid"/>).
    /// </summary>
    public static IncomingInstance Parse(ReadOnlyMemory<byte> data, IngestSource source, IntakeLimits? limits = null)
    {
        limits ??= IntakeLimits.Default;
        var part = new IncomingInstance(data, source);
        DicomFile file;
        try
        {
            file = DicomFile.Read(data, limits.ReadOptions);
        }
        catch (DicomFormatException e) when (e.Code == DicomReadProblemCode.InflationLimit)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.InflatedTooLarge, StoreStatus.OutOfResources, $"not stored: {e.Message}");
            return part;
        }
        catch (Exception e) when (e is DicomFormatException or InvalidDataException or EndOfStreamException or ArgumentException or OverflowException or InvalidOperationException)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.Unreadable, StoreStatus.CannotUnderstand, $"not a readable DICOM object: {e.Message}");
            return part;
        }
        return Complete(part, file, limits, () => Convert.ToHexStringLower(SHA256.HashData(data.Span)), data.Length);
    }

    /// <summary>
    /// Parses a Part 10 file Mira composed at a staging path (a converted slide level: too large to hold in memory),
    /// given its SHA-256 and length, computed as it was written: the header is read up to Pixel Data, with the same
    /// checks as <see cref="Parse"/>; the blob store later adopts the file itself (<see cref="IngestService"/>).
    /// </summary>
    public static IncomingInstance ParseStaged(string stagedFile, string sha256, long length, IngestSource source, IntakeLimits? limits = null)
    {
        limits ??= IntakeLimits.Default;
        var part = new IncomingInstance(ReadOnlyMemory<byte>.Empty, source) { StagedFile = stagedFile };
        DicomFile file;
        try
        {
            using var stream = new FileStream(stagedFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            file = DicomFile.Read(stream, limits.ReadOptions with { StopBeforePixelData = true });
        }
        catch (Exception e) when (e is DicomFormatException or InvalidDataException or EndOfStreamException or ArgumentException or OverflowException or InvalidOperationException or IOException)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.Unreadable, StoreStatus.CannotUnderstand, $"not a readable DICOM object: {e.Message}");
            return part;
        }
        return Complete(part, file, limits, () => sha256, length);
    }

    /// <summary>The file a staged part's bytes are in (see <see cref="ParseStaged"/>); null when they are in <see cref="Data"/>.</summary>
    public string? StagedFile { get; private init; }

    static IncomingInstance Complete(IncomingInstance part, DicomFile file, IntakeLimits limits, Func<string> hash, long length)
    {
        part.File = file;
        if (file.IsTruncated)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.Truncated, StoreStatus.CannotUnderstand, "the object is truncated");
            return part;
        }

        string? sopClass, sopInstance, study, series;
        try
        {
            sopClass = Uid(file.Dataset, DicomTags.SOPClassUID);
            sopInstance = Uid(file.Dataset, DicomTags.SOPInstanceUID);
            study = Uid(file.Dataset, DicomTags.StudyInstanceUID);
            series = Uid(file.Dataset, DicomTags.SeriesInstanceUID);
        }
        catch (Exception e) when (e is DicomFormatException or ArgumentException or InvalidOperationException)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.UnreadableAttributes, StoreStatus.CannotUnderstand, $"unreadable identifying attributes: {e.Message}");
            return part;
        }
        part.OwnStudyUid = study;
        if (limits.DecodedSizeProblem(file.Dataset) is { } tooLarge)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.DecodedTooLarge, StoreStatus.OutOfResources, "not stored: " + tooLarge,
                sopClass ?? Uid(file.FileMetaInformation, DicomTags.MediaStorageSOPClassUID), sopInstance);
            return part;
        }
        sopClass ??= Uid(file.FileMetaInformation, DicomTags.MediaStorageSOPClassUID);
        string[] missing = [.. new[] { ("SOP Class UID (0008,0016)", sopClass), ("SOP Instance UID (0008,0018)", sopInstance) }
            .Where(x => x.Item2 is null).Select(x => x.Item1)];
        if (missing.Length > 0)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.MissingAttributes, StoreStatus.DataSetDoesNotMatchSopClass, "missing " + string.Join(", ", missing),
                sopClass, sopInstance) with { Missing = missing };
            return part;
        }
        if (study is null) file.Dataset.Set(DicomTags.StudyInstanceUID, PlacementUid("study", sopInstance!));
        if (series is null) file.Dataset.Set(DicomTags.SeriesInstanceUID, PlacementUid("series", sopInstance!));

        var sha = hash();
        try
        {
            part.Record = InstanceRecord.From(file, FileBlobStore.KeyFor(sopInstance!, sha), length, sha, part.Source.ToString());
        }
        catch (Exception e) when (e is DicomFormatException or ArgumentException or InvalidOperationException or FormatException)
        {
            part.Refusal = StoreResult.Refuse(StoreRefusal.Unindexable, StoreStatus.CannotUnderstand, $"cannot index the object: {e.Message}", sopClass, sopInstance);
        }
        return part;
    }

    /// <summary>
    /// The UID under which an instance that lacks a Study or Series Instance UID of its own (e.g. a stand-alone palette
    /// or a codec test image) is filed at <paramref name="level"/>: the 2.25 form of SHA-256 (PS3.5 §B.2) of its SOP
    /// Instance UID, so that it has a place in the hierarchy QIDO-RS and WADO-RS address. Only the index sees these UIDs;
    /// the stored object stays byte-identical.
    /// </summary>
    public static string PlacementUid(string level, string sopInstance) =>
        DicomUid.FromHash(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"mira-placement:{level}:{sopInstance}")));

    static string? Uid(DicomDataset ds, DicomTag tag) =>
        ds.GetString(tag) is { Length: > 0 } s && s.Trim('\0', ' ') is { Length: > 0 } t ? t : null;
}
