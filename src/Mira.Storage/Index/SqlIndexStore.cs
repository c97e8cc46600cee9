using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Mira.Storage.Index;

/// <summary>
/// The index on SQLite or PostgreSQL through Dapper, with one SQL text for both where the dialects agree
/// (<c>INSERT … ON CONFLICT DO NOTHING</c>, <c>LIMIT/OFFSET</c>); only identity columns and wildcard operators differ.
/// </summary>
public sealed partial class SqlIndexStore : IIndexStore
{
    readonly SemaphoreSlim sqliteWriter = new(1, 1);

    /// <summary>The index on a database whose schema is migrated already (the composition root migrates once).</summary>
    public SqlIndexStore(StorageDatabase database) => Database = database;

    public StorageDatabase Database { get; }

    /// <summary>
    /// Opens the index, migrating its database first (<see cref="Migrations.MigrationRunner"/>): the intake set by
    /// default, <see cref="Migrations.MigrationCatalog.ProjectIndex"/> for a project's research index.
    /// </summary>
    public static async Task<SqlIndexStore> OpenAsync(StorageDatabase database, CancellationToken ct = default) =>
        await OpenAsync(database, Migrations.MigrationCatalog.Intake, ct);

    public static async Task<SqlIndexStore> OpenAsync(StorageDatabase database, Migrations.MigrationSet schema, CancellationToken ct = default)
    {
        await Migrations.MigrationRunner.ApplyAsync(database, schema, ct);
        return new SqlIndexStore(database);
    }

    const string InstanceColumns = """
        i.sop_instance_uid AS SopInstanceUid, i.sop_class_uid AS SopClassUid, st.study_uid AS StudyInstanceUid,
        se.series_uid AS SeriesInstanceUid, i.transfer_syntax_uid AS TransferSyntaxUid, i.blob_key AS BlobKey,
        i.blob_size AS BlobSize, i.sha256 AS Sha256, i.received_utc AS ReceivedUtc
        FROM instances i JOIN series se ON i.series_fk = se.id JOIN studies st ON se.study_fk = st.id
        """;

    public async Task<IReadOnlyList<IndexAddResult>> AddAsync(IReadOnlyList<InstanceRecord> records, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var serialise = Database.Provider == StorageProvider.Sqlite;
            if (serialise) await sqliteWriter.WaitAsync(ct);
            try
            {
                return await AddOnceAsync(records, ct);
            }
            catch (Exception e) when (attempt < 5 && IsTransient(e))
            {
                await Task.Delay(20 * attempt, ct);
            }
            finally
            {
                if (serialise) sqliteWriter.Release();
            }
        }
    }

    /// <summary>Deadlocks and serialisation failures (PostgreSQL 40P01, 40001), a concurrent unique insert (23505), busy SQLite.</summary>
    static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.SqlState is "40P01" or "40001" or "23505",
        SqliteException s => s.SqliteErrorCode is 5 or 6,
        _ => false,
    };

    async Task<IReadOnlyList<IndexAddResult>> AddOnceAsync(IReadOnlyList<InstanceRecord> records, CancellationToken ct)
    {
        await using var c = await Database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var results = new List<IndexAddResult>(records.Count);
        var patients = new Dictionary<string, long>();
        var studies = new Dictionary<string, long>();
        var series = new Dictionary<string, long>();
        foreach (var r in records)
        {
            if (!patients.TryGetValue(r.PatientKey, out var patientFk))
            {
                await c.ExecuteAsync("""
                    INSERT INTO patients (patient_key, patient_id, patient_name, patient_name_a, patient_name_i, patient_name_p, patient_birth_date, patient_sex)
                    VALUES (@PatientKey, @PatientId, @PatientName, @PatientNameA, @PatientNameI, @PatientNameP, @PatientBirthDate, @PatientSex)
                    ON CONFLICT (patient_key) DO NOTHING
                    """, r, tx);
                patients[r.PatientKey] = patientFk = await c.ExecuteScalarAsync<long>("SELECT id FROM patients WHERE patient_key = @PatientKey", r, tx);
            }
            if (!studies.TryGetValue(r.StudyInstanceUid, out var studyFk))
            {
                await c.ExecuteAsync("""
                    INSERT INTO studies (patient_fk, study_uid, study_date, study_time, accession_number, referring_physician_name,
                      referring_physician_name_a, referring_physician_name_i, referring_physician_name_p, study_id, study_description)
                    VALUES (@patientFk, @StudyInstanceUid, @StudyDate, @StudyTime, @AccessionNumber, @ReferringPhysicianName,
                      @ReferringPhysicianNameA, @ReferringPhysicianNameI, @ReferringPhysicianNameP, @StudyId, @StudyDescription)
                    ON CONFLICT (study_uid) DO NOTHING
                    """, Merge(r, "patientFk", patientFk), tx);
                studies[r.StudyInstanceUid] = studyFk = await c.ExecuteScalarAsync<long>("SELECT id FROM studies WHERE study_uid = @StudyInstanceUid", r, tx);
            }
            if (!series.TryGetValue(r.SeriesInstanceUid, out var seriesFk))
            {
                await c.ExecuteAsync("""
                    INSERT INTO series (study_fk, series_uid, modality, series_number, series_description, pps_start_date, pps_start_time,
                      scheduled_procedure_step_id, requested_procedure_id)
                    VALUES (@studyFk, @SeriesInstanceUid, @Modality, @SeriesNumber, @SeriesDescription, @PerformedProcedureStepStartDate,
                      @PerformedProcedureStepStartTime, @ScheduledProcedureStepId, @RequestedProcedureId)
                    ON CONFLICT (series_uid) DO NOTHING
                    """, Merge(r, "studyFk", studyFk), tx);
                series[r.SeriesInstanceUid] = seriesFk = await c.ExecuteScalarAsync<long>("SELECT id FROM series WHERE series_uid = @SeriesInstanceUid", r, tx);
            }
            var added = await c.ExecuteAsync("""
                INSERT INTO instances (series_fk, sop_instance_uid, sop_class_uid, instance_number, transfer_syntax_uid, blob_key, blob_size, sha256, received_utc, source, metadata)
                VALUES (@seriesFk, @SopInstanceUid, @SopClassUid, @InstanceNumber, @TransferSyntaxUid, @BlobKey, @BlobSize, @Sha256, @ReceivedUtc, @Source, @Metadata)
                ON CONFLICT (sop_instance_uid) DO NOTHING
                """, Merge(r, "seriesFk", seriesFk), tx);
            var row = await c.QuerySingleAsync<StoredInstance>($"SELECT {InstanceColumns} WHERE i.sop_instance_uid = @SopInstanceUid", r, tx);
            results.Add(new IndexAddResult(added == 1 ? IndexAddOutcome.Added : IndexAddOutcome.Existing, row));
        }
        await tx.CommitAsync(ct);
        return results;
    }

    static DynamicParameters Merge(InstanceRecord r, string name, long value)
    {
        var p = new DynamicParameters(r);
        p.Add(name, value);
        return p;
    }

    public async Task<StoredInstance?> FindInstanceAsync(string sopInstanceUid, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<StoredInstance>($"SELECT {InstanceColumns} WHERE i.sop_instance_uid = @sopInstanceUid", new { sopInstanceUid });
    }

    public async Task<IReadOnlyList<StoredInstance>> FindInstancesAsync(string studyInstanceUid, string? seriesInstanceUid = null, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        var sql = $"SELECT {InstanceColumns} WHERE st.study_uid = @studyInstanceUid"
                  + (seriesInstanceUid is null ? "" : " AND se.series_uid = @seriesInstanceUid") + " ORDER BY i.id";
        var rows = await c.QueryAsync<StoredInstance>(new CommandDefinition(sql, new { studyInstanceUid, seriesInstanceUid }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<bool> IsBlobReferencedAsync(string blobKey, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM instances WHERE blob_key = @blobKey", new { blobKey }) > 0;
    }

    public async Task<bool> RemoveInstanceAsync(string sopInstanceUid, CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var seriesFk = await c.ExecuteScalarAsync<long?>("SELECT series_fk FROM instances WHERE sop_instance_uid = @sopInstanceUid", new { sopInstanceUid }, tx);
        if (seriesFk is null) return false;
        await c.ExecuteAsync("DELETE FROM instances WHERE sop_instance_uid = @sopInstanceUid", new { sopInstanceUid }, tx);
        var studyFk = await c.ExecuteScalarAsync<long>("SELECT study_fk FROM series WHERE id = @seriesFk", new { seriesFk }, tx);
        var patientFk = await c.ExecuteScalarAsync<long>("SELECT patient_fk FROM studies WHERE id = @studyFk", new { studyFk }, tx);
        await c.ExecuteAsync("DELETE FROM series WHERE id = @seriesFk AND NOT EXISTS (SELECT 1 FROM instances WHERE series_fk = @seriesFk)", new { seriesFk }, tx);
        await c.ExecuteAsync("DELETE FROM studies WHERE id = @studyFk AND NOT EXISTS (SELECT 1 FROM series WHERE study_fk = @studyFk)", new { studyFk }, tx);
        await c.ExecuteAsync("DELETE FROM patients WHERE id = @patientFk AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_fk = @patientFk)", new { patientFk }, tx);
        await tx.CommitAsync(ct);
        return true;
    }

    public async IAsyncEnumerable<StoredInstance> EnumerateInstancesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var c = await Database.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync($"SELECT {InstanceColumns} ORDER BY i.id");
        var parser = reader.GetRowParser<StoredInstance>();
        while (await reader.ReadAsync(ct)) yield return parser(reader);
    }

    internal Task<DbConnection> OpenAsync(CancellationToken ct) => Database.OpenAsync(ct);
}
