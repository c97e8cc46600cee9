using System.Runtime.CompilerServices;
using Mira.Dicom;
using Mira.Storage;
using Mira.Storage.Index;
using Mira.Storage.Query;

namespace Mira.Platform.Datasets;

/// <summary>
/// A project's index as someone who may not reach its sequestered cases sees it: every study holding a case of a
/// sequestered release is absent — searches (QIDO-RS) do not return it, its series or its instances, and look-ups by UID
/// (WADO-RS retrieve, metadata, frames, bulk data, rendered images, thumbnails) find nothing, so the answer is the same
/// 404 as for a UID that was never stored. Writes pass through (a project archive takes only annotation objects). A
/// search's limit and offset apply before the filter, so a page may come back shorter than its limit.
/// </summary>
public sealed class SequesteredIndexView : IIndexStore
{
    readonly IIndexStore inner;
    readonly IReadOnlySet<string> studies, series, instances;

    SequesteredIndexView(IIndexStore inner, IReadOnlySet<string> studies, IReadOnlySet<string> series, IReadOnlySet<string> instances)
    {
        this.inner = inner;
        this.studies = studies;
        this.series = series;
        this.instances = instances;
    }

    /// <summary>The index itself when nothing is hidden; else the view, with every series and instance of the hidden studies.</summary>
    public static async Task<IIndexStore> CreateAsync(IIndexStore index, SequesteredCases hidden, CancellationToken ct = default)
    {
        if (hidden.IsEmpty) return index;
        var series = new HashSet<string>(hidden.Series, StringComparer.Ordinal);
        var instances = new HashSet<string>(StringComparer.Ordinal);
        foreach (var study in hidden.Studies)
            foreach (var i in await index.FindInstancesAsync(study, null, ct))
            {
                series.Add(i.SeriesInstanceUid);
                instances.Add(i.SopInstanceUid);
            }
        return new SequesteredIndexView(index, hidden.Studies, series, instances);
    }

    bool Hidden(StoredInstance i) => studies.Contains(i.StudyInstanceUid) || series.Contains(i.SeriesInstanceUid) || instances.Contains(i.SopInstanceUid);

    bool Hidden(DicomDataset d) =>
        d.GetString(DicomTags.StudyInstanceUID) is { } st && studies.Contains(st.Trim())
        || d.GetString(DicomTags.SeriesInstanceUID) is { } se && series.Contains(se.Trim())
        || d.GetString(DicomTags.SOPInstanceUID) is { } sop && instances.Contains(sop.Trim());

    public StorageDatabase Database => inner.Database;

    public Task<IReadOnlyList<IndexAddResult>> AddAsync(IReadOnlyList<InstanceRecord> records, CancellationToken ct = default) => inner.AddAsync(records, ct);

    public async Task<StoredInstance?> FindInstanceAsync(string sopInstanceUid, CancellationToken ct = default) =>
        await inner.FindInstanceAsync(sopInstanceUid, ct) is { } i && !Hidden(i) ? i : null;

    public async Task<IReadOnlyList<StoredInstance>> FindInstancesAsync(string studyInstanceUid, string? seriesInstanceUid = null, CancellationToken ct = default) =>
        studies.Contains(studyInstanceUid) ? [] : [.. (await inner.FindInstancesAsync(studyInstanceUid, seriesInstanceUid, ct)).Where(i => !Hidden(i))];

    public Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken ct = default) => inner.IsBlobReferencedAsync(blobKey, ct);

    public Task<bool> RemoveInstanceAsync(string sopInstanceUid, CancellationToken ct = default) =>
        instances.Contains(sopInstanceUid) ? Task.FromResult(false) : inner.RemoveInstanceAsync(sopInstanceUid, ct);

    public async IAsyncEnumerable<StoredInstance> EnumerateInstancesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var i in inner.EnumerateInstancesAsync(ct))
            if (!Hidden(i)) yield return i;
    }

    public async IAsyncEnumerable<SeriesFacts> EnumerateSeriesFactsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var f in inner.EnumerateSeriesFactsAsync(ct))
            if (!studies.Contains(f.StudyInstanceUid) && !series.Contains(f.SeriesInstanceUid)) yield return f;
    }

    public async Task<IReadOnlyList<DicomDataset>> QueryStudiesAsync(QidoQuery query, CancellationToken ct = default) =>
        [.. (await inner.QueryStudiesAsync(query, ct)).Where(d => !Hidden(d))];

    public async Task<IReadOnlyList<DicomDataset>> QuerySeriesAsync(QidoQuery query, string? studyInstanceUid = null, CancellationToken ct = default) =>
        studyInstanceUid is not null && studies.Contains(studyInstanceUid) ? [] : [.. (await inner.QuerySeriesAsync(query, studyInstanceUid, ct)).Where(d => !Hidden(d))];

    public async Task<IReadOnlyList<DicomDataset>> QueryInstancesAsync(QidoQuery query, string? studyInstanceUid = null, string? seriesInstanceUid = null,
        CancellationToken ct = default) =>
        studyInstanceUid is not null && studies.Contains(studyInstanceUid) || seriesInstanceUid is not null && series.Contains(seriesInstanceUid)
            ? []
            : [.. (await inner.QueryInstancesAsync(query, studyInstanceUid, seriesInstanceUid, ct)).Where(d => !Hidden(d))];
}
