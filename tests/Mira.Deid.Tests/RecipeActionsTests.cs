using Mira.Testing;

namespace Mira.Deid.Tests;

public class RecipeActionsTests
{
    static RecipeAction Row(IReadOnlyList<RecipeAction> rows, string keyword) => Assert.Single(rows, r => r.Keyword == keyword);

    [Fact]
    public void Research_lists_every_table_row_once_with_its_options_resolved()
    {
        var rows = RecipeActions.List(DeidRecipe.Research);
        Assert.Equal(ConfidentialityProfileTable.Rows.Length, rows.Count);
        Assert.Equal(rows.Count, rows.Select(r => r.Tag).Distinct().Count());
        Assert.Equal(("K", "kept"), (Row(rows, "EthnicGroup").Action, Row(rows, "EthnicGroup").Effect));       // Retain Patient Characteristics
        Assert.StartsWith("cleaned", Row(rows, "StudyDescription").Effect);                                     // Clean Descriptors
        Assert.StartsWith("shifted", Row(rows, "StudyDate").Effect);                                            // Modified Dates
        Assert.StartsWith("keyed pseudonym", Row(rows, "PatientID").Effect);
        Assert.Equal("new UID (2.25, keyed)", Row(rows, "StudyInstanceUID").Effect);
        Assert.Equal(("X", "removed"), (Row(rows, "OtherPatientIDsSequence").Action, Row(rows, "OtherPatientIDsSequence").Effect));
        Assert.Equal("(60xx,3000)", Row(rows, "OverlayData").Tag);
    }

    [Fact]
    public void Basic_removes_what_the_options_would_keep()
    {
        var rows = RecipeActions.List(DeidRecipe.Basic);
        Assert.Equal("X", Row(rows, "EthnicGroup").Action);
        Assert.Equal("X", Row(rows, "StudyDescription").Action);
        Assert.StartsWith("dummy value", Row(rows, "ContentDate").Effect);
    }

    [Fact]
    public void Overrides_show_as_the_recipe_says()
    {
        var recipe = DeidRecipe.Load(Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Deid", "Recipes", "bench-phi-list.json"));
        var rows = RecipeActions.List(recipe);
        Assert.Equal(("X", "removed (recipe override)"), (Row(rows, "EthnicGroup").Action, Row(rows, "EthnicGroup").Effect));
        var withValue = DeidRecipe.Research with { Overrides = [new RecipeOverride("(0008,0080)", "D", "Site 7")] };
        Assert.Equal(("set", "set to \"Site 7\" (recipe override)"), (Row(RecipeActions.List(withValue), "InstitutionName").Action, Row(RecipeActions.List(withValue), "InstitutionName").Effect));
    }

    [Fact]
    public void The_tsv_uses_the_bench_list_layout()
    {
        var lines = RecipeActions.ToTsv(DeidRecipe.Research).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var data = lines.Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();
        Assert.All(data, c => Assert.Equal(4, c.Length));
        Assert.All(data, c => Assert.Matches(@"^\([0-9A-F]{4},[0-9A-F]{4}\)$", c[0]));
        Assert.All(data, c => Assert.Contains(c[2], new[] { "X", "Z", "U", "K", "C" }));
        Assert.Equal(["Z", "pseudonym"], data.Single(c => c[1] == "PatientID")[2..]);
        Assert.Equal("U", data.Single(c => c[1] == "SOPInstanceUID")[2]);
        Assert.Equal("K", data.Single(c => c[1] == "PatientWeight")[2]);
    }
}
