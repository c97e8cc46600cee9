using System.Text.Json;
using Mira.Testing;

namespace Mira.Deid.Tests;

/// <summary>
/// The peer harness's synthetic studies (../shared/bench/gen_bench_data.py, CT + MR + PET, small scale), de-identified
/// with the research recipe and with the peers' list as a recipe (src/Mira.Deid/Recipes/bench-phi-list.json).
/// </summary>
public sealed class BenchRun : IDisposable
{
    public BenchRun()
    {
        Root = Directory.CreateTempSubdirectory("mira-deid-bench-").FullName;
        Data = Path.Combine(Root, "data");
        ExternalTool.Run(TestData.Python, Path.Combine(TestData.SharedBench, "gen_bench_data.py"), Data, "--scale", "0.05", "--only", "ct,mr,pet", "--jobs", "2");
        Research = DeidRunner.Run(new DeidEngine(DeidRecipe.Research, TestData.Key), [Data], ResearchOut);
        BenchRecipe = DeidRecipe.Load(Path.Combine(Corpus.RepositoryRoot, "src", "Mira.Deid", "Recipes", "bench-phi-list.json"));
        Bench = DeidRunner.Run(new DeidEngine(BenchRecipe, TestData.Key), [Data], BenchOut);
    }

    public string Root { get; }
    public string Data { get; }
    public string ResearchOut => Path.Combine(Root, "research");
    public string BenchOut => Path.Combine(Root, "bench");
    public DeidRecipe BenchRecipe { get; }
    public DeidRunRecord Research { get; }
    public DeidRunRecord Bench { get; }

    /// <summary>../shared/bench/deid_check.py with the peers' list (or another list in its layout), as JSON.</summary>
    public JsonElement DeidCheck(string output, string? attributeList = null)
    {
        var json = ExternalTool.Run(TestData.Python, Path.Combine(TestData.SharedBench, "deid_check.py"),
            attributeList ?? Path.Combine(TestData.SharedBench, "phi_attributes.tsv"), Data, output);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    public void Dispose() => Directory.Delete(Root, true);
}

[CollectionDefinition("bench")]
public sealed class BenchCollection : ICollectionFixture<BenchRun>;
