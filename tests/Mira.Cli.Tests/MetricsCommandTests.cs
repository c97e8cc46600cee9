using System.Globalization;
using System.Text.Json;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Cli.Tests;

public sealed class MetricsCommandTests : LabelVolumeFolder
{
    [Fact]
    public void Json_for_mha_and_nifti_with_label_selection()
    {
        // Label 1: R = {(1,1,1), (2,1,1)}, P = {(1,1,1)}; label 2 differs (one voxel each, 2 mm apart along x).
        var a = Write("ref.mha", (1, 1, 1, 1), (2, 1, 1, 1), (4, 3, 2, 2));
        var b = Write("pred.nii.gz", (1, 1, 1, 1), (3, 3, 2, 2));
        var r = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b, "--label", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var e = doc.RootElement;
        Assert.Equal(2.0 / 3, e.GetProperty("dice").GetDouble(), 12);
        Assert.Equal(2, e.GetProperty("hausdorff_mm").GetDouble(), 12);
        Assert.Equal(1.8, e.GetProperty("hd95_pooled_mm").GetDouble(), 12);
        Assert.Equal(1.9, e.GetProperty("hd95_max_of_directed_mm").GetDouble(), 12);
        Assert.Equal(-2, e.GetProperty("volume_difference_mm3").GetDouble(), 12);

        var all = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b);
        Assert.Equal(0, all.ExitCode);
        var lines = all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(c => c[0], c => c[1]);
        Assert.Equal(2.0 / 5, double.Parse(lines["dice"], CultureInfo.InvariantCulture), 12); // non-zero: |R| = 3, |P| = 2, |R∩P| = 1
    }

    [Fact]
    public void Empty_prediction_follows_the_chosen_convention()
    {
        var a = Write("ref.mha", (1, 1, 1, 1));
        var b = Write("pred.mha");
        var brats = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b, "--empty", "brats", "--json");
        Assert.Equal(0, brats.ExitCode);
        using var doc = JsonDocument.Parse(brats.Stdout);
        Assert.Equal(373.13, doc.RootElement.GetProperty("hd95_pooled_mm").GetDouble());
        Assert.Equal(0, doc.RootElement.GetProperty("dice").GetDouble());
        var plain = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b);
        Assert.Contains("hd95_pooled_mm\tinf\n", plain.Stdout);
    }

    [Fact]
    public void Mismatched_sizes_exit_1()
    {
        var a = Write("ref.mha", (1, 1, 1, 1));
        var v = Volume.Create([3, 3, 3], VoxelType.UInt8);
        var b = Path.Combine(Dir, "small.mha");
        MetaImageFile.Write(b, v);
        var r = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("sizes differ", r.Stderr);
    }
}
