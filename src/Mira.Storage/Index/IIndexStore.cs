using Mira.Dicom;
using Mira.Storage.Query;

namespace Mira.Storage.Index;

/// <summary>What the index holds about one stored instance.</summary>
public sealed record StoredInstance(
    string SopInstanceUid, string SopClassUid, string StudyInstanceUid, string SeriesInstanceUid,
    string? TransferSyntaxUid, string BlobKey, long BlobSize, string Sha256, string ReceivedUtc);

/// <summary>Whether <see cref="IIndexStore.AddAsync"/> added a row, or found one under the same SOP Instance UID.</summary>
public enum IndexAddOutcome { Added, Existing }

public sealed record IndexAddResult(IndexAddOutcome Outcome, StoredInstance Instance);

/// <summary>
/// The archive index: patients, studies, series and instances with the attributes QIDO-RS matches and returns
/// (PS3.18 §10.6), each instance's blob key, size, SHA-256 and DICOM JSON metadata. SOP Instance UIDs are unique.
/// </summary>
public interface IIndexStore
{
    StorageDatabase Database { get; }

    /// <summary>
    /// Adds the rows in one transaction (one commit per batch). A row whose SOP Instance UID is already indexed
    /// is not added: its result is <see cref="IndexAddOutcome.Existing"/> with the row found, so the caller can tell
    /// an identical resend from a conflict. Returns only after the commit.
    /// </summary>
    Task<IReadOnlyList<IndexAddResult>> AddAsync(IReadOnlyList<InstanceRecord> records, CancellationToken ct = default);

    Task<StoredInstance?> FindInstanceAsync(string sopInstanceUid, CancellationToken ct = default);

    /// <summary>
    /// The instance rows of a study, or of one series of it, in insertion order, in one query (WADO-RS retrieve
    /// and metadata, DELETE). Empty when nothing matches.
    /// </summary>
    Task<IReadOnlyList<StoredInstance>> FindInstancesAsync(string studyInstanceUid, string? seriesInstanceUid = null, CancellationToken ct = default);

    /// <summary>True when some row points at this blob key.</summary>
    Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken ct = default);

    /// <summary>Removes an instance row, and its series, study and patient when they become empty.</summary>
    Task<bool> RemoveInstanceAsync(string sopInstanceUid, CancellationToken ct = default);

    /// <summary>Every instance row, in insertion order.</summary>
    IAsyncEnumerable<StoredInstance> EnumerateInstancesAsync(CancellationToken ct = default);

    /// <summary>Every series with instances and what statistics count of it (<see cref="SeriesFacts"/>), in insertion order.</summary>
    IAsyncEnumerable<SeriesFacts> EnumerateSeriesFactsAsync(CancellationToken ct = default);

    /// <summary>QIDO-RS Search for Studies (PS3.18 §10.6.1.1, /studies).</summary>
    Task<IReadOnlyList<DicomDataset>> QueryStudiesAsync(QidoQuery query, CancellationToken ct = default);

    /// <summary>QIDO-RS Search for Series, in all studies or in <paramref name="studyInstanceUid"/>.</summary>
    Task<IReadOnlyList<DicomDataset>> QuerySeriesAsync(QidoQuery query, string? studyInstanceUid = null, CancellationToken ct = default);

    /// <summary>QIDO-RS Search for Instances, in all studies, a study, or a series of a study.</summary>
    Task<IReadOnlyList<DicomDataset>> QueryInstancesAsync(QidoQuery query, string? studyInstanceUid = null, string? seriesInstanceUid = null, CancellationToken ct = default);
}
