using System.Text.Json;
using Dapper;
using Mira.Dicom;
using Mira.Storage.Index;
using Mira.Storage.Query;
using Npgsql;

namespace Mira.Storage.Tests.Index;

/// <summary>
/// The QIDO-RS queries Mira sends, planned by PostgreSQL on a synthetic index made by the generator of the scale
/// benchmark (bench/qido-scale/generate.sql, embedded): every shape must reach its rows through an index (no
/// sequential scan over patients, studies, series or instances) and return the rows a direct query finds. Timings
/// are measured by bench/qido-scale/run.sh (docs/scale.md), never asserted here.
/// </summary>
[Collection(PostgresServer.CollectionName)]
public sealed class QidoScalePlanTests(PostgresServer server)
{
    const int Patients = 1000; // 200 000 instances: 2 studies per patient, 4 series per study, 25 instances per series

    static readonly string[] IndexTables = ["patients", "studies", "series", "instances"];

    sealed record Shape(string Name, Func<SqlIndexStore, (string Sql, DynamicParameters Parameters)> Sql, string[] Indexes,
        Func<SqlIndexStore, Task<IReadOnlyList<DicomDataset>>> Run, DicomTag Key, string ExpectedSql, object? ExpectedParameters = null);

    [Fact]
    public async Task Every_QIDO_shape_reaches_its_rows_through_an_index_and_finds_what_a_direct_query_finds()
    {
        var db = await server.CreateDatabaseAsync();
        var store = await SqlIndexStore.OpenAsync(db);
        await using var c = new NpgsqlConnection(db.ConnectionString);
        await c.OpenAsync();
        await c.ExecuteAsync($"SET qido.patients = '{Patients}';\n" + GeneratorSql(), commandTimeout: 300);
        await c.ExecuteAsync("VACUUM (ANALYZE)", commandTimeout: 300);
        Assert.Equal(Patients * 200L, await c.ExecuteScalarAsync<long>("SELECT count(*) FROM instances"));
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM instances WHERE (metadata::jsonb -> '00080018' -> 'Value' ->> 0) IS DISTINCT FROM sop_instance_uid"));

        var (study, series) = await c.QuerySingleAsync<(string, string)>(
            "SELECT st.study_uid, se.series_uid FROM series se JOIN studies st ON st.id = se.study_fk WHERE se.id = 1234");
        var (patientId, accession, name, date) = await c.QuerySingleAsync<(string, string, string, int)>(
            "SELECT p.patient_id, st.accession_number, p.patient_name, st.study_date FROM studies st JOIN patients p ON p.id = st.patient_fk WHERE st.id = 777");
        var prefix = name[..(name.IndexOf('^') + 2)]; // surname and the given name's initial: Smith^J*
        var day = DateOnly.ParseExact(date.ToString(System.Globalization.CultureInfo.InvariantCulture), "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var last = int.Parse(day.AddDays(30).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
        var range = $"{date}-{last}";
        const string studyUids = "SELECT st.study_uid FROM studies st JOIN patients p ON p.id = st.patient_fk";
        Shape[] shapes =
        [
            new("instances in one series", s => s.InstanceSql(QidoQuery.Empty, study, series), ["series_series_uid_key", "ix_instances_series_id"],
                s => s.QueryInstancesAsync(QidoQuery.Empty, study, series), DicomTags.SOPInstanceUID,
                "SELECT i.sop_instance_uid FROM instances i JOIN series se ON se.id = i.series_fk WHERE se.series_uid = @series ORDER BY i.id", new { series }),
            new("series of one study", s => s.SeriesSql(QidoQuery.Empty, study), ["studies_study_uid_key", "ix_series_study"],
                s => s.QuerySeriesAsync(QidoQuery.Empty, study), DicomTags.SeriesInstanceUID,
                "SELECT se.series_uid FROM series se JOIN studies st ON st.id = se.study_fk WHERE st.study_uid = @study ORDER BY se.id", new { study }),
            new("instances of one study", s => s.InstanceSql(QidoQuery.Empty, study, null), ["studies_study_uid_key", "ix_series_study", "ix_instances_series_id"],
                s => s.QueryInstancesAsync(QidoQuery.Empty, study), DicomTags.SOPInstanceUID,
                "SELECT i.sop_instance_uid FROM instances i JOIN series se ON se.id = i.series_fk JOIN studies st ON st.id = se.study_fk WHERE st.study_uid = @study ORDER BY i.id", new { study }),
            Studies("PatientID=" + patientId, ["ix_patients_id", "ix_studies_patient"], studyUids + " WHERE p.patient_id = @patientId ORDER BY st.id", new { patientId }),
            Studies("StudyInstanceUID=" + study, ["studies_study_uid_key"], studyUids + " WHERE st.study_uid = @study", new { study }),
            Studies("AccessionNumber=" + accession, ["ix_studies_accession"], studyUids + " WHERE st.accession_number = @accession", new { accession }),
            Studies("PatientName=" + name.ToLowerInvariant(), [], studyUids + " WHERE upper(p.patient_name) = upper(@name) ORDER BY st.id", new { name }),
            Studies($"limit=100&PatientName={prefix}*", ["ix_patients_name_a_pattern", "ix_patients_name_i_pattern", "ix_patients_name_p_pattern"],
                studyUids + " WHERE p.patient_name LIKE @like ORDER BY st.id LIMIT 100", new { like = prefix + "%" }),
            Studies($"limit=100&ModalitiesInStudy=MR&StudyDate={range}", ["ix_studies_date"],
                studyUids + " WHERE st.study_date BETWEEN @lo AND @hi AND EXISTS (SELECT 1 FROM series x WHERE x.study_fk = st.id AND x.modality = 'MR') ORDER BY st.id LIMIT 100",
                new { lo = date, hi = last }),
            Studies("limit=100", ["studies_pkey"], studyUids + " ORDER BY st.id LIMIT 100"),
            Studies("limit=100&offset=200", ["studies_pkey"], studyUids + " ORDER BY st.id LIMIT 100 OFFSET 200"),
        ];

        var problems = new List<string>();
        foreach (var shape in shapes)
        {
            var (sql, parameters) = shape.Sql(store);
            var plan = await c.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + sql, parameters);
            var nodes = Nodes(JsonDocument.Parse(plan!).RootElement[0].GetProperty("Plan")).ToList();
            foreach (var n in nodes.Where(n => n.Type == "Seq Scan" && IndexTables.Contains(n.Relation)))
                problems.Add($"{shape.Name}: sequential scan over {n.Relation}");
            var used = nodes.Select(n => n.Index).OfType<string>().ToHashSet();
            foreach (var ix in shape.Indexes.Where(ix => !used.Contains(ix)))
                problems.Add($"{shape.Name}: {ix} not used (indexes used: {string.Join(", ", used)})");

            var expected = (await c.QueryAsync<string>(shape.ExpectedSql, shape.ExpectedParameters)).ToList();
            var found = (await shape.Run(store)).Select(d => d.GetString(shape.Key)).ToList();
            if (expected.Count == 0) problems.Add($"{shape.Name}: the direct query finds nothing (a test that cannot fail)");
            if (!expected.SequenceEqual(found))
                problems.Add($"{shape.Name}: found {found.Count} ({string.Join(' ', found.Take(3))}…), expected {expected.Count} ({string.Join(' ', expected.Take(3))}…)");
        }

        var modalitiesPlan = await c.ExecuteScalarAsync<string>("EXPLAIN (FORMAT JSON) " + store.ModalitiesSql, new { ids = Enumerable.Range(1, 100).Select(i => (long)i).ToArray() });
        var modalityNodes = Nodes(JsonDocument.Parse(modalitiesPlan!).RootElement[0].GetProperty("Plan")).ToList();
        if (modalityNodes.Any(n => n.Type == "Seq Scan")) problems.Add("Modalities in Study of a page: sequential scan over series");
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        Shape Studies(string queryString, string[] indexes, string expectedSql, object? expectedParameters = null)
        {
            var q = QidoQuery.Parse(queryString);
            return new("studies?" + queryString, s => s.StudySql(q), indexes, s => s.QueryStudiesAsync(q), DicomTags.StudyInstanceUID, expectedSql, expectedParameters);
        }
    }

    sealed record PlanNode(string Type, string? Relation, string? Index);

    static IEnumerable<PlanNode> Nodes(JsonElement plan)
    {
        yield return new PlanNode(plan.GetProperty("Node Type").GetString()!,
            plan.TryGetProperty("Relation Name", out var r) ? r.GetString() : null,
            plan.TryGetProperty("Index Name", out var i) ? i.GetString() : null);
        if (!plan.TryGetProperty("Plans", out var children)) yield break;
        foreach (var child in children.EnumerateArray())
            foreach (var n in Nodes(child))
                yield return n;
    }

    static string GeneratorSql()
    {
        using var s = typeof(QidoScalePlanTests).Assembly.GetManifestResourceStream("qido-scale-generate.sql")
                      ?? throw new InvalidOperationException("bench/qido-scale/generate.sql is not embedded in the test assembly");
        return new StreamReader(s).ReadToEnd();
    }
}
