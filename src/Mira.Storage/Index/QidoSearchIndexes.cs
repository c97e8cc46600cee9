namespace Mira.Storage.Index;

/// <summary>
/// Indexes for QIDO-RS at scale (step 18 of <see cref="Migrations.MigrationCatalog.Intake"/>), measured at 10 million
/// instances in docs/scale.md.
/// <para>
/// A study or series result is built from its first instance's metadata (the lowest id) and counts its instances. On
/// PostgreSQL an index on <c>series_fk</c> alone gives the instances of a series in no useful order, so finding the
/// first one read every instance row (and its metadata) of the study: 100 heap rows per result, ~11,000 buffers for a
/// page of 100 studies. <c>(series_fk, id)</c> answers both from the index (the lowest id, the count) and replaces
/// the one-column index. SQLite needs nothing: an index there ends with the rowid, which is <c>id</c>.
/// </para>
/// <para>
/// Person Names: a name is matched on its alphabetic, ideographic and phonetic groups at once (<c>… OR …</c>), so each group needs an
/// index or the OR reads the whole patients table. Wildcard matching (PS3.4 §C.2.2.2.4) is <c>LIKE 'SMITH%'</c> on
/// PostgreSQL, which a plain B-tree serves only under the C collation: the <c>text_pattern_ops</c> indexes serve a
/// prefix under any collation (and equality too). SQLite's GLOB uses the ordinary (BINARY) index for a prefix.
/// </para>
/// </summary>
internal static class QidoSearchIndexes
{
    public static IReadOnlyList<string> Statements(StorageProvider provider) => provider == StorageProvider.PostgreSql
        ?
        [
            "CREATE INDEX IF NOT EXISTS ix_patients_name_a_pattern ON patients (patient_name_a text_pattern_ops)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_i_pattern ON patients (patient_name_i text_pattern_ops)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_p_pattern ON patients (patient_name_p text_pattern_ops)",
            "CREATE INDEX IF NOT EXISTS ix_instances_series_id ON instances (series_fk, id)",
            "DROP INDEX IF EXISTS ix_instances_series",
        ]
        :
        [
            "CREATE INDEX IF NOT EXISTS ix_patients_name_i ON patients (patient_name_i)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_p ON patients (patient_name_p)",
        ];
}
