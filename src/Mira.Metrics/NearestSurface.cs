namespace Mira.Metrics;

/// <summary>
/// Exact nearest-neighbour distances between two voxel point sets with anisotropic spacing, by a k-d tree (Bentley,
/// "Multidimensional binary search trees used for associative searching", CACM 18:509–517, 1975; Friedman, Bentley
/// &amp; Finkel's search with the ball-within-bounds test, ACM TOMS 3:209–226, 1977).
/// </summary>
/// <remarks>
/// For sparse point sets — the boundary voxels of two masks — this costs O((n + m) log n) instead of a distance
/// transform over their whole bounding box. Squared distances are evaluated as
/// ((w_z·dk)·dk) + (((w_y·dj)·dj) + ((w_x·di)·di)), w = spacing², the very operations
/// <see cref="DistanceTransform"/> performs, so both give bit-identical values. A subtree is skipped only when the
/// squared distance to its splitting plane already exceeds the best found, which never drops a nearer point.
/// </remarks>
internal sealed class NearestSurface
{
    const int Leaf = 8;
    readonly int[] x, y, z;
    readonly double wx, wy, wz;
    // Implicit tree: node [lo, hi) splits at mid = (lo + hi)/2 on axis depth mod 3; order holds the point indices.
    readonly int[] order;
    // The split coordinate of the internal node whose mid is i (mids of internal nodes are distinct).
    readonly int[] splits;

    /// <summary>Builds the tree over the voxels (x, y, z) with weights w = spacing².</summary>
    public NearestSurface(int[] px, int[] py, int[] pz, double sx, double sy, double sz)
    {
        if (px.Length == 0) throw new ArgumentException("no points");
        x = px;
        y = py;
        z = pz;
        wx = sx * sx;
        wy = sy * sy;
        wz = sz * sz;
        order = Enumerable.Range(0, px.Length).ToArray();
        splits = new int[px.Length];
        Build(0, order.Length, 0);
    }

    int[] Axis(int depth) => (depth % 3) switch { 0 => x, 1 => y, _ => z };

    /// <summary>
    /// Partitions [lo, hi) about its median on the depth's axis (quickselect: the median at mid, smaller-or-equal
    /// coordinates before it, greater-or-equal after) and recurses on both halves: O(n log n) in all.
    /// </summary>
    void Build(int lo, int hi, int depth)
    {
        if (hi - lo <= Leaf) return;
        var a = Axis(depth);
        var mid = (lo + hi) / 2;
        Select(a, lo, hi - 1, mid);
        splits[mid] = a[order[mid]];
        Build(lo, mid, depth + 1);
        Build(mid, hi, depth + 1);
    }

    /// <summary>Rearranges order[left..right] (inclusive) so that position k holds the k-th smallest key (Hoare's FIND).</summary>
    void Select(int[] a, int left, int right, int k)
    {
        while (left < right)
        {
            // Median of three as pivot.
            var m = left + (right - left) / 2;
            int ka = a[order[left]], kb = a[order[m]], kc = a[order[right]];
            var pivot = Math.Max(Math.Min(ka, kb), Math.Min(Math.Max(ka, kb), kc));
            int i = left, j = right;
            while (i <= j)
            {
                while (a[order[i]] < pivot) i++;
                while (a[order[j]] > pivot) j--;
                if (i <= j)
                {
                    (order[i], order[j]) = (order[j], order[i]);
                    i++;
                    j--;
                }
            }
            // Now [left, j] ≤ pivot ≤ [i, right], and j < i.
            if (k <= j) right = j;
            else if (k >= i) left = i;
            else return;
        }
    }

    /// <summary>
    /// The squared distance (mm²) from voxel (qx, qy, qz) to the nearest point. <paramref name="hint"/>: a point index
    /// whose distance starts the search as an upper bound (the previous query's nearest point: neighbouring queries
    /// have nearby answers), updated to this query's nearest point.
    /// </summary>
    public double Squared(int qx, int qy, int qz, ref int hint)
    {
        var best = Distance(hint, qx, qy, qz);
        if (best == 0) return 0;
        Search(0, order.Length, 0, qx, qy, qz, ref best, ref hint);
        return best;
    }

    double Distance(int p, int qx, int qy, int qz)
    {
        double di = qx - x[p], dj = qy - y[p], dk = qz - z[p];
        return wz * dk * dk + (wy * dj * dj + wx * di * di);
    }

    void Search(int lo, int hi, int depth, int qx, int qy, int qz, ref double best, ref int arg)
    {
        if (hi - lo <= Leaf)
        {
            for (var i = lo; i < hi; i++)
            {
                var d = Distance(order[i], qx, qy, qz);
                if (d < best)
                {
                    best = d;
                    arg = order[i];
                }
            }
            return;
        }
        var mid = (lo + hi) / 2;
        var axis = depth % 3;
        var split = splits[mid];
        var q = axis == 0 ? qx : axis == 1 ? qy : qz;
        double diff = q - split;
        var w = axis == 0 ? wx : axis == 1 ? wy : wz;
        // Left holds coordinates ≤ split, right ≥ split.
        if (diff < 0)
        {
            Search(lo, mid, depth + 1, qx, qy, qz, ref best, ref arg);
            if (w * diff * diff < best) Search(mid, hi, depth + 1, qx, qy, qz, ref best, ref arg);
        }
        else
        {
            Search(mid, hi, depth + 1, qx, qy, qz, ref best, ref arg);
            if (w * diff * diff < best) Search(lo, mid, depth + 1, qx, qy, qz, ref best, ref arg);
        }
    }

    /// <summary>The coordinates of the true voxels of a mask, in voxel order.</summary>
    public static (int[] X, int[] Y, int[] Z) Points(BinaryMask m)
    {
        var n = (int)m.Count;
        int[] px = new int[n], py = new int[n], pz = new int[n];
        var c = 0;
        var v = m.Voxels;
        for (var k = 0; k < m.Nz; k++)
            for (var j = 0; j < m.Ny; j++)
            {
                var row = v.AsSpan((j + m.Ny * k) * m.Nx, m.Nx);
                var i = row.IndexOf(true);
                while (i >= 0)
                {
                    px[c] = i;
                    py[c] = j;
                    pz[c] = k;
                    c++;
                    var next = row[(i + 1)..].IndexOf(true);
                    i = next < 0 ? -1 : i + 1 + next;
                }
            }
        return (px, py, pz);
    }

    /// <summary>Distances (mm) from each voxel of <paramref name="from"/> (voxel order) to the nearest voxel of <paramref name="to"/>.</summary>
    public static double[] Distances(BinaryMask from, BinaryMask to)
    {
        var (tx, ty, tz) = Points(to);
        var tree = new NearestSurface(tx, ty, tz, to.Spacing[0], to.Spacing[1], to.Spacing[2]);
        var (fx, fy, fz) = Points(from);
        var d = new double[fx.Length];
        const int block = 512;
        Parallel.For(0, (fx.Length + block - 1) / block, b =>
        {
            var end = Math.Min(fx.Length, (b + 1) * block);
            var hint = 0;
            for (var i = b * block; i < end; i++)
                d[i] = to[fx[i], fy[i], fz[i]] ? 0 : Math.Sqrt(tree.Squared(fx[i], fy[i], fz[i], ref hint)); // a shared voxel is at 0
        });
        return d;
    }
}
