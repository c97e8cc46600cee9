using CsCheck;

namespace Mira.Metrics.Tests;

public class SegmentationMetricsTests
{
    static BinaryMask Mask(int nx, int ny, int nz, double[] spacing, params (int I, int J, int K)[] on)
    {
        var m = new bool[nx * ny * nz];
        foreach (var (i, j, k) in on) m[i + nx * (j + ny * k)] = true;
        return new BinaryMask(nx, ny, nz, m, spacing[0], spacing[1], spacing[2]);
    }

    static readonly double[] Unit = [1, 1, 1];

    [Fact]
    public void SingleVoxelShiftedByOne()
    {
        var r = SegmentationMetrics.Compute(Mask(5, 5, 5, Unit, (2, 2, 2)), Mask(5, 5, 5, Unit, (3, 2, 2)));
        Assert.Equal(0, r.Dice);
        Assert.Equal(0, r.Jaccard);
        Assert.Equal(1, r.HausdorffMm);
        Assert.Equal(1, r.Hd95PooledMm);
        Assert.Equal(1, r.Hd95MaxOfDirectedMm);
        Assert.Equal(1, r.AssdMm);
        Assert.Equal(1, r.SurfaceDice); // tolerance 1 mm, distance ≤ tolerance counts
        Assert.Equal(0, r.VolumeDifferenceMm3);
        Assert.Equal(0, SegmentationMetrics.Compute(Mask(5, 5, 5, Unit, (2, 2, 2)), Mask(5, 5, 5, Unit, (3, 2, 2)), toleranceMm: 0.5).SurfaceDice);
    }

    [Theory]
    [InlineData(1, 0, 0, 0.5)]
    [InlineData(0, 1, 0, 2.0)]
    [InlineData(0, 0, 1, 3.0)]
    [InlineData(1, 1, 1, 3.640054944640259)] // √(0.25 + 4 + 9)
    public void SingleVoxelShiftWithAnisotropicSpacing(int di, int dj, int dk, double expected)
    {
        double[] sp = [0.5, 2, 3];
        var r = SegmentationMetrics.Compute(Mask(4, 4, 4, sp, (1, 1, 1)), Mask(4, 4, 4, sp, (1 + di, 1 + dj, 1 + dk)));
        Assert.Equal(expected, r.HausdorffMm, 12);
        Assert.Equal(expected, r.Hd95PooledMm, 12);
        Assert.Equal(expected, r.AssdMm, 12);
        Assert.Equal(3.0, r.ReferenceVolumeMm3, 12);
    }

    [Fact]
    public void TwoVoxelsAgainstOneSeparatesTheHd95Definitions()
    {
        // Spacing 2 mm along x. R = {(1,1,1), (2,1,1)}, P = {(1,1,1)}: d(R→P) = {0, 2}, d(P→R) = {0}.
        double[] sp = [2, 1, 1];
        var r = SegmentationMetrics.Compute(Mask(4, 3, 3, sp, (1, 1, 1), (2, 1, 1)), Mask(4, 3, 3, sp, (1, 1, 1)));
        Assert.Equal(2.0 / 3, r.Dice, 12);
        Assert.Equal(0.5, r.Jaccard, 12);
        Assert.Equal(2, r.HausdorffMm, 12);
        Assert.Equal(1.8, r.Hd95PooledMm, 12);        // pooled {0, 0, 2}: h = 1.9 → 0 + 0.9·2
        Assert.Equal(1.9, r.Hd95MaxOfDirectedMm, 12); // P95{0, 2} = 1.9, P95{0} = 0
        Assert.Equal(2.0 / 3, r.AssdMm, 12);
        Assert.Equal(2.0 / 3, r.SurfaceDice, 12);
        Assert.Equal(4, r.ReferenceVolumeMm3, 12);
        Assert.Equal(2, r.PredictionVolumeMm3, 12);
        Assert.Equal(-2, r.VolumeDifferenceMm3, 12);
        Assert.Equal(-0.5, r.RelativeVolumeDifference, 12);
    }

    [Fact]
    public void SurfaceIsMaskMinusSixConnectedErosionWithBorderAsBackground()
    {
        var cube = new List<(int, int, int)>();
        for (var k = 1; k <= 3; k++) for (var j = 1; j <= 3; j++) for (var i = 1; i <= 3; i++) cube.Add((i, j, k));
        var inner = Mask(5, 5, 5, Unit, [.. cube]).Surface();
        Assert.Equal(26, inner.Count); // only the centre is interior
        Assert.False(inner[2, 2, 2]);
        var full = new BinaryMask(3, 3, 3, Enumerable.Repeat(true, 27).ToArray());
        Assert.Equal(26, full.Surface().Count); // the array border counts as background: only the centre survives
        var five = new BinaryMask(5, 5, 5, Enumerable.Repeat(true, 125).ToArray());
        Assert.Equal(98, five.Surface().Count); // 125 − the 3×3×3 interior
    }

    [Fact]
    public void EmptyMaskConventions()
    {
        var empty = Mask(3, 3, 3, Unit);
        var one = Mask(3, 3, 3, Unit, (1, 1, 1));
        var both = SegmentationMetrics.Compute(empty, empty);
        Assert.Equal(1, both.Dice);
        Assert.Equal(0, both.Hd95PooledMm);
        Assert.Equal(1, both.SurfaceDice);
        var d = SegmentationMetrics.Compute(one, empty);
        Assert.Equal(0, d.Dice);
        Assert.True(double.IsPositiveInfinity(d.HausdorffMm));
        var brats = SegmentationMetrics.Compute(empty, one, conventions: Metrics.EmptyMaskConventions.BraTS);
        Assert.Equal(0, brats.Dice);
        Assert.Equal(373.13, brats.Hd95PooledMm);
        Assert.Equal(373.13, brats.Hd95MaxOfDirectedMm);
        Assert.True(double.IsNaN(brats.RelativeVolumeDifference));
        var bothBrats = SegmentationMetrics.Compute(empty, empty, conventions: Metrics.EmptyMaskConventions.BraTS);
        Assert.Equal(1, bothBrats.Dice);
        Assert.Equal(0, bothBrats.Hd95PooledMm);
        var custom = SegmentationMetrics.Compute(empty, one, conventions: new Metrics.EmptyMaskConventions { OneEmptyDistance = double.NaN });
        Assert.True(double.IsNaN(custom.HausdorffMm));
    }

    [Fact]
    public void MismatchedSizesOrSpacingsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => SegmentationMetrics.Compute(Mask(3, 3, 3, Unit), Mask(3, 3, 4, Unit)));
        Assert.Throws<ArgumentException>(() => SegmentationMetrics.Compute(Mask(3, 3, 3, Unit), Mask(3, 3, 3, [1, 1, 2])));
    }

    [Theory]
    [InlineData(new[] { 1.0 }, 95, 1.0)]
    [InlineData(new[] { 0.0, 10 }, 95, 9.5)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, 50, 3.0)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, 95, 4.8)]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, 100, 5.0)]
    public void PercentileIsNumpysLinear(double[] sorted, double p, double expected) =>
        Assert.Equal(expected, SegmentationMetrics.PercentileSorted(sorted, p), 12);

    static readonly Gen<(BinaryMask A, BinaryMask B)> MaskPairs =
        from size in Gen.Select(Gen.Int[1, 6], Gen.Int[1, 6], Gen.Int[1, 6])
        from spacing in Gen.Select(Gen.Double[0.3, 3], Gen.Double[0.3, 3], Gen.Double[0.3, 3])
        from a in Gen.Bool.Array[size.Item1 * size.Item2 * size.Item3]
        from b in Gen.Bool.Array[size.Item1 * size.Item2 * size.Item3]
        select (new BinaryMask(size.Item1, size.Item2, size.Item3, a, spacing.Item1, spacing.Item2, spacing.Item3),
                new BinaryMask(size.Item1, size.Item2, size.Item3, b, spacing.Item1, spacing.Item2, spacing.Item3));

    [Fact]
    public void DiceIsSymmetricAndInUnitInterval() =>
        MaskPairs.Sample(p =>
        {
            var ab = SegmentationMetrics.Compute(p.A, p.B);
            var ba = SegmentationMetrics.Compute(p.B, p.A);
            return ab.Dice == ba.Dice && ab.Dice is >= 0 and <= 1 && ab.Jaccard == ba.Jaccard && ab.Jaccard <= ab.Dice;
        }, iter: 300);

    [Fact]
    public void HausdorffIsSymmetricAndNonNegative() =>
        MaskPairs.Sample(p =>
        {
            var ab = SegmentationMetrics.Compute(p.A, p.B);
            var ba = SegmentationMetrics.Compute(p.B, p.A);
            return ab.HausdorffMm == ba.HausdorffMm && ab.HausdorffMm >= 0
                && ab.Hd95PooledMm == ba.Hd95PooledMm && ab.Hd95MaxOfDirectedMm == ba.Hd95MaxOfDirectedMm
                && ab.Hd95PooledMm <= ab.HausdorffMm && ab.Hd95MaxOfDirectedMm <= ab.HausdorffMm
                && Math.Abs(ab.AssdMm - ba.AssdMm) <= 1e-12 * (1 + ab.AssdMm) || double.IsPositiveInfinity(ab.HausdorffMm) && double.IsPositiveInfinity(ba.HausdorffMm);
        }, iter: 300);

    [Fact]
    public void IdenticalMasksHaveZeroDistance() =>
        MaskPairs.Where(p => p.A.Count > 0).Sample(p =>
        {
            var r = SegmentationMetrics.Compute(p.A, p.A);
            return r.Dice == 1 && r.HausdorffMm == 0 && r.AssdMm == 0 && r.SurfaceDice == 1;
        }, iter: 100);
}
