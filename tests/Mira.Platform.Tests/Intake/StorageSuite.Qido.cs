using Mira.Dicom;
using Mira.Platform.Intake;
using Mira.Storage.Query;
using Mira.Testing;

namespace Mira.Platform.Tests;

/// <summary>QIDO-RS matching (PS3.4 §C.2.2.2) and result shaping (PS3.18 §10.6.3) on the suite's provider.</summary>
public abstract partial class StorageSuite
{
    /// <summary>Three studies: S1 (CT, 2 series, Doe^John), S2 (MR, Smith^Anna), S3 (CT+MR, O'Brien, escape-worthy values).</summary>
    async Task SeedAsync()
    {
        var parts = new List<byte[]>
        {
            TestInstances.Make("9.1", "9.1.1", "9.1.1.1", ds => { ds.Set(DicomTags.AccessionNumber, "ACC1"); ds.Set(DicomTags.StudyDescription, "Head"); ds.Set(DicomTags.BodyPartExamined, "HEAD"); }),
            TestInstances.Make("9.1", "9.1.1", "9.1.1.2", ds => { ds.Set(DicomTags.AccessionNumber, "ACC1"); ds.Set(DicomTags.InstanceNumber, "2"); }),
            TestInstances.Make("9.1", "9.1.2", "9.1.2.1", ds => { ds.Set(DicomTags.AccessionNumber, "ACC1"); ds.Set(DicomTags.SeriesNumber, "2"); }),
            TestInstances.Make("9.2", "9.2.1", "9.2.1.1", ds =>
            {
                ds.Set(DicomTags.PatientName, "Smith^Anna"); ds.Set(DicomTags.PatientID, "P2"); ds.Set(DicomTags.Modality, "MR");
                ds.Set(DicomTags.StudyDate, "20240210"); ds.Set(DicomTags.StudyTime, "1430"); ds.Set(DicomTags.AccessionNumber, "acc1");
                ds.Set(DicomTags.ReferringPhysicianName, "House^Gregory");
            }),
            TestInstances.Make("9.3", "9.3.1", "9.3.1.1", ds =>
            {
                ds.Set(DicomTags.PatientName, "O'Brien^Pat"); ds.Set(DicomTags.PatientID, "P3"); ds.Set(DicomTags.StudyDate, "20231231");
                ds.Set(DicomTags.StudyTime, "235959"); ds.Set(DicomTags.AccessionNumber, "A_C%1");
            }),
            TestInstances.Make("9.3", "9.3.2", "9.3.2.1", ds =>
            {
                ds.Set(DicomTags.PatientName, "O'Brien^Pat"); ds.Set(DicomTags.PatientID, "P3"); ds.Set(DicomTags.StudyDate, "20231231");
                ds.Set(DicomTags.Modality, "MR"); ds.Set(DicomTags.SeriesNumber, "2");
            }),
        };
        foreach (var p in parts) Assert.Equal(StoreOutcome.Stored, (await Ingest.StoreAsync(p, IngestSource.Unknown)).Outcome);
    }

    async Task<string[]> Studies(string query) =>
        (await Index.QueryStudiesAsync(QidoQuery.Parse(query))).Select(d => d.GetString(DicomTags.StudyInstanceUID)!).ToArray();

    [Theory]
    [InlineData("PatientID=P2", "9.2")]
    [InlineData("00100020=P3", "9.3")]
    [InlineData("AccessionNumber=ACC1", "9.1")] // single value matching is case-sensitive
    [InlineData("AccessionNumber=acc1", "9.2")]
    [InlineData("StudyID=nothing", "")]
    public async Task Single_value_matching(string query, string expected)
    {
        await SeedAsync();
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), await Studies(query));
    }

    [Theory]
    [InlineData("PatientName=doe^john", "9.1")]
    [InlineData("PatientName=SMITH^ANNA", "9.2")]
    [InlineData("PatientName=smi*", "9.2")]
    [InlineData("ReferringPhysicianName=house*", "9.2")]
    public async Task Person_names_match_case_insensitively(string query, string expected)
    {
        await SeedAsync();
        Assert.Equal(expected.Split(','), await Studies(query));
    }

    [Theory]
    [InlineData("PatientName=*o*", "9.1,9.3")]
    [InlineData("PatientID=P?", "9.1,9.2,9.3")]
    [InlineData("AccessionNumber=A?C1", "9.1")]
    [InlineData("AccessionNumber=A_C*", "9.3")] // '_' and '%' are literals, not SQL wildcards
    [InlineData("AccessionNumber=*%1", "9.3")]
    [InlineData("AccessionNumber=A*", "9.1,9.3")]
    public async Task Wildcard_matching(string query, string expected)
    {
        await SeedAsync();
        Assert.Equal(expected.Split(','), await Studies(query));
    }

    [Fact]
    public async Task Uid_list_matching()
    {
        await SeedAsync();
        Assert.Equal(["9.1", "9.3"], await Studies("StudyInstanceUID=9.3\\9.1\\7.7"));
        var instances = await Index.QueryInstancesAsync(QidoQuery.Parse("SOPInstanceUID=9.1.1.2\\9.3.2.1"));
        Assert.Equal(["9.1.1.2", "9.3.2.1"], instances.Select(d => d.GetString(DicomTags.SOPInstanceUID)));
    }

    [Theory]
    [InlineData("StudyDate=20240101-20240131", "9.1")]
    [InlineData("StudyDate=20240201-", "9.2")]
    [InlineData("StudyDate=-20231231", "9.3")]
    [InlineData("StudyDate=20240115", "9.1")]
    [InlineData("StudyTime=1000-1100", "9.1")]
    [InlineData("StudyTime=14-", "9.2,9.3")]
    [InlineData("StudyTime=-1015", "9.1")]
    // Date and time ranges together are one date-time range (PS3.4 §C.2.2.2.5.1): 9.1 (15 Jan, 10:xx) is inside
    // 1 Jan 12:00 – 10 Feb 14:00 though its time is not within 12:00–14:00; 9.2 (10 Feb 14:30) is after the end.
    [InlineData("StudyDate=20240101-20240210&StudyTime=1200-1400", "9.1")]
    [InlineData("StudyDate=20231231-20240210&StudyTime=2300-1200", "9.1,9.3")]
    [InlineData("StudyDate=20231231-&StudyTime=2359-", "9.1,9.2,9.3")]
    [InlineData("StudyDate=-20240210&StudyTime=-1429", "9.1,9.3")]
    public async Task Date_and_time_range_matching(string query, string expected)
    {
        await SeedAsync();
        Assert.Equal(expected.Split(','), await Studies(query));
    }

    [Fact]
    public async Task Empty_value_is_universal_matching_and_returns_the_attribute()
    {
        await SeedAsync();
        var all = await Index.QueryStudiesAsync(QidoQuery.Parse("StudyDescription="));
        Assert.Equal(3, all.Count);
        Assert.Equal("Head", all[0].GetString(DicomTags.StudyDescription));
    }

    [Fact]
    public async Task Study_results_carry_defaults_and_computed_counts()
    {
        await SeedAsync();
        var s = await Index.QueryStudiesAsync(QidoQuery.Empty);
        Assert.Equal(["9.1", "9.2", "9.3"], s.Select(d => d.GetString(DicomTags.StudyInstanceUID)));
        Assert.Equal("2", s[0].GetString(DicomTags.NumberOfStudyRelatedSeries));
        Assert.Equal("3", s[0].GetString(DicomTags.NumberOfStudyRelatedInstances));
        Assert.Equal(["CT", "MR"], s[2].GetStrings(DicomTags.ModalitiesInStudy));
        Assert.Equal("Doe^John", s[0].GetString(DicomTags.PatientName));
        Assert.Equal("20240115", s[0].GetString(DicomTags.StudyDate));
        Assert.Null(s[0].Find(DicomTags.StudyDescription)); // not a default attribute
        Assert.Null(s[0].Find(DicomTags.SOPInstanceUID));
        Assert.Equal(["9.2", "9.3"], await Studies("ModalitiesInStudy=MR"));
    }

    [Fact]
    public async Task Includefield_adds_attributes_and_all_adds_the_level()
    {
        await SeedAsync();
        var q = await Index.QueryStudiesAsync(QidoQuery.Parse("includefield=StudyDescription&includefield=00180015,PatientID&StudyInstanceUID=9.1"));
        Assert.Equal("Head", q[0].GetString(DicomTags.StudyDescription));
        Assert.Equal("HEAD", q[0].GetString(DicomTags.BodyPartExamined));
        var all = await Index.QueryStudiesAsync(QidoQuery.Parse("includefield=all&StudyInstanceUID=9.1"));
        Assert.Equal("Head", all[0].GetString(DicomTags.StudyDescription));
        var inst = await Index.QueryInstancesAsync(QidoQuery.Parse("includefield=all"), "9.1", "9.1.1");
        Assert.Equal("HEAD", inst[0].GetString(DicomTags.BodyPartExamined));
    }

    [Fact]
    public async Task Limit_and_offset_page_in_a_deterministic_order()
    {
        await SeedAsync();
        Assert.Equal(["9.1", "9.2"], await Studies("limit=2"));
        Assert.Equal(["9.2", "9.3"], await Studies("limit=2&offset=1"));
        Assert.Empty(await Studies("offset=3"));
        var page = await Index.QueryInstancesAsync(QidoQuery.Parse("limit=2&offset=2"));
        Assert.Equal(["9.1.2.1", "9.2.1.1"], page.Select(d => d.GetString(DicomTags.SOPInstanceUID)));
    }

    [Fact]
    public async Task Series_and_instance_queries_relative_to_study_and_series()
    {
        await SeedAsync();
        var series = await Index.QuerySeriesAsync(QidoQuery.Parse("Modality=MR"));
        Assert.Equal(["9.2.1", "9.3.2"], series.Select(d => d.GetString(DicomTags.SeriesInstanceUID)));
        Assert.Equal("Smith^Anna", series[0].GetString(DicomTags.PatientName)); // study attributes when not scoped to a study
        var inStudy = await Index.QuerySeriesAsync(QidoQuery.Parse("SeriesNumber=2"), "9.1");
        Assert.Equal("9.1.2", Assert.Single(inStudy).GetString(DicomTags.SeriesInstanceUID));
        Assert.Null(inStudy[0].Find(DicomTags.PatientName));
        Assert.Equal("1", inStudy[0].GetString(DicomTags.NumberOfSeriesRelatedInstances));
        var instances = await Index.QueryInstancesAsync(QidoQuery.Parse("InstanceNumber=2"), "9.1", "9.1.1");
        Assert.Equal("9.1.1.2", Assert.Single(instances).GetString(DicomTags.SOPInstanceUID));
        Assert.Equal(TestInstances.CtImageStorage, instances[0].GetString(DicomTags.SOPClassUID));
        Assert.Equal(["9.3.1.1", "9.3.2.1"], (await Index.QueryInstancesAsync(QidoQuery.Parse("PatientID=P3"))).Select(d => d.GetString(DicomTags.SOPInstanceUID)));
    }

    [Fact]
    public async Task Person_names_match_across_character_sets_and_component_groups()
    {
        foreach (var f in new[] { "chrX1", "chrX2", "chrH31", "chrI2", "chrGreek" })
        {
            var r = await Ingest.StoreAsync(File.ReadAllBytes(Corpus.Get($"dicom/charset/{f}.dcm").FullPath), IngestSource.Unknown);
            Assert.True(r.IsSuccess, r.ToString());
        }
        async Task<int> Count(string q) => (await Index.QueryStudiesAsync(QidoQuery.Parse(q))).Count;
        Assert.Equal(2, await Count("PatientName=Wang*"));
        Assert.Equal(2, await Count("PatientName=wang^xiaodong"));
        Assert.Equal(2, await Count("PatientName=王*"));
        Assert.Equal(1, await Count("PatientName=王^小東"));
        Assert.Equal(1, await Count("PatientName=山田*"));
        Assert.Equal(1, await Count("PatientName=やまだ^たろう"));
        Assert.Equal(1, await Count("PatientName=*=洪^吉洞"));
        Assert.Equal(1, await Count("PatientName=διονυσιος"));
        var yamada = await Index.QueryStudiesAsync(QidoQuery.Parse("PatientName=Yamada*"));
        Assert.Equal("Yamada^Tarou=山田^太郎=やまだ^たろう", yamada[0].GetString(DicomTags.PatientName));
    }

    [Fact]
    public async Task Bad_query_values_are_refused()
    {
        await SeedAsync();
        await Assert.ThrowsAsync<QidoQueryException>(() => Index.QueryStudiesAsync(QidoQuery.Parse("StudyDate=2024-xx")));
        Assert.Throws<QidoQueryException>(() => QidoQuery.Parse("NoSuchKeyword=1"));
        Assert.Throws<QidoQueryException>(() => QidoQuery.Parse("limit=-1"));
    }
}
