using System.Text.Json;
using Mira.Annotations.Tests.Segmentation;
using Mira.Cli.Commands.Archive;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Cli.Tests;

/// <summary><c>mira model run</c> (the command before it is given its <c>model</c> parent), in process.</summary>
public class ModelRunCommandTests
{
    static Task<int> Run(params string[] args) => ModelRunCommand.Create().Parse(args).InvokeAsync();

    [Fact]
    public async Task Runs_a_reference_package_over_a_case_folder_and_writes_its_outputs_in_the_image_grid()
    {
        using var series = new MrSeries();
        var input = Directory.CreateTempSubdirectory("mira-model-run-").FullName;
        var images = Path.Combine(input, "images");
        Directory.CreateDirectory(images);
        Directory.Move(series.SeriesFolder, Path.Combine(images, "case-1"));
        var output = Path.Combine(input, "out");

        var code = await Run("--package", Path.Combine(Corpus.RepositoryRoot, "models", "glioma-synthetic-baseline"), "--images", images, "--out", output, "--threads", "2");

        Assert.Equal(0, code);
        var source = DicomVolumeBuilder.FromPath(Path.Combine(images, "case-1")).Single().Volume;
        var labels = NiftiVolumes.ReadVolume(Path.Combine(output, "case-1.nii.gz"));
        var probability = NiftiVolumes.ReadVolume(Path.Combine(output, "case-1.prob.nii.gz"));
        Assert.Equal(source.Size, labels.Size);
        Assert.True(labels.Geometry.ApproximatelyEquals(source.Geometry, 1e-3), $"{labels.Geometry} vs {source.Geometry}");
        Assert.Equal(VoxelType.Float32, probability.Type);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "predictions.json")));
        Assert.Equal("ok", json.RootElement.GetProperty("cases")[0].GetProperty("status").GetString());
        Assert.Equal("glioma-synthetic-baseline", json.RootElement.GetProperty("model").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Exits_1_on_a_refused_package_and_2_on_a_usage_error()
    {
        var input = Directory.CreateTempSubdirectory("mira-model-run-").FullName;
        Directory.CreateDirectory(Path.Combine(input, "images", "c1"));
        var images = Path.Combine(input, "images");
        Assert.Equal(1, await Run("--package", Path.Combine(input, "no-such-package"), "--images", images, "--out", Path.Combine(input, "out")));
        Assert.False(Directory.Exists(Path.Combine(input, "out")));
        var pet = Path.Combine(Corpus.RepositoryRoot, "models", "pet-suv41-baseline");
        Assert.Equal(2, await Run("--package", pet, "--images", images, "--out", Path.Combine(input, "out"), "--threads", "0"));
        Assert.NotEqual(0, await Run("--package", pet, "--images", images)); // --out is required
    }
}
