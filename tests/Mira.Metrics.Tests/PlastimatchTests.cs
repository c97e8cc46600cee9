using System.Globalization;
using System.Text.RegularExpressions;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Metrics.Tests;

/// <summary>
/// <c>plastimatch dice --all</c> (Debian <c>plastimatch</c>, installed by tools/test.sh) on the 48³ bench masks, isotropic
/// and at 0.7 × 1.2 × 2.5 mm: voxel counts, Dice and the boundary Hausdorff distance equal Mira's. Plastimatch prints
/// six decimals. Its "Percent (0.95) Hausdorff distance" is another HD95 definition (7.140 vs 7.071 pooled / 7.280 max
/// of directed on the 256³ pair) and is not compared.
/// </summary>
public partial class PlastimatchTests(BenchMasks bench) : IClassFixture<BenchMasks>
{
    static Dictionary<string, double> Run(string a, string b)
    {
        var tool = ExternalTool.Require("plastimatch", "plastimatch");
        var text = ExternalTool.Run(tool, "dice", "--all", a, b);
        var values = new Dictionary<string, double>();
        foreach (Match m in Line().Matches(text))
            values[m.Groups[1].Value.Trim()] = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return values;
    }

    [GeneratedRegex(@"^\s*([A-Za-z][A-Za-z ().0-9]*?)\s*[:=]\s*([-+0-9.eE]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Line();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DiceCountsAndBoundaryHausdorffEqualPlastimatch(bool anisotropic)
    {
        var a = bench.File("mask_a.mha");
        var b = bench.File("mask_b.mha");
        if (anisotropic)
        {
            var paths = new List<string>();
            foreach (var name in new[] { "mask_a", "mask_b" })
            {
                var v = MetaImageFile.Read(bench.File(name + ".mha"));
                var path = Path.Combine(bench.Folder, name + "_pm_aniso.mha");
                MetaImageFile.Write(path, new Volume(v.Size, v.Type, v.Data, VolumeGeometry.Identity(0.7, 1.2, 2.5)));
                paths.Add(path);
            }
            (a, b) = (paths[0], paths[1]);
        }
        var p = Run(a, b);
        var ma = BinaryMask.Read(a);
        var r = SegmentationMetrics.Compute(ma, BinaryMask.Read(b));
        Assert.Equal(r.IntersectionVoxels, (long)p["TP"]);
        Assert.Equal(r.ReferenceVoxels - r.IntersectionVoxels, (long)p["FN"]);
        Assert.Equal(r.PredictionVoxels - r.IntersectionVoxels, (long)p["FP"]);
        Assert.Equal(ma.Length - (r.ReferenceVoxels + r.PredictionVoxels - r.IntersectionVoxels), (long)p["TN"]);
        Assert.True(Math.Abs(p["DICE"] - r.Dice) <= 5e-7, $"Dice {p["DICE"]} vs {r.Dice}");
        Assert.True(Math.Abs(p["Hausdorff distance (boundary)"] - r.HausdorffMm) <= 5e-7, $"boundary Hausdorff {p["Hausdorff distance (boundary)"]} vs {r.HausdorffMm}");
        Assert.True(r.HausdorffMm > 1, "a non-trivial distance");
    }
}
