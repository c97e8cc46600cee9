namespace Mira.Storage.Index;

/// <summary>
/// Indexes for the Person Name searches of QIDO-RS (step 18 of <see cref="Migrations.MigrationCatalog.Intake"/>).
/// A name is matched on its alphabetic, ideographic and phonetic groups at once (<c>… OR …</c>), so each group needs an
/// index or the OR reads the whole patients table. Wildcard matching (PS3.4 §C.2.2.2.4) is <c>LIKE 'SMITH%'</c> on
/// PostgreSQL, which a plain B-tree serves only under the C collation: the <c>text_pattern_ops</c> indexes serve a
/// prefix under any collation (and equality too). SQLite's GLOB uses the ordinary (BINARY) index for a prefix.
/// Measured at 10 million instances in docs/scale.md.
/// </summary>
internal static class QidoSearchIndexes
{
    public static IReadOnlyList<string> Statements(StorageProvider provider) => provider == StorageProvider.PostgreSql
        ?
        [
            "CREATE INDEX IF NOT EXISTS ix_patients_name_a_pattern ON patients (patient_name_a text_pattern_ops)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_i_pattern ON patients (patient_name_i text_pattern_ops)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_p_pattern ON patients (patient_name_p text_pattern_ops)",
        ]
        :
        [
            "CREATE INDEX IF NOT EXISTS ix_patients_name_i ON patients (patient_name_i)",
            "CREATE INDEX IF NOT EXISTS ix_patients_name_p ON patients (patient_name_p)",
        ];
}
