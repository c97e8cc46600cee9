using System.IO.Compression;
using Mira.Deid;

namespace Mira.Cli.Tests;

public sealed class DatasetCommandTests : IDisposable
{
    readonly ArchiveCli cli = new();

    public void Dispose() => cli.Dispose();

    static string Body(string name, string kind) => $$$"""
        {"name": "{{{name}}}", "kind": "{{{kind}}}", "annotations": "none", "splits": {"fractions": [0.34, 0.33, 0.33], "seed": 5},
         "datasheet": {"intendedUse": "research", "inclusion": "all", "exclusion": "none", "referenceStandard": "phantoms", "licence": "CC0"}}
        """;

    [Fact]
    public async Task A_release_is_made_listed_and_downloaded_and_a_sequestered_one_is_never_downloaded()
    {
        await using (var platform = await MiraPlatform.OpenAsync(new PlatformOptions { DataFolder = cli.Data, Console = TextWriter.Null }))
        {
            await DemoStudies.EnsureLoadedAsync(platform.Ingest);
            var recipe = DeidRecipe.Load("research");
            Assert.True(await platform.Projects.Store.CreateAsync("p1", "P1", recipe.Name, recipe.ToJson(), recipe.Hash, new byte[32]));
            var copy = await platform.Projects.CopyStudiesAsync((await platform.Projects.Store.GetAsync("p1"))!, [DemoStudies.StudyUid("mr"), DemoStudies.StudyUid("ct")], "steward");
            Assert.Equal(DemoStudies.MrSlices + DemoStudies.CtSlices, copy.Copied);
        }
        var body = Path.Combine(cli.Root, "train.json");
        await File.WriteAllTextAsync(body, Body("train", "training"));
        var made = cli.Mira("dataset", "release", "--project", "p1", "--body", body);
        Assert.True(made.ExitCode == 0, made.Stderr);
        var id = made.Stdout.Split('\t')[0];
        Assert.Equal(64, id.Length);
        Assert.Contains("\t2 cases\t", made.Stdout);

        // The same body again is the next version; the same patients in a sequestered set are refused as leakage.
        await File.WriteAllTextAsync(body, Body("vault", "sequestered"));
        var leaky = cli.Mira("dataset", "release", "--project", "p1", "--body", body);
        Assert.Equal(1, leaky.ExitCode);
        Assert.Contains("leakage check", leaky.Stderr);

        var list = cli.Mira("dataset", "list", "--project", "p1");
        Assert.Equal(2, list.Stdout.Trim().Split('\n').Length);
        Assert.StartsWith($"{id}\ttrain\t1\ttraining\t2\t", list.Stdout.Trim().Split('\n')[1]);

        var zip = Path.Combine(cli.Root, "train.zip");
        var download = cli.Mira("dataset", "download", id, "--out", zip);
        Assert.True(download.ExitCode == 0, download.Stderr);
        using (var archive = ZipFile.OpenRead(zip))
        {
            Assert.Contains(archive.Entries, e => e.FullName == "train-v1/cases.tsv");
            Assert.Contains(archive.Entries, e => e.FullName == "train-v1/nifti/case-0001.nii.gz");
            Assert.Contains(archive.Entries, e => e.FullName == "train-v1/images/case-0002/0001.dcm");
        }
        Assert.Equal(2, cli.Mira("dataset", "download", id, "--out", zip).ExitCode); // exists
        Assert.Equal(1, cli.Mira("dataset", "download", new string('0', 64), "--out", Path.Combine(cli.Root, "none.zip")).ExitCode);
        Assert.False(File.Exists(Path.Combine(cli.Root, "none.zip")));
    }
}
