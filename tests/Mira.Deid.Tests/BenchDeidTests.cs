using System.Text.Json;
using Mira.Dicom;
using Mira.Imaging.Pet;

namespace Mira.Deid.Tests;

[Collection("bench")]
public sealed class BenchDeidTests(BenchRun run)
{
    static void AssertStructure(JsonElement r, int files)
    {
        Assert.Equal(files, r.GetProperty("files_checked").GetInt32());
        Assert.Equal(0, r.GetProperty("missing_outputs").GetInt32());
        Assert.Equal(0, r.GetProperty("private_elements_left").GetInt32());
        Assert.Equal(files, r.GetProperty("pixel_data_identical").GetInt32());
        Assert.Equal(files, r.GetProperty("patient_weight_kept").GetInt32());
        Assert.Equal(files, r.GetProperty("identity_removed_flag").GetInt32());
        Assert.True(r.GetProperty("study_uids_changed").GetBoolean());
        Assert.Equal(r.GetProperty("studies_in_out")[0].GetInt32(), r.GetProperty("studies_in_out")[1].GetInt32());
        Assert.Equal(r.GetProperty("series_in_out")[0].GetInt32(), r.GetProperty("series_in_out")[1].GetInt32());
    }

    [Fact]
    public void The_peers_list_as_a_recipe_leaks_nothing_by_deid_check()
    {
        Assert.Equal(0, run.Bench.Failed);
        var r = run.DeidCheck(run.BenchOut);
        AssertStructure(r, run.Bench.Deidentified);
        Assert.Equal(0, r.GetProperty("files_with_leaks").GetInt32());
        Assert.Empty(r.GetProperty("leaks_by_attribute").EnumerateObject());
    }

    /// <summary>
    /// The research recipe keeps, by its options, three attributes the peers' list removes: Study and Series
    /// Description (Clean Descriptors: C, cleaned of identifying text) and Ethnic Group (Retain Patient Characteristics:
    /// K). deid_check counts those as leaks; nothing else may leak, and the kept values carry no PHI (phi-scan).
    /// </summary>
    [Fact]
    public void Research_recipe_leaks_only_what_its_options_retain_and_phi_scan_finds_nothing()
    {
        Assert.Equal(0, run.Research.Failed);
        var r = run.DeidCheck(run.ResearchOut);
        AssertStructure(r, run.Research.Deidentified);
        var leaked = r.GetProperty("leaks_by_attribute").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Subset(new HashSet<string> { "EthnicGroup", "SeriesDescription", "StudyDescription" }, leaked.ToHashSet());
        var findings = PhiScanner.Scan([run.ResearchOut], [run.Data]).SelectMany(x => x).ToList();
        Assert.True(findings.Count == 0, string.Join("\n", findings.Take(10)));
    }

    /// <summary>
    /// deid_check.py with the research recipe's own attribute list (mira deid-recipe research --tsv: all 619 single-tag
    /// rows of Table E.1-1, 300+ of them removed, emptied or replaced) instead of the peers' 62: no leak.
    /// </summary>
    [Fact]
    public void Research_recipe_leaks_nothing_by_deid_check_with_its_own_attribute_list()
    {
        var list = Path.Combine(run.Root, "research.tsv");
        File.WriteAllText(list, RecipeActions.ToTsv(DeidRecipe.Research));
        var r = run.DeidCheck(run.ResearchOut, list);
        AssertStructure(r, run.Research.Deidentified);
        Assert.Equal(0, r.GetProperty("files_with_leaks").GetInt32());
        Assert.Empty(r.GetProperty("leaks_by_attribute").EnumerateObject());
    }

    [Fact]
    public void Pet_suv_factors_are_equal_before_and_after_both_recipes()
    {
        var inputs = Directory.GetFiles(Path.Combine(run.Data, "pet"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        double[] Factors(string dir) => PetSuv.Compute([.. inputs.Select(f => PetSuvInputs.FromDataset(CorpusRun.Read(Path.Combine(dir, "pet", Path.GetFileName(f)))))])
            .Factors!.Select(x => x.SuvBw).ToArray();
        var before = Factors(run.Data);
        Assert.Equal(before, Factors(run.ResearchOut));
        Assert.Equal(before, Factors(run.BenchOut));
        var o = CorpusRun.Read(Path.Combine(run.ResearchOut, "pet", Path.GetFileName(inputs[0])));
        var i = CorpusRun.Read(inputs[0]);
        Assert.NotEqual(i.GetString(DicomTags.SeriesDate), o.GetString(DicomTags.SeriesDate));
        var rp = o.GetSequence(DicomTags.RadiopharmaceuticalInformationSequence)!.Items[0];
        Assert.NotEqual(i.GetSequence(DicomTags.RadiopharmaceuticalInformationSequence)!.Items[0].GetString(DicomTags.RadiopharmaceuticalStartDateTime),
            rp.GetString(DicomTags.RadiopharmaceuticalStartDateTime));
    }

    /// <summary>
    /// Speed regression: a bench CT file (header, Pixel Data copied from the source) is de-identified with few managed
    /// allocations. Each file once allocated and zeroed three 64 KiB write buffers (the data set writer buffered even
    /// a header written into memory): 245 KB per file then, 49 KB now, and most of the run's garbage collections gone.
    /// </summary>
    [Fact]
    public void A_file_is_deidentified_with_few_allocations()
    {
        var engine = new DeidEngine(DeidRecipe.Research, TestData.Key);
        var inputs = Directory.GetFiles(Path.Combine(run.Data, "ct"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        var folder = Directory.CreateTempSubdirectory("mira-deid-alloc-").FullName;
        try
        {
            DeidRunner.ProcessFile(engine, inputs[0], Path.Combine(folder, "warm.dcm"));
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 1; i <= 5; i++)
                Assert.Equal(DeidFileStatus.Deidentified, DeidRunner.ProcessFile(engine, inputs[i], Path.Combine(folder, i + ".dcm")).Status);
            var perFile = (GC.GetAllocatedBytesForCurrentThread() - before) / 5;
            Assert.True(perFile < 96 * 1024, $"{perFile:N0} bytes allocated per file");
        }
        finally { Directory.Delete(folder, true); }
    }
}
