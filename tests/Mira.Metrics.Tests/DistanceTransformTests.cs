using CsCheck;

namespace Mira.Metrics.Tests;

public class DistanceTransformTests
{
    static double[] BruteForce(bool[] m, int nx, int ny, int nz, double sx, double sy, double sz)
    {
        var d = new double[m.Length];
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    var best = double.PositiveInfinity;
                    for (var c = 0; c < nz; c++)
                        for (var b = 0; b < ny; b++)
                            for (var a = 0; a < nx; a++)
                            {
                                if (!m[a + nx * (b + ny * c)]) continue;
                                double dx = (i - a) * sx, dy = (j - b) * sy, dz = (k - c) * sz;
                                best = Math.Min(best, dx * dx + dy * dy + dz * dz);
                            }
                    d[i + nx * (j + ny * k)] = best;
                }
        return d;
    }

    [Fact]
    public void SingleVoxelGivesAnisotropicDistances()
    {
        var m = new bool[5 * 4 * 3];
        m[1 + 5 * (2 + 4 * 1)] = true; // (1, 2, 1)
        var d = DistanceTransform.Squared(m, 5, 4, 3, 0.5, 2, 3);
        Assert.Equal(0, d[1 + 5 * (2 + 4 * 1)]);
        Assert.Equal(9 * 0.25 + 4 * 4 + 9, d[4 + 5 * (0 + 4 * 0)], 12); // (4, 0, 0): 3·0.5, 2·2, 1·3
        Assert.Equal(9, d[1 + 5 * (2 + 4 * 0)], 12);
    }

    [Fact]
    public void EmptyMaskIsInfiniteEverywhere()
    {
        var d = DistanceTransform.Squared(new bool[27], 3, 3, 3);
        Assert.All(d, v => Assert.True(double.IsPositiveInfinity(v)));
    }

    [Fact]
    public void ParallelPassesMatchBruteForceOnALargerVolume()
    {
        // 48×40×36 = 69 120 voxels: above the threshold where the passes go parallel.
        const int nx = 48, ny = 40, nz = 36;
        Assert.True((long)nx * ny * nz >= DistanceTransform.ParallelThreshold);
        var m = new bool[nx * ny * nz];
        var rng = new Random(7);
        for (var n = 0; n < 12; n++) m[rng.Next(m.Length)] = true;
        var d = DistanceTransform.Squared(m, nx, ny, nz, 0.8, 1.3, 2.5);
        // Brute force against the 12 points only (cheap).
        var pts = Enumerable.Range(0, m.Length).Where(i => m[i]).ToArray();
        for (var o = 0; o < m.Length; o += 7)
        {
            int i = o % nx, j = o / nx % ny, k = o / (nx * ny);
            var best = pts.Min(p =>
            {
                double dx = (i - p % nx) * 0.8, dy = (j - p / nx % ny) * 1.3, dz = (k - p / (nx * ny)) * 2.5;
                return dx * dx + dy * dy + dz * dz;
            });
            Assert.Equal(best, d[o], 9);
        }
    }

    [Fact]
    public void EqualsBruteForceOnSmallRandomMasks()
    {
        var gen =
            from size in Gen.Select(Gen.Int[1, 7], Gen.Int[1, 7], Gen.Int[1, 7])
            from spacing in Gen.Select(Gen.Double[0.3, 3], Gen.Double[0.3, 3], Gen.Double[0.3, 3])
            from density in Gen.Int[0, 100]
            from bits in Gen.Int[0, 99].Array[size.Item1 * size.Item2 * size.Item3]
            select (size, spacing, density, bits);
        gen.Sample(x =>
        {
            var ((nx, ny, nz), (sx, sy, sz), density, bits) = x;
            // Voxel on with probability density%: sparse masks (and empty ones) are common.
            var m = new bool[bits.Length];
            for (var i = 0; i < m.Length; i++) m[i] = bits[i] < density;
            var fast = DistanceTransform.Squared(m, nx, ny, nz, sx, sy, sz);
            var slow = BruteForce(m, nx, ny, nz, sx, sy, sz);
            for (var i = 0; i < m.Length; i++)
                if (!(double.IsPositiveInfinity(slow[i]) ? double.IsPositiveInfinity(fast[i]) : Math.Abs(fast[i] - slow[i]) <= 1e-9 * (1 + slow[i])))
                    return false;
            return true;
        }, iter: 300);
    }
}
