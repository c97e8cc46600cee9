namespace Mira.Metrics;

/// <summary>
/// Exact Euclidean distance transform of a 3D binary mask with anisotropic voxel spacing. For every voxel it gives the
/// squared distance (mm²) from the voxel centre to the nearest centre of a <em>feature</em> voxel (a true voxel of the
/// mask); feature voxels get 0, and every voxel gets +∞ when the mask has no feature voxel at all.
/// </summary>
/// <remarks>
/// Separable: one pass per axis (x, then y, then z), each computing the 1D transform
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
        var d = new double[feature.Length];
        for (var i = 0; i < d.Length; i++) d[i] = feature[i] ? 0 : double.PositiveInfinity;
        var parallel = d.LongLength >= ParallelThreshold;
        Pass(d, nx, 1, ny * nz, l => (long)l * nx, sx * sx, parallel);
        Pass(d, ny, nx, nx * nz, l => (long)(l % nx) + (long)(l / nx) * nx * ny, sy * sy, parallel);
        Pass(d, nz, (long)nx * ny, nx * ny, l => l, sz * sz, parallel);
        return d;
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

    /// <summary>Transforms <paramref name="lines"/> lines of <paramref name="n"/> samples, <paramref name="stride"/> apart, starting at start(line).</summary>
    static void Pass(double[] d, int n, long stride, int lines, Func<int, long> start, double w, bool parallel)
    {
        if (n == 1) return; // a line of one sample is its own transform
        if (!parallel)
        {
            var buf = new LineBuffers(n);
            for (var l = 0; l < lines; l++) Line(d, start(l), stride, n, w, buf);
            return;
        }
        // Blocks of lines per work item keep the scheduling cost small next to the per-line work.
        var block = Math.Max(1, 4096 / n);
        var blocks = (lines + block - 1) / block;
        Parallel.For(0, blocks, () => new LineBuffers(n), (b, _, buf) =>
        {
            var end = Math.Min(lines, (b + 1) * block);
            for (var l = b * block; l < end; l++) Line(d, start(l), stride, n, w, buf);
            return buf;
        }, _ => { });
    }

    sealed class LineBuffers(int n)
    {
        public readonly double[] F = new double[n];
        public readonly int[] V = new int[n];
        public readonly double[] Z = new double[n + 1];
    }

    /// <summary>1D transform of one line in place: d(q) = min_p (w(q−p)² + f(p)).</summary>
    static void Line(double[] d, long s0, long stride, int n, double w, LineBuffers buf)
    {
        var f = buf.F;
        var v = buf.V;
        var z = buf.Z;
        var any = false;
        for (var q = 0; q < n; q++)
        {
            f[q] = d[s0 + q * stride];
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
            d[s0 + q * stride] = w * dq * dq + f[v[j]];
        }
    }
}
