namespace Mira.Metrics;

/// <summary>
/// The values reported when one or both masks are empty, where the overlap or distance metrics are undefined.
/// Distance covers Hausdorff, both HD95s and ASSD.
/// </summary>
public sealed record EmptyMaskConventions
{
    public double BothEmptyDice { get; init; } = 1;
    public double BothEmptyJaccard { get; init; } = 1;
    public double BothEmptyDistance { get; init; }
    public double BothEmptySurfaceDice { get; init; } = 1;
    public double OneEmptyDice { get; init; }
    public double OneEmptyJaccard { get; init; }
    public double OneEmptyDistance { get; init; } = double.PositiveInfinity;
    public double OneEmptySurfaceDice { get; init; }

    /// <summary>Both empty: Dice and Jaccard 1, distances 0, NSD 1. One empty: Dice, Jaccard and NSD 0, distances +∞.</summary>
    public static EmptyMaskConventions Default { get; } = new();

    /// <summary>
    /// Legacy BraTS (nnU-Net's compute_BraTS_dice / compute_BraTS_HD95, see <c>../shared/protocols/glioma-brats.json</c>):
    /// both empty → Dice 1, HD95 0; exactly one empty → Dice 0, HD95 373.13 mm (diagonal of 240×240×155 at 1 mm).
    /// The same distances are used for Hausdorff and ASSD.
    /// </summary>
    public static EmptyMaskConventions BraTS { get; } = new() { OneEmptyDistance = 373.13 };
}

/// <summary>Overlap and surface-distance metrics of a predicted mask against a reference mask.</summary>
/// <param name="Dice">2|R∩P| / (|R|+|P|).</param>
/// <param name="Jaccard">|R∩P| / |R∪P|.</param>
/// <param name="ReferenceVoxels">|R| in voxels.</param>
/// <param name="PredictionVoxels">|P| in voxels.</param>
/// <param name="IntersectionVoxels">|R∩P| in voxels.</param>
/// <param name="ReferenceVolumeMm3">|R| in mm³.</param>
/// <param name="PredictionVolumeMm3">|P| in mm³.</param>
/// <param name="VolumeDifferenceMm3">|P| − |R| in mm³ (signed: positive when the prediction is larger).</param>
/// <param name="RelativeVolumeDifference">(|P| − |R|) / |R| (signed; NaN when R is empty).</param>
/// <param name="HausdorffMm">max over both directions of the largest surface distance.</param>
/// <param name="Hd95PooledMm">95th percentile of the pooled distances (both directed sets together).</param>
/// <param name="Hd95MaxOfDirectedMm">max of the two directed 95th percentiles.</param>
/// <param name="AssdMm">mean of the pooled distances (average symmetric surface distance).</param>
/// <param name="SurfaceDice">normalised surface distance at <paramref name="ToleranceMm"/>.</param>
/// <param name="ToleranceMm">the NSD tolerance.</param>
/// <param name="ReferenceSurfaceVoxels">number of reference boundary voxels.</param>
/// <param name="PredictionSurfaceVoxels">number of prediction boundary voxels.</param>
public sealed record SegmentationResult(
    double Dice, double Jaccard,
    long ReferenceVoxels, long PredictionVoxels, long IntersectionVoxels,
    double ReferenceVolumeMm3, double PredictionVolumeMm3, double VolumeDifferenceMm3, double RelativeVolumeDifference,
    double HausdorffMm, double Hd95PooledMm, double Hd95MaxOfDirectedMm, double AssdMm,
    double SurfaceDice, double ToleranceMm,
    long ReferenceSurfaceVoxels, long PredictionSurfaceVoxels);

/// <summary>
/// Segmentation metrics on two binary masks of equal size and spacing.
/// </summary>
/// <remarks>
/// <para>Surfaces are the boundary voxels of <see cref="BinaryMask.Surface"/> (mask minus its 6-connected erosion,
/// array border counted as background). A surface distance is the Euclidean distance in mm (using the voxel
/// spacing) from a boundary-voxel centre of one mask to the nearest boundary-voxel centre of the other, computed with
/// <see cref="DistanceTransform"/>, or, when the boundaries are sparse in their bounding box, with an exact k-d tree
/// nearest-neighbour search that gives the same values. d(R→P) is the set over the reference boundary, d(P→R) over the prediction's.
/// These are the definitions of <c>../shared/bench/dice_numpy.py --distances</c> and of the bench manifest
/// (<c>../shared/bench/gen_bench_data.py</c>).</para>
/// <para>Percentiles use linear interpolation between order statistics, numpy's default
/// (<c>np.percentile(x, 95)</c>, method "linear"): with n sorted values x₀ ≤ … ≤ xₙ₋₁ and h = (n − 1)·0.95, the value
/// is x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).</para>
/// <para>HD95 comes in two definitions that tools disagree on: <em>pooled</em> = the 95th percentile of d(R→P) ∪ d(P→R)
/// taken together (dice_numpy.py's <c>hd95_pooled_mm</c>, MedPy-style pooling); <em>max of directed</em> =
/// max(P95(d(R→P)), P95(d(P→R))) (the bench manifest's <c>hd95_boundary_max_of_directed_mm</c>, as in MONAI/nnU-Net).</para>
/// <para>ASSD is the mean of the pooled distances: (Σd(R→P) + Σd(P→R)) / (|∂R| + |∂P|).</para>
/// <para>The normalised surface distance (surface Dice) at tolerance τ counts boundary voxels instead of surface
/// area: (#{d(R→P) ≤ τ} + #{d(P→R) ≤ τ}) / (|∂R| + |∂P|).</para>
/// </remarks>
public static class SegmentationMetrics
{
    /// <summary>Default NSD tolerance in mm.</summary>
    public const double DefaultToleranceMm = 1.0;

    public static SegmentationResult Compute(BinaryMask reference, BinaryMask prediction, double toleranceMm = DefaultToleranceMm,
        EmptyMaskConventions? conventions = null)
    {
        conventions ??= EmptyMaskConventions.Default;
        if (reference.Nx != prediction.Nx || reference.Ny != prediction.Ny || reference.Nz != prediction.Nz)
            throw new ArgumentException($"mask sizes differ: {reference.Nx}×{reference.Ny}×{reference.Nz} and {prediction.Nx}×{prediction.Ny}×{prediction.Nz}");
        for (var a = 0; a < 3; a++)
            if (Math.Abs(reference.Spacing[a] - prediction.Spacing[a]) > 1e-6 * Math.Max(1, Math.Abs(reference.Spacing[a])))
                throw new ArgumentException($"mask spacings differ: ({string.Join(", ", reference.Spacing)}) and ({string.Join(", ", prediction.Spacing)})");
        if (!(toleranceMm >= 0)) throw new ArgumentException($"the NSD tolerance must be ≥ 0, got {toleranceMm}");

        // Everything outside the union's bounding box is background in both masks: crop first (see
        // DirectedSurfaceDistances), then count.
        (reference, prediction) = CropToUnion(reference, prediction);
        long nr = 0, np = 0, ni = 0;
        var r = reference.Voxels;
        var p = prediction.Voxels;
        for (var i = 0; i < r.Length; i++)
        {
            if (r[i]) nr++;
            if (p[i]) np++;
            if (r[i] && p[i]) ni++;
        }
        var vox = reference.VoxelVolume;
        var vr = nr * vox;
        var vp = np * vox;
        var rvd = nr == 0 ? double.NaN : (vp - vr) / vr;

        if (nr == 0 || np == 0)
        {
            var both = nr == 0 && np == 0;
            var dist = both ? conventions.BothEmptyDistance : conventions.OneEmptyDistance;
            return new SegmentationResult(
                both ? conventions.BothEmptyDice : conventions.OneEmptyDice,
                both ? conventions.BothEmptyJaccard : conventions.OneEmptyJaccard,
                nr, np, ni, vr, vp, vp - vr, rvd, dist, dist, dist, dist,
                both ? conventions.BothEmptySurfaceDice : conventions.OneEmptySurfaceDice, toleranceMm, 0, 0);
        }

        var dice = 2.0 * ni / (nr + np);
        var jaccard = (double)ni / (nr + np - ni);
        var (dRp, dPr) = DirectedSurfaceDistances(reference, prediction);
        Array.Sort(dRp);
        Array.Sort(dPr);
        var pooled = Merge(dRp, dPr);
        var within = 0;
        var sum = 0.0;
        foreach (var d in pooled)
        {
            sum += d;
            if (d <= toleranceMm) within++;
        }
        return new SegmentationResult(dice, jaccard, nr, np, ni, vr, vp, vp - vr, rvd,
            Math.Max(dRp[^1], dPr[^1]),
            PercentileSorted(pooled, 95),
            Math.Max(PercentileSorted(dRp, 95), PercentileSorted(dPr, 95)),
            sum / pooled.Length,
            (double)within / pooled.Length, toleranceMm, dRp.Length, dPr.Length);
    }

    /// <summary>
    /// The directed surface distances in mm: d(R→P) for each reference boundary voxel and d(P→R) for each prediction
    /// boundary voxel, in voxel order. Both masks must be non-empty. Computed on the union's bounding box (with a one-voxel
    /// margin), which gives the same distances as the whole volume.
    /// </summary>
    public static (double[] ReferenceToPrediction, double[] PredictionToReference) DirectedSurfaceDistances(BinaryMask reference, BinaryMask prediction)
    {
        (reference, prediction) = CropToUnion(reference, prediction);
        var sr = reference.Surface();
        var sp = prediction.Surface();
        return UseTree(sr.Count + sp.Count, sr.Length)
            ? (NearestSurface.Distances(sr, sp), NearestSurface.Distances(sp, sr))
            : (Gather(DistanceTransform.Squared(sp), sr), Gather(DistanceTransform.Squared(sr), sp));
    }

    /// <summary>
    /// Whether the k-d tree (<see cref="NearestSurface"/>) is cheaper than two distance transforms of the box: when the
    /// boundary voxels are few next to the box's voxels (thin surfaces of large objects). Both are exact and give
    /// the same values; the choice only affects speed.
    /// </summary>
    internal static bool UseTree(long surfaceVoxels, long boxVoxels) => surfaceVoxels * 16 < boxVoxels;

    /// <summary>The directed distances by the distance transform (for tests of the two methods against each other).</summary>
    internal static (double[] ReferenceToPrediction, double[] PredictionToReference) DirectedByTransform(BinaryMask reference, BinaryMask prediction)
    {
        var sr = reference.Surface();
        var sp = prediction.Surface();
        return (Gather(DistanceTransform.Squared(sp), sr), Gather(DistanceTransform.Squared(sr), sp));
    }

    /// <summary>The directed distances by the k-d tree.</summary>
    internal static (double[] ReferenceToPrediction, double[] PredictionToReference) DirectedByTree(BinaryMask reference, BinaryMask prediction)
    {
        var sr = reference.Surface();
        var sp = prediction.Surface();
        return (NearestSurface.Distances(sr, sp), NearestSurface.Distances(sp, sr));
    }

    /// <summary>
    /// Both masks cropped to the union's bounding box plus one voxel on each side that is not the array border (so
    /// surfaces are unchanged: a voxel on the array border stays on the border of the crop, any other boundary voxel
    /// keeps its background neighbours). The nearest surface voxel of one mask to a voxel of the other lies in that
    /// box, so the distances are exact. Unchanged when the box is the whole array or both masks are empty.
    /// </summary>
    internal static (BinaryMask Reference, BinaryMask Prediction) CropToUnion(BinaryMask reference, BinaryMask prediction)
    {
        if (reference.BoundingBox(prediction) is not { } box) return (reference, prediction);
        var (x0, y0, z0) = (Math.Max(0, box.X0 - 1), Math.Max(0, box.Y0 - 1), Math.Max(0, box.Z0 - 1));
        var (x1, y1, z1) = (Math.Min(reference.Nx - 1, box.X1 + 1), Math.Min(reference.Ny - 1, box.Y1 + 1), Math.Min(reference.Nz - 1, box.Z1 + 1));
        if ((long)(x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1) == reference.Length) return (reference, prediction);
        return (reference.Crop(x0, y0, z0, x1, y1, z1), prediction.Crop(x0, y0, z0, x1, y1, z1));
    }

    /// <summary>The sorted union (with repeats) of two ascending arrays.</summary>
    static double[] Merge(double[] a, double[] b)
    {
        var m = new double[a.Length + b.Length];
        int i = 0, j = 0, o = 0;
        while (i < a.Length && j < b.Length) m[o++] = a[i] <= b[j] ? a[i++] : b[j++];
        while (i < a.Length) m[o++] = a[i++];
        while (j < b.Length) m[o++] = b[j++];
        return m;
    }

    static double[] Gather(double[] squared, BinaryMask at)
    {
        var list = new List<double>();
        var m = at.Voxels;
        for (var i = 0; i < m.Length; i++) if (m[i]) list.Add(Math.Sqrt(squared[i]));
        return [.. list];
    }

    /// <summary>
    /// The <paramref name="percent"/>-th percentile of ascending <paramref name="sorted"/> with linear interpolation
    /// (numpy's default method).
    /// </summary>
    public static double PercentileSorted(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) throw new ArgumentException("percentile of no values");
        if (!(percent >= 0 && percent <= 100)) throw new ArgumentOutOfRangeException(nameof(percent));
        var h = (sorted.Count - 1) * (percent / 100.0);
        var lo = (int)Math.Floor(h);
        if (lo >= sorted.Count - 1) return sorted[^1];
        var t = h - lo;
        var a = sorted[lo];
        var b = sorted[lo + 1];
        // numpy's lerp: from the nearer end, so t = 1 gives b exactly.
        return t < 0.5 ? a + (b - a) * t : b - (b - a) * (1 - t);
    }
}
