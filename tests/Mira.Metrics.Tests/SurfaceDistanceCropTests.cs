using CsCheck;

namespace Mira.Metrics.Tests;

/// <summary>The bounding-box crop of the surface distances gives the brute-force distances of the whole volume.</summary>
public class SurfaceDistanceCropTests
{
    /// <summary>Sparse masks (so the union's box is usually smaller than the array), objects touching the border too.</summary>
    static readonly Gen<(BinaryMask A, BinaryMask B)> SparsePairs =
        from size in Gen.Select(Gen.Int[1, 10], Gen.Int[1, 10], Gen.Int[1, 9])
        from spacing in Gen.Select(Gen.Double[0.3, 3], Gen.Double[0.3, 3], Gen.Double[0.3, 3])
        from a in Gen.Int[0, 19].Array[size.Item1 * size.Item2 * size.Item3]
        from b in Gen.Int[0, 19].Array[size.Item1 * size.Item2 * size.Item3]
        select (new BinaryMask(size.Item1, size.Item2, size.Item3, a.Select(v => v < 3).ToArray(), spacing.Item1, spacing.Item2, spacing.Item3),
                new BinaryMask(size.Item1, size.Item2, size.Item3, b.Select(v => v < 2).ToArray(), spacing.Item1, spacing.Item2, spacing.Item3));

    [Fact]
    public void DirectedDistancesEqualBruteForce() =>
        SparsePairs.Where(p => p.A.Count > 0 && p.B.Count > 0).Sample(p =>
        {
            var (ab, ba) = SegmentationMetrics.DirectedSurfaceDistances(p.A, p.B);
            var sa = p.A.Surface();
            var sb = p.B.Surface();
            Same(Brute(sa, sb), ab);
            Same(Brute(sb, sa), ba);
        }, iter: 300);

    [Fact]
    public void TreeAndTransformGiveIdenticalDistances() =>
        SparsePairs.Where(p => p.A.Count > 0 && p.B.Count > 0).Sample(p =>
        {
            var (tab, tba) = SegmentationMetrics.DirectedByTree(p.A, p.B);
            var (eab, eba) = SegmentationMetrics.DirectedByTransform(p.A, p.B);
            Assert.Equal(eab, tab);
            Assert.Equal(eba, tba);
            Same(Brute(p.A.Surface(), p.B.Surface()), tab);
        }, iter: 300);

    /// <summary>Equal up to rounding (the EDT sums the axes' terms in another order).</summary>
    static void Same(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + expected[i]), $"{i}: {expected[i]} vs {actual[i]}");
    }

    static double[] Brute(BinaryMask from, BinaryMask to)
    {
        var targets = new List<(int, int, int)>();
        for (var k = 0; k < to.Nz; k++)
            for (var j = 0; j < to.Ny; j++)
                for (var i = 0; i < to.Nx; i++)
                    if (to[i, j, k]) targets.Add((i, j, k));
        var s = from.Spacing;
        var d = new List<double>();
        for (var k = 0; k < from.Nz; k++)
            for (var j = 0; j < from.Ny; j++)
                for (var i = 0; i < from.Nx; i++)
                    if (from[i, j, k])
                        d.Add(Math.Sqrt(targets.Min(t =>
                        {
                            double dx = (i - t.Item1) * s[0], dy = (j - t.Item2) * s[1], dz = (k - t.Item3) * s[2];
                            return dx * dx + dy * dy + dz * dz;
                        })));
        return [.. d];
    }
}
