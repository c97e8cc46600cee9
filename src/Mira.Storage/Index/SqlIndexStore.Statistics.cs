using System.Runtime.CompilerServices;
using Dapper;
using Mira.Dicom;

namespace Mira.Storage.Index;

/// <summary>
/// What statistics need of one series: its patient (by row id only, for counting), study, modality and dates, the
/// patient's sex and birth date, Patient's Age (0010,1010) and Institution Name (0008,0080) from its first
/// instance's metadata (as QIDO-RS reads series attributes, PS3.18 §10.6.3), how that instance came in
/// (<c>instances.source</c>) and how many instances the series has.
/// </summary>
public sealed record SeriesFacts(
    long PatientRow, string StudyInstanceUid, string SeriesInstanceUid, string? Modality, int? StudyDate,
    string? PatientSex, int? PatientBirthDate, string? PatientAge, string? InstitutionName, string? Source, long Instances);

public sealed partial class SqlIndexStore
{
    sealed class FactsRow
    {
        public long PatientRow { get; set; }
        public string StudyUid { get; set; } = "";
        public string SeriesUid { get; set; } = "";
        public string? Modality { get; set; }
        public long? StudyDate { get; set; }
        public string? PatientSex { get; set; }
        public long? BirthDate { get; set; }
        public long Instances { get; set; }
        public string? Metadata { get; set; }
        public string? Source { get; set; }
    }

    /// <summary>Every series with instances, in insertion order: one query, the first instance's metadata read per series.</summary>
    public async IAsyncEnumerable<SeriesFacts> EnumerateSeriesFactsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        const string sql = """
            SELECT st.patient_fk AS PatientRow, st.study_uid AS StudyUid, se.series_uid AS SeriesUid, se.modality AS Modality,
              st.study_date AS StudyDate, p.patient_sex AS PatientSex, p.patient_birth_date AS BirthDate,
              (SELECT COUNT(*) FROM instances i WHERE i.series_fk = se.id) AS Instances,
              (SELECT i.metadata FROM instances i WHERE i.series_fk = se.id ORDER BY i.id LIMIT 1) AS Metadata,
              (SELECT i.source FROM instances i WHERE i.series_fk = se.id ORDER BY i.id LIMIT 1) AS Source
            FROM series se JOIN studies st ON se.study_fk = st.id JOIN patients p ON st.patient_fk = p.id
            ORDER BY se.id
            """;
        await using var c = await OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(sql, cancellationToken: ct));
        var parser = reader.GetRowParser<FactsRow>();
        while (await reader.ReadAsync(ct))
        {
            var r = parser(reader);
            if (r.Instances == 0) continue;
            var picked = MetadataProjection.Select(r.Metadata, t => t == DicomTags.PatientAge || t == DicomTags.InstitutionName);
            yield return new SeriesFacts(r.PatientRow, r.StudyUid, r.SeriesUid, r.Modality, (int?)r.StudyDate, r.PatientSex, (int?)r.BirthDate,
                Text(picked, DicomTags.PatientAge), Text(picked, DicomTags.InstitutionName), r.Source, r.Instances);
        }
    }

    static string? Text(DicomDataset ds, DicomTag tag)
    {
        var s = ds.GetString(tag)?.Trim();
        return string.IsNullOrEmpty(s) ? null : s;
    }
}
