using System.Text.Json;
using Mira.Testing;

namespace Mira.Deid.Tests;

public sealed class RecipeTests
{
    [Fact]
    public void Built_in_recipes_are_addressable_by_name()
    {
        Assert.Same(DeidRecipe.Basic, DeidRecipe.Load("basic"));
        var r = DeidRecipe.Load("research");
        Assert.Equal(DeidOptions.RetainPatientCharacteristics | DeidOptions.RetainLongitudinalModifiedDates | DeidOptions.CleanDescriptors
            | DeidOptions.CleanStructuredContent, r.OptionFlags);
        Assert.Equal(DeidOptions.None, DeidRecipe.Basic.OptionFlags);
        Assert.Throws<FileNotFoundException>(() => DeidRecipe.Load("nonesuch"));
    }

    [Fact]
    public void Json_round_trip_keeps_everything_and_the_hash()
    {
        var r = DeidRecipe.Research with
        {
            Name = "p1", Version = "3",
            Overrides = [new RecipeOverride("(0008,103E)", "X")],
            SafePrivate = [new SafePrivateElement("SIEMENS CSA HEADER", "0029", "10")],
            PixelCleaning = [new PixelCleaningRule("Acme", "US-1", 480, 640, [new PixelRectangle(0, 0, 640, 40)])],
        };
        var back = DeidRecipe.FromJson(r.ToJson());
        Assert.Equal(r.ToJson(), back.ToJson());
        Assert.Equal(r.Hash, back.Hash);
        Assert.NotEqual(DeidRecipe.Research.Hash, r.Hash);
        Assert.Matches("^[0-9a-f]{64}$", r.Hash);
    }

    [Theory]
    [InlineData("""{"name":"x","version":"1","options":["RetainEverything"]}""")]
    [InlineData("""{"name":"x","version":"1","overrides":[{"tag":"(0010,0010)","action":"Q"}]}""")]
    [InlineData("""{"name":"x","version":"1","overrides":[{"tag":"(0010,0010)","action":"K","value":"A"}]}""")]
    [InlineData("""{"name":"x","version":"1","profile":"extended"}""")]
    [InlineData("""{"name":"x","version":"1","unknownField":1}""")]
    [InlineData("""{"name":"x","version":"1","options":["RetainLongitudinalFullDates","RetainLongitudinalModifiedDates"]}""")]
    public void Bad_recipes_are_refused(string json) =>
        Assert.ThrowsAny<Exception>(() => new DeidEngine(DeidRecipe.FromJson(json), TestData.Key));

    [Fact]
    public void The_bench_recipe_file_loads()
    {
        var path = Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Deid", "Recipes", "bench-phi-list.json");
        var r = DeidRecipe.Load(path);
        Assert.Equal("bench-phi-list", r.Name);
        Assert.Equal(2, r.Overrides.Count);
    }

    [Fact]
    public void Key_files_read_hex_base64_and_raw()
    {
        var dir = Directory.CreateTempSubdirectory("mira-key-");
        try
        {
            var bytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
            File.WriteAllText(Path.Combine(dir.FullName, "hex"), Convert.ToHexString(bytes) + "\n");
            File.WriteAllText(Path.Combine(dir.FullName, "b64"), Convert.ToBase64String(bytes));
            File.WriteAllBytes(Path.Combine(dir.FullName, "raw"), bytes);
            var fp = TestData.Key.Fingerprint();
            Assert.Equal(fp, ProjectKey.FromFile(Path.Combine(dir.FullName, "hex")).Fingerprint());
            Assert.Equal(fp, ProjectKey.FromFile(Path.Combine(dir.FullName, "b64")).Fingerprint());
            Assert.Equal(fp, ProjectKey.FromFile(Path.Combine(dir.FullName, "raw")).Fingerprint());
            File.WriteAllBytes(Path.Combine(dir.FullName, "short"), [1, 2, 3]);
            Assert.Throws<ArgumentException>(() => ProjectKey.FromFile(Path.Combine(dir.FullName, "short")));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Run_records_round_trip()
    {
        var rec = new DeidRunRecord("id", "research", "1", DeidRecipe.Research.Hash, "fp", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            ["in"], "out", 1, 0, 0, 0, [new DeidFileRecord("in/a.dcm", "out/a.dcm", DeidFileStatus.Deidentified, null, "1.2", "2.25.1", "1", "2.25.2", "1.3", "2.25.3", false)]);
        var json = rec.ToJson();
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("Deidentified", doc.RootElement.GetProperty("files")[0].GetProperty("status").GetString());
        Assert.Equal("2.25.1", DeidRunRecord.FromJson(json).Files[0].SopInstanceUid);
    }
}
