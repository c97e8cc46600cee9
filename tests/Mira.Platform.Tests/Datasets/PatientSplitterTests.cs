using Mira.Platform.Datasets;

namespace Mira.Platform.Tests.Datasets;

public class PatientSplitterTests
{
    static List<(string Patient, IReadOnlyDictionary<string, string> Fields)> Cases(int patients, int casesEach, Func<int, string> site)
    {
        var list = new List<(string, IReadOnlyDictionary<string, string>)>();
        for (var p = 0; p < patients; p++)
            for (var c = 0; c < casesEach; c++)
                list.Add(($"P{p:000}", new Dictionary<string, string> { [CaseFields.Site] = site(p), [CaseFields.Sex] = p % 2 == 0 ? "F" : "M" }));
        return list;
    }

    [Fact]
    public void Puts_every_case_of_a_patient_in_one_split_in_the_fractions_asked()
    {
        var cases = Cases(100, 3, _ => "A");
        var split = PatientSplitter.Split(cases, SplitSettings.Default);
        Assert.Equal(100, split.Count);
        Assert.Equal(70, split.Values.Count(s => s == Splits.Train));
        Assert.Equal(15, split.Values.Count(s => s == Splits.Tune));
        Assert.Equal(15, split.Values.Count(s => s == Splits.Test));
    }

    [Fact]
    public void Stratifies_so_each_site_is_split_in_the_same_proportions()
    {
        // 60 patients at site A, 40 at site B: stratified, each site gives 70/15/15 % of its patients (±1).
        var cases = Cases(100, 1, p => p < 60 ? "A" : "B");
        var split = PatientSplitter.Split(cases, SplitSettings.Default with { Stratify = [CaseFields.Site] });
        foreach (var (site, n) in new[] { ("A", 60), ("B", 40) })
        {
            var ofSite = split.Where(kv => int.Parse(kv.Key[1..]) < 60 == (site == "A")).Select(kv => kv.Value).ToList();
            Assert.Equal(n, ofSite.Count);
            Assert.InRange(ofSite.Count(s => s == Splits.Test), (int)(0.15 * n) - 1, (int)(0.15 * n) + 1);
            Assert.InRange(ofSite.Count(s => s == Splits.Train), (int)(0.7 * n) - 1, (int)(0.7 * n) + 1);
        }
        Assert.Equal(15, split.Values.Count(s => s == Splits.Test));
    }

    [Fact]
    public void Small_strata_still_add_up_to_the_fractions_overall()
    {
        // 20 sites of 5 patients: ⌊0.15·5⌋ = 0 per site, so the test patients come from the remainders.
        var split = PatientSplitter.Split(Cases(100, 1, p => $"S{p / 5}"), SplitSettings.Default with { Stratify = [CaseFields.Site] });
        Assert.InRange(split.Values.Count(s => s == Splits.Test), 14, 16);
        Assert.InRange(split.Values.Count(s => s == Splits.Tune), 14, 16);
    }

    [Fact]
    public void Is_determined_by_the_seed_and_not_by_the_order_of_the_cases()
    {
        var cases = Cases(50, 2, p => p % 3 == 0 ? "A" : "B");
        var settings = SplitSettings.Default with { Stratify = [CaseFields.Site, CaseFields.Sex], Seed = 7 };
        var a = PatientSplitter.Split(cases, settings);
        var reversed = Enumerable.Reverse(cases).ToList();
        Assert.Equal(a.OrderBy(kv => kv.Key), PatientSplitter.Split(reversed, settings).OrderBy(kv => kv.Key));
        Assert.NotEqual(a.OrderBy(kv => kv.Key), PatientSplitter.Split(cases, settings with { Seed = 8 }).OrderBy(kv => kv.Key));
    }
}
