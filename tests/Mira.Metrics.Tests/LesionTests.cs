using Mira.Metrics.Lesions;

namespace Mira.Metrics.Tests;

/// <summary>BraTS 2023 lesion-wise scores and autoPET FP/FN volumes on constructed cases, computed by hand.</summary>
public class LesionTests
{
    sealed class Builder(int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1)
    {
        readonly bool[] v = new bool[nx * ny * nz];

        /// <summary>Sets the box [x0, x1] × [y0, y1] × [z0, z1] (inclusive).</summary>
        public Builder Box(int x0, int x1, int y0, int y1, int z0, int z1)
        {
            for (var k = z0; k <= z1; k++)
                for (var j = y0; j <= y1; j++)
                    for (var i = x0; i <= x1; i++) v[i + nx * (j + ny * k)] = true;
            return this;
        }

        public BinaryMask Mask => new(nx, ny, nz, (bool[])v.Clone(), sx, sy, sz);
    }

    // Reference: L1 4³ at x 2–5; L2 4³ at x 9–12 (3 empty columns between); L3 3³ = 27 voxels (≤ 50: ignored);
    // L4 4³ far away. Prediction: P1 = L1 exactly, P2 = L3 exactly, P3 a 2³ cube touching nothing.
    static BinaryMask Reference => new Builder(40, 40, 20).Box(2, 5, 2, 5, 2, 5).Box(9, 12, 2, 5, 2, 5).Box(34, 36, 34, 36, 10, 12).Box(20, 23, 20, 23, 10, 13).Mask;
    static BinaryMask Prediction => new Builder(40, 40, 20).Box(2, 5, 2, 5, 2, 5).Box(34, 36, 34, 36, 10, 12).Box(2, 3, 30, 31, 15, 16).Mask;

    [Fact]
    public void GliomaMergesNearbyLesionsAndPenalisesMissesAndFalsePositives()
    {
        // Dilation 3 joins L1 and L2 into one 128-voxel lesion matched by P1: Dice 2·64/(128 + 64) = 2/3. HD95: the
        // prediction's surface lies on L1's (0); L1's 56 surface voxels are at 0 from it, L2's are at x − 5 from L1's
        // face x = 5: 16 at 4, 12 at 5, 12 at 6, 16 at 7 mm; the 95th percentile of those 112 values (h = 105.45,
        // both order statistics 7) is 7. L4 is missed (0, 374); L3 is ignored and P2, matched to it, is no false
        // positive; P3 is one (0, 374). Case: Dice (2/3 + 0)/3, HD95 (7 + 374 + 374)/3.
        var r = LesionWise.Compute(Reference, Prediction, LesionWiseProtocol.Glioma);
        Assert.Equal((1, 1, 1), (r.TruePositives, r.FalseNegatives, r.FalsePositives));
        Assert.Equal(3, r.Lesions.Count);
        Assert.Equal([27L, 64L, 128L], r.Lesions.Select(l => l.Voxels).Order());
        var merged = r.Lesions.Single(l => l.Voxels == 128);
        Assert.Equal(2.0 / 3, merged.Dice, 15);
        Assert.Equal(7, merged.Hd95Mm, 12);
        Assert.True(r.Lesions.Single(l => l.Voxels == 27).Ignored);
        Assert.Equal(2.0 / 9, r.Dice, 15);
        Assert.Equal((7 + 374 + 374) / 3.0, r.Hd95Mm, 12);
    }

    [Fact]
    public void MeningiomaDilatesOnceSoTheLesionsStaySeparate()
    {
        // Dilation 1: L1 reaches x = 6, L2 starts at x = 8 — not merged. L1 is matched exactly (1, 0); L2 and L4 are
        // missed (0, 374 each); P3 is a false positive. Case: Dice 1/4, HD95 (0 + 3·374)/4.
        var r = LesionWise.Compute(Reference, Prediction, LesionWiseProtocol.Meningioma);
        Assert.Equal((1, 2, 1), (r.TruePositives, r.FalseNegatives, r.FalsePositives));
        Assert.Equal(0.25, r.Dice, 15);
        Assert.Equal(3 * 374 / 4.0, r.Hd95Mm, 12);
    }

    [Fact]
    public void MetastasesKeepSmallLesions()
    {
        // Minimum volume 2: L3 (27 voxels) now counts and is matched exactly by P2 (1, 0).
        var r = LesionWise.Compute(Reference, Prediction, LesionWiseProtocol.Metastases);
        Assert.Equal((2, 2, 1), (r.TruePositives, r.FalseNegatives, r.FalsePositives));
        Assert.Equal(2.0 / 5, r.Dice, 15);
        Assert.Equal(3 * 374 / 5.0, r.Hd95Mm, 12); // L2, L4 and P3 at 374
    }

    [Fact]
    public void EmptyCasesFollowTheBratsConventions()
    {
        var empty = new Builder(10, 10, 10).Mask;
        var both = LesionWise.Compute(empty, empty, LesionWiseProtocol.Glioma);
        Assert.Equal((1.0, 0.0), (both.Dice, both.Hd95Mm));
        var fp = LesionWise.Compute(empty, new Builder(10, 10, 10).Box(1, 2, 1, 2, 1, 2).Mask, LesionWiseProtocol.Glioma);
        Assert.Equal((0.0, 374.0, 1), (fp.Dice, fp.Hd95Mm, fp.FalsePositives));
        // Only an ignored lesion and no prediction: nothing to score.
        var small = LesionWise.Compute(new Builder(10, 10, 10).Box(1, 2, 1, 2, 1, 2).Mask, empty, LesionWiseProtocol.Glioma);
        Assert.Equal((1.0, 0.0, 0), (small.Dice, small.Hd95Mm, small.FalseNegatives));
    }

    [Fact]
    public void ComponentsAndDilationFollowTheirConnectivity()
    {
        // Two voxels sharing only a corner: one component at 26, two at 18 and 6.
        var m = new Builder(4, 4, 4).Box(1, 1, 1, 1, 1, 1).Box(2, 2, 2, 2, 2, 2).Mask;
        Assert.Equal(1, Components.Label(m, Connectivity.Corners26).Count);
        Assert.Equal(2, Components.Label(m, Connectivity.Edges18).Count);
        Assert.Equal(2, Components.Label(m, Connectivity.Faces6).Count);
        // One voxel dilated twice by the 18-neighbourhood: points with |d|₁ ≤ 4 and |d|∞ ≤ 2 → 1 + 18 + … = 93 voxels.
        var one = new Builder(9, 9, 9).Box(4, 4, 4, 4, 4, 4).Mask;
        var expected = 0;
        for (var a = -2; a <= 2; a++)
            for (var b = -2; b <= 2; b++)
                for (var c = -2; c <= 2; c++)
                    if (Math.Abs(a) + Math.Abs(b) + Math.Abs(c) <= 4) expected++;
        Assert.Equal(expected, Components.Dilate(one, Connectivity.Edges18, 2).Count);
        Assert.Equal(19, Components.Dilate(one, Connectivity.Edges18, 1).Count);
        Assert.Equal(7, Components.Dilate(one, Connectivity.Faces6, 1).Count);
        Assert.Equal(125, Components.Dilate(one, Connectivity.Corners26, 2).Count);
    }

    [Fact]
    public void AutoPetFalsePositiveAndFalseNegativeVolumes()
    {
        // Spacing 2 × 1 × 1 mm (2 mm³ voxels). Reference L1 4³ and L4 4³; prediction P1 = L1 shifted by one voxel in x
        // (touches) and P3 2³ (touches nothing). FNV = L4 = 64 voxels = 0.128 mL; FPV = 8 voxels = 0.016 mL;
        // Dice = 2·48/(128 + 72) (P1 ∩ L1 = 3 × 4 × 4).
        var reference = new Builder(40, 40, 20, 2, 1, 1).Box(2, 5, 2, 5, 2, 5).Box(20, 23, 20, 23, 10, 13).Mask;
        var prediction = new Builder(40, 40, 20, 2, 1, 1).Box(3, 6, 2, 5, 2, 5).Box(2, 3, 30, 31, 15, 16).Mask;
        var r = AutoPet.Compute(reference, prediction);
        Assert.Equal(0.48, r.Dice, 15);
        Assert.Equal(0.128, r.FalseNegativeVolumeMl, 15);
        Assert.Equal(0.016, r.FalsePositiveVolumeMl, 15);
        Assert.Equal((1, 1), (r.FalsePositiveComponents, r.FalseNegativeComponents));

        // 18-connectivity: a predicted voxel touching the lesion's component only by a corner is its own component.
        var single = new Builder(10, 10, 10).Box(4, 4, 4, 4, 4, 4).Mask;
        var corner = new Builder(10, 10, 10).Box(4, 4, 4, 4, 4, 4).Box(5, 5, 5, 5, 5, 5).Mask;
        Assert.Equal(0.001, AutoPet.Compute(single, corner).FalsePositiveVolumeMl, 15);
        Assert.Equal(0, AutoPet.Compute(single, corner, Connectivity.Corners26).FalsePositiveVolumeMl);
        Assert.True(double.IsNaN(AutoPet.Compute(new Builder(10, 10, 10).Mask, corner).Dice));
    }
}
