namespace Mira.Metrics;

/// <summary>
/// Exact Euclidean distance transform of a 3D binary mask with anisotropic voxel spacing. For every voxel it gives the
/// squared distance (mm²) from the voxel centre to the nearest centre of a <em>feature</em> voxel (a true voxel of the
/// mask); feature voxels get 0, and every voxel gets +∞ when the mask has no feature voxel at all.
/// </summary>
/// <remarks>
/// Separable: one pass per axis (x, then y, then z). The x pass works on the binary mask directly (distance to the
/// nearest feature of the row by a forward and a backward scan); the y and z passes compute the 1D transform
/// d(q) = min_p (w·(q − p)² + f(p)), w = spacing², of every line along that axis exactly, by the lower envelope of
/// parabolas (Felzenszwalb and Huttenlocher, "Distance transforms of sampled functions", 2012). Lines whose values are
/// all +∞ stay +∞; +∞ samples never enter the envelope. The lines of a pass are independent and are split over threads
/// (<see cref="Parallel.For(int, int, Action{int})"/>) when the volume is large enough for that to pay.
/// Voxel order is x fastest: index = i + nx·(j + ny·k).
/// </remarks>
public static class DistanceTransform
{
    /// <summary>Below this many voxels the passes run on the calling thread.</summary>
    internal const long ParallelThreshold = 1 << 16;

    /// <summary>Squared distances (mm²) to the nearest true voxel of <paramref name="feature"/>.</summary>
    public static double[] Squared(ReadOnlySpan<bool> feature, int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1)
    {
        Check(feature.Length, nx, ny, nz, sx, sy, sz);
        var f = feature.ToArray();
        var d = new double[f.Length];
        var parallel = d.LongLength >= ParallelThreshold;
        RowPass(f, d, nx, ny * nz, sx * sx, parallel);
        // y: for each z, the nx lines x = 0…nx−1 start at consecutive offsets nx·ny·z + x, stride nx.
        StridedPass(d, ny, nx, nz, nx, r => (long)r * nx * ny, sy * sy, parallel);
        // z: for each y, the nx lines start at nx·y + x, stride nx·ny.
        StridedPass(d, nz, (long)nx * ny, ny, nx, r => (long)r * nx, sz * sz, parallel);
        return d;
    }

    /// <summary>
    /// The first (x) pass on the binary mask: for each row, w·(distance in samples to the nearest feature of the row)²
    /// by one forward and one backward scan (+∞ for a row without features) — the exact 1D transform of a 0/∞ line.
    /// </summary>
    static void RowPass(bool[] f, double[] d, int nx, int rows, double w, bool parallel)
    {
        void Row(int row)
        {
            var o = row * nx;
            var last = int.MinValue / 2;
            for (var i = 0; i < nx; i++)
            {
                if (f[o + i]) last = i;
                d[o + i] = i - last; // distance to the nearest feature on the left (huge when none)
            }
            var next = int.MaxValue / 2;
            for (var i = nx - 1; i >= 0; i--)
            {
                if (f[o + i]) next = i;
                var dist = Math.Min(d[o + i], next - i);
                d[o + i] = dist >= nx ? double.PositiveInfinity : w * dist * dist;
            }
        }
        if (!parallel)
        {
            for (var r = 0; r < rows; r++) Row(r);
            return;
        }
        var block = Math.Max(1, 8192 / nx);
        Parallel.For(0, (rows + block - 1) / block, b =>
        {
            var end = Math.Min(rows, (b + 1) * block);
            for (var r = b * block; r < end; r++) Row(r);
        });
    }

    /// <summary>Lines transformed together: their samples are gathered into a contiguous buffer and scattered back.</summary>
    const int Bundle = 32;

    /// <summary>
    /// Transforms lines of <paramref name="n"/> samples, <paramref name="stride"/> apart. They come in
    /// <paramref name="runs"/> runs of <paramref name="runLength"/> lines whose starts are consecutive
    /// (runStart(r) + 0, 1, …); bundles of up to <see cref="Bundle"/> neighbouring lines are gathered into a buffer
    /// (reading <see cref="Bundle"/> adjacent values per sample, which keeps the strided pass cache-friendly),
    /// transformed, and written back.
    /// </summary>
    static void StridedPass(double[] d, int n, long stride, int runs, int runLength, Func<int, long> runStart, double w, bool parallel)
    {
        if (n == 1) return; // a line of one sample is its own transform
        var perRun = (runLength + Bundle - 1) / Bundle;
        var items = runs * perRun;
        void Item(int item, LineBuffers buf)
        {
            var run = item / perRun;
            var first = item % perRun * Bundle;
            var count = Math.Min(Bundle, runLength - first);
            var s0 = runStart(run) + first;
            var g = buf.G;
            for (var q = 0; q < n; q++)
            {
                var o = s0 + q * stride;
                for (var b = 0; b < count; b++) g[b * n + q] = d[o + b];
            }
            for (var b = 0; b < count; b++) Line(g.AsSpan(b * n, n), w, buf);
            for (var q = 0; q < n; q++)
            {
                var o = s0 + q * stride;
                for (var b = 0; b < count; b++) d[o + b] = g[b * n + q];
            }
        }
        if (!parallel)
        {
            var buf = new LineBuffers(n);
            for (var i = 0; i < items; i++) Item(i, buf);
            return;
        }
        Parallel.For(0, items, () => new LineBuffers(n), (i, _, buf) =>
        {
            Item(i, buf);
            return buf;
        }, _ => { });
    }

    /// <summary>Distances (mm) to the nearest true voxel of <paramref name="feature"/> (the square roots of <see cref="Squared"/>).</summary>
    public static double[] Distance(ReadOnlySpan<bool> feature, int nx, int ny, int nz, double sx = 1, double sy = 1, double sz = 1)
    {
        var d = Squared(feature, nx, ny, nz, sx, sy, sz);
        for (var i = 0; i < d.Length; i++) d[i] = Math.Sqrt(d[i]);
        return d;
    }

    /// <summary>The squared transform of a <see cref="BinaryMask"/>, with its spacing.</summary>
    public static double[] Squared(BinaryMask mask) =>
        Squared(mask.Voxels, mask.Nx, mask.Ny, mask.Nz, mask.Spacing[0], mask.Spacing[1], mask.Spacing[2]);

    static void Check(int length, int nx, int ny, int nz, double sx, double sy, double sz)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentException($"mask size {nx}×{ny}×{nz} has an empty dimension");
        if ((long)nx * ny * nz != length) throw new ArgumentException($"mask size {nx}×{ny}×{nz} needs {(long)nx * ny * nz} voxels, got {length}");
        foreach (var s in new[] { sx, sy, sz })
            if (!(s > 0) || !double.IsFinite(s)) throw new ArgumentException($"voxel spacing must be positive and finite, got {s}");
    }

    sealed class LineBuffers(int n)
    {
        public readonly double[] F = new double[n];
        public readonly int[] V = new int[n];
        public readonly double[] Z = new double[n + 1];
        public readonly double[] G = new double[n * Bundle];
    }

    /// <summary>1D transform of one line in place: d(q) = min_p (w(q−p)² + f(p)).</summary>
    static void Line(Span<double> line, double w, LineBuffers buf)
    {
        var f = buf.F;
        var v = buf.V;
        var z = buf.Z;
        var n = line.Length;
        var any = false;
        for (var q = 0; q < n; q++)
        {
            f[q] = line[q];
            any |= f[q] < double.PositiveInfinity;
        }
        if (!any) return;
        // Lower envelope of the parabolas w(x−p)² + f(p) over the finite samples p.
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue;
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
                continue;
            }
            var fq = f[q] + w * q * q;
            double x;
            while (true)
            {
                var p = v[k];
                // Abscissa where the parabolas from p and q meet; z[0] = −∞ ends the loop at k = 0.
                x = (fq - (f[p] + w * p * p)) / (2 * w * (q - p));
                if (x > z[k]) break;
                k--;
            }
            k++;
            v[k] = q;
            z[k] = x;
            z[k + 1] = double.PositiveInfinity;
        }
        var j = 0;
        for (var q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            var dq = q - v[j];
            line[q] = w * dq * dq + f[v[j]];
        }
    }
}
