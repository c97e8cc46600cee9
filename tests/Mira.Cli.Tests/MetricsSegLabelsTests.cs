using System.Text.Json;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;

namespace Mira.Cli.Tests;

public sealed class MetricsSegLabelsTests : LabelVolumeFolder
{
    [Fact]
    public void Labels_are_scored_each_on_their_own_with_lesion_wise_and_autopet_fields()
    {
        // Label 1: R = {(1,1,1), (2,1,1)}, P = {(1,1,1)}: Dice 2/3; one 4 mm³ lesion (> 2 mm³, kept for metastases),
        // matched, no false positive: lesion-wise Dice 2/3. Label 2: single voxels two voxels apart in x: Dice 0; the
        // reference voxel is a 2 mm³ lesion, ≤ 2 mm³ and so ignored (not a miss), and the predicted voxel lies outside
        // it dilated once, so it is a false positive: lesion-wise Dice 0/(0 + 1), HD95 374. autoPET: FPV = FNV = one
        // voxel = 0.002 mL.
        var a = Write("ref.mha", (1, 1, 1, 1), (2, 1, 1, 1), (4, 3, 2, 2));
        var b = Write("pred.mha", (1, 1, 1, 1), (2, 3, 2, 2));
        var r = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b, "--labels", "1", "2", "--lesion-wise", "metastases", "--autopet", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var one = doc.RootElement.GetProperty("1");
        Assert.Equal(2.0 / 3, one.GetProperty("dice").GetDouble(), 12);
        Assert.Equal(2.0 / 3, one.GetProperty("lesionwise_dice").GetDouble(), 12);
        Assert.Equal(1, one.GetProperty("lesionwise_tp_lesions").GetInt32());
        Assert.Equal(0, one.GetProperty("autopet_fpv_ml").GetDouble());
        var two = doc.RootElement.GetProperty("2");
        Assert.Equal(0, two.GetProperty("dice").GetDouble());
        Assert.Equal(0, two.GetProperty("lesionwise_dice").GetDouble());
        Assert.Equal(374, two.GetProperty("lesionwise_hd95_mm").GetDouble());
        Assert.Equal((0, 1), (two.GetProperty("lesionwise_fn_lesions").GetInt32(), two.GetProperty("lesionwise_fp_lesions").GetInt32()));
        Assert.Equal(0.002, two.GetProperty("autopet_fpv_ml").GetDouble(), 15);
        Assert.Equal(0.002, two.GetProperty("autopet_fnv_ml").GetDouble(), 15);

        var text = MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b, "--labels", "1", "2");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("label\t2\tdice\t0\n", text.Stdout);
        Assert.Equal(1, MiraProcess.Run("metrics", "seg", "--ref", a, "--pred", b, "--labels", "1", "--label", "1").ExitCode);
    }
}
