using System.Globalization;
using Dapper;
using Mira.Dicom;
using Mira.Dicom.Json;
using Mira.Storage.Query;

namespace Mira.Storage.Index;

/// <summary>QIDO-RS searches (PS3.18 §10.6): matching in SQL, results built from the stored metadata.</summary>
public sealed partial class SqlIndexStore
{
    const string FromStudies = " FROM studies st JOIN patients p ON st.patient_fk = p.id";
    const string FromSeries = " FROM series se JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id";
    const string FromInstances = " FROM instances i JOIN series se ON i.series_fk = se.id JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id";

    sealed class Row
    {
        public long Id { get; set; }
        public string? Metadata { get; set; }
        public long Count1 { get; set; }
        public long Count2 { get; set; }
    }

    public async Task<IReadOnlyList<DicomDataset>> QueryStudiesAsync(QidoQuery query, CancellationToken ct = default)
    {
        var (sql, parameters) = StudySql(query);
        await using var c = await OpenAsync(ct);
        var rows = (await c.QueryAsync<Row>(sql, parameters)).ToList();
        var modalities = (await c.QueryAsync<(long StudyFk, string Modality)>(
                ModalitiesSql,
                new { ids = rows.Select(r => r.Id).ToArray() }))
            .GroupBy(m => m.StudyFk).ToDictionary(g => g.Key, g => g.Select(m => m.Modality).Order(StringComparer.Ordinal).ToArray());
        return rows.Select(r =>
        {
            var ds = Select(r.Metadata, query, t => QidoAttributes.IsStudyLevel(t), QidoAttributes.StudyDefaults);
            ds.Set(DicomTags.InstanceAvailability, "ONLINE");
            ds.Set(DicomTags.ModalitiesInStudy, modalities.GetValueOrDefault(r.Id) ?? []);
            ds.Set(DicomTags.NumberOfStudyRelatedSeries, r.Count1.ToString(CultureInfo.InvariantCulture));
            ds.Set(DicomTags.NumberOfStudyRelatedInstances, r.Count2.ToString(CultureInfo.InvariantCulture));
            return ds;
        }).ToList();
    }

    public async Task<IReadOnlyList<DicomDataset>> QuerySeriesAsync(QidoQuery query, string? studyInstanceUid = null, CancellationToken ct = default)
    {
        var (sql, parameters) = SeriesSql(query, studyInstanceUid);
        await using var c = await OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(sql, parameters);
        var withStudy = studyInstanceUid is null;
        return rows.Select(r =>
        {
            var ds = Select(r.Metadata, query, t => QidoAttributes.IsSeriesLevel(t) || (withStudy && QidoAttributes.IsStudyLevel(t)),
                withStudy ? [.. QidoAttributes.SeriesDefaults, .. StudyDefaultsFromMetadata] : QidoAttributes.SeriesDefaults);
            ds.Set(DicomTags.NumberOfSeriesRelatedInstances, r.Count1.ToString(CultureInfo.InvariantCulture));
            return ds;
        }).ToList();
    }

    public async Task<IReadOnlyList<DicomDataset>> QueryInstancesAsync(QidoQuery query, string? studyInstanceUid = null, string? seriesInstanceUid = null, CancellationToken ct = default)
    {
        var (sql, parameters) = InstanceSql(query, studyInstanceUid, seriesInstanceUid);
        await using var c = await OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(sql, parameters);
        List<DicomTag> defaults = [.. QidoAttributes.InstanceDefaults];
        if (seriesInstanceUid is null) defaults.AddRange(QidoAttributes.SeriesDefaults.Where(t => t != DicomTags.NumberOfSeriesRelatedInstances));
        if (studyInstanceUid is null) defaults.AddRange(StudyDefaultsFromMetadata);
        return rows.Select(r =>
        {
            var ds = Select(r.Metadata, query, _ => true, defaults);
            ds.Set(DicomTags.InstanceAvailability, "ONLINE");
            return ds;
        }).ToList();
    }

    /// <summary>
    /// The study search's SQL: one row per study of the page, with its first instance's metadata and its counts. The
    /// page of ids is chosen first (an inner query with LIMIT/OFFSET) and the per-row subqueries run on that page only:
    /// in one flat query they ran for every row OFFSET skips as well. The first instance is found by its id alone (an
    /// index-only MIN over <c>(series_fk, id)</c>, migration 18) and only its metadata is read.
    /// </summary>
    internal (string Sql, DynamicParameters Parameters) StudySql(QidoQuery query)
    {
        var b = Build(query, QidoLevel.Study);
        var sql = "SELECT st.id AS Id," +
                  " (SELECT i.metadata FROM instances i WHERE i.id =" +
                  "   (SELECT MIN(i1.id) FROM instances i1 JOIN series s1 ON i1.series_fk = s1.id WHERE s1.study_fk = st.id)) AS Metadata," +
                  " (SELECT COUNT(*) FROM series s3 WHERE s3.study_fk = st.id) AS Count1," +
                  " (SELECT COUNT(*) FROM instances i4 JOIN series s4 ON i4.series_fk = s4.id WHERE s4.study_fk = st.id) AS Count2" +
                  " FROM (SELECT st.id" + FromStudies + b.Where + " ORDER BY st.id" + Page(query) + ") st ORDER BY st.id";
        return (sql, b.Parameters);
    }

    /// <summary>The Modalities in Study (0008,0061) of the studies <c>@ids</c> of a page.</summary>
    internal string ModalitiesSql =>
        "SELECT DISTINCT study_fk AS StudyFk, modality AS Modality FROM series WHERE modality IS NOT NULL AND " + Database.InList("study_fk", "@ids");

    /// <summary>The series search's SQL: one row per series of the page, with its first instance's metadata and its count.</summary>
    internal (string Sql, DynamicParameters Parameters) SeriesSql(QidoQuery query, string? studyInstanceUid)
    {
        var b = Build(query, QidoLevel.Series);
        if (studyInstanceUid is not null) b.AddEquals("st.study_uid", studyInstanceUid);
        var sql = "SELECT se.id AS Id," +
                  " (SELECT i.metadata FROM instances i WHERE i.series_fk = se.id ORDER BY i.id LIMIT 1) AS Metadata," +
                  " (SELECT COUNT(*) FROM instances i2 WHERE i2.series_fk = se.id) AS Count1, 0 AS Count2" +
                  " FROM (SELECT se.id" + FromSeries + b.Where + " ORDER BY se.id" + Page(query) + ") se ORDER BY se.id";
        return (sql, b.Parameters);
    }

    /// <summary>The instance search's SQL.</summary>
    internal (string Sql, DynamicParameters Parameters) InstanceSql(QidoQuery query, string? studyInstanceUid, string? seriesInstanceUid)
    {
        var b = Build(query, QidoLevel.Instance);
        if (studyInstanceUid is not null) b.AddEquals("st.study_uid", studyInstanceUid);
        if (seriesInstanceUid is not null) b.AddEquals("se.series_uid", seriesInstanceUid);
        var sql = "SELECT i.id AS Id, i.metadata AS Metadata, 0 AS Count1, 0 AS Count2" + FromInstances + b.Where + " ORDER BY i.id" + Page(query);
        return (sql, b.Parameters);
    }

    /// <summary>Study defaults that come from the instance metadata (the computed ones need the study query).</summary>
    static readonly DicomTag[] StudyDefaultsFromMetadata = QidoAttributes.StudyDefaults
        .Where(t => t != DicomTags.ModalitiesInStudy && t != DicomTags.NumberOfStudyRelatedSeries && t != DicomTags.NumberOfStudyRelatedInstances
                    && t != DicomTags.InstanceAvailability).ToArray();

    QidoSqlBuilder Build(QidoQuery query, QidoLevel level)
    {
        var b = new QidoSqlBuilder(Database, level);
        b.AddAll(query.Matches);
        return b;
    }

    static string Page(QidoQuery q) =>
        FormattableString.Invariant($" LIMIT {Math.Min(q.Limit ?? QidoQuery.MaxLimit, QidoQuery.MaxLimit)} OFFSET {q.Offset}");

    /// <summary>
    /// The attributes returned (PS3.18 §10.6.3.3): the level's defaults, the matching keys, the includefield
    /// attributes, and with <c>includefield=all</c> every attribute of the level present in the metadata.
    /// </summary>
    static DicomDataset Select(string? metadata, QidoQuery query, Func<DicomTag, bool> levelOfAll, IEnumerable<DicomTag> defaults)
    {
        var wanted = new HashSet<DicomTag>(defaults);
        foreach (var m in query.Matches) wanted.Add(m.Path[0]);
        foreach (var f in query.IncludeFields) wanted.Add(f[0]);
        return MetadataProjection.Select(metadata, t => wanted.Contains(t) || (query.IncludeAll && levelOfAll(t)));
    }
}
