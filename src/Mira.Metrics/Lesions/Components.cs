namespace Mira.Metrics.Lesions;

/// <summary>Voxel adjacency in 3D: faces (6), faces and edges (18), faces, edges and corners (26).</summary>
public enum Connectivity
{
    Faces6 = 6,
    Edges18 = 18,
    Corners26 = 26,
}

/// <summary>Connected-component labelling and binary dilation of 3D masks.</summary>
public static class Components
{
    /// <summary>The neighbour offsets (di, dj, dk) of a connectivity, the centre excluded.</summary>
    public static (int I, int J, int K)[] Offsets(Connectivity c)
    {
        var list = new List<(int, int, int)>();
        for (var k = -1; k <= 1; k++)
            for (var j = -1; j <= 1; j++)
                for (var i = -1; i <= 1; i++)
                {
                    var order = Math.Abs(i) + Math.Abs(j) + Math.Abs(k);
                    if (order == 0) continue;
                    if (order == 1 || (order == 2 && c != Connectivity.Faces6) || (order == 3 && c == Connectivity.Corners26)) list.Add((i, j, k));
                }
        return [.. list];
    }

    /// <summary>
    /// Labels the connected components of <paramref name="mask"/>: 0 for background, 1…count for the components,
    /// numbered in the raster order (x fastest) of their first voxel.
    /// </summary>
    public static (int[] Labels, int Count) Label(BinaryMask mask, Connectivity connectivity = Connectivity.Corners26)
    {
        int nx = mask.Nx, ny = mask.Ny, nz = mask.Nz;
        var m = mask.Voxels;
        var labels = new int[m.Length];
        var offsets = Offsets(connectivity);
        var queue = new Queue<int>();
        var count = 0;
        for (var start = 0; start < m.Length; start++)
        {
            if (!m[start] || labels[start] != 0) continue;
            count++;
            labels[start] = count;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                var o = queue.Dequeue();
                int i = o % nx, j = o / nx % ny, k = o / (nx * ny);
                foreach (var (di, dj, dk) in offsets)
                {
                    int a = i + di, b = j + dj, c = k + dk;
                    if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
                    var q = a + nx * (b + ny * c);
                    if (!m[q] || labels[q] != 0) continue;
                    labels[q] = count;
                    queue.Enqueue(q);
                }
            }
        }
        return (labels, count);
    }

    /// <summary>
    /// Binary dilation by the 3×3×3 structuring element of <paramref name="structure"/> (centre included), repeated
    /// <paramref name="iterations"/> times, voxels outside the array counted as background —
    /// <c>scipy.ndimage.binary_dilation(m, structure=generate_binary_structure(3, r), iterations=n)</c> with r = 1, 2, 3
    /// for 6, 18, 26.
    /// </summary>
    public static BinaryMask Dilate(BinaryMask mask, Connectivity structure, int iterations)
    {
        if (iterations < 0) throw new ArgumentOutOfRangeException(nameof(iterations));
        int nx = mask.Nx, ny = mask.Ny, nz = mask.Nz;
        var offsets = Offsets(structure);
        var cur = (bool[])mask.Voxels.Clone();
        for (var it = 0; it < iterations; it++)
        {
            var next = (bool[])cur.Clone();
            for (var k = 0; k < nz; k++)
                for (var j = 0; j < ny; j++)
                    for (var i = 0; i < nx; i++)
                    {
                        if (!cur[i + nx * (j + ny * k)]) continue;
                        foreach (var (di, dj, dk) in offsets)
                        {
                            int a = i + di, b = j + dj, c = k + dk;
                            if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
                            next[a + nx * (b + ny * c)] = true;
                        }
                    }
            cur = next;
        }
        return new BinaryMask(nx, ny, nz, cur, mask.Spacing[0], mask.Spacing[1], mask.Spacing[2]);
    }

    /// <summary>The mask of the voxels whose label is in <paramref name="labels"/>.</summary>
    public static BinaryMask Select(BinaryMask like, int[] componentLabels, IReadOnlySet<int> labels)
    {
        var v = new bool[componentLabels.Length];
        for (var i = 0; i < v.Length; i++) v[i] = componentLabels[i] != 0 && labels.Contains(componentLabels[i]);
        return new BinaryMask(like.Nx, like.Ny, like.Nz, v, like.Spacing[0], like.Spacing[1], like.Spacing[2]);
    }
}
