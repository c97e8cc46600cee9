namespace Mira.Metrics.Lesions;

/// <summary>
/// The parameters of BraTS 2023 lesion-wise scoring (<c>../shared/protocols/glioma-brats.json</c> and
/// <c>meningioma-brats-men.json</c>, <c>evaluation</c>).
/// </summary>
/// <param name="DilationIterations">dilation iterations for merging reference lesions and for matching (3 GLI/SSA/PED, 1 MEN/MET).</param>
/// <param name="MinLesionVolumeMm3">reference lesions of at most this volume are ignored (50; 2 for MET).</param>
/// <param name="PenaltyHd95Mm">HD95 of a missed lesion or a false-positive component (374).</param>
/// <param name="ComponentConnectivity">connectivity of the components (26).</param>
/// <param name="DilationStructure">structuring element of the dilation: 18 (<c>generate_binary_structure(3, 2)</c>) in the BraTS 2023 code.</param>
public sealed record LesionWiseProtocol(int DilationIterations, double MinLesionVolumeMm3, double PenaltyHd95Mm = 374,
    Connectivity ComponentConnectivity = Connectivity.Corners26, Connectivity DilationStructure = Connectivity.Edges18)
{
    /// <summary>BraTS 2023 adult glioma (also SSA and pediatric): dilation 3, lesions ≤ 50 ignored.</summary>
    public static LesionWiseProtocol Glioma { get; } = new(3, 50);
    /// <summary>BraTS 2023 meningioma: dilation 1, lesions ≤ 50 ignored.</summary>
    public static LesionWiseProtocol Meningioma { get; } = new(1, 50);
    /// <summary>BraTS 2023 metastases: dilation 1, lesions ≤ 2 ignored.</summary>
    public static LesionWiseProtocol Metastases { get; } = new(1, 2);
}

/// <summary>One reference lesion (after merging by dilation).</summary>
/// <param name="MatchedComponents">predicted components overlapping the dilated lesion.</param>
/// <param name="Ignored">at most the minimum volume: left out of the score (its matched predictions are not false positives).</param>
public sealed record LesionScore(long Voxels, double VolumeMm3, int MatchedComponents, double Dice, double Hd95Mm, bool Ignored);

/// <summary>A case's lesion-wise Dice and HD95 with the counts behind them.</summary>
/// <param name="TruePositives">scored lesions with at least one matched predicted component.</param>
/// <param name="FalseNegatives">scored lesions with none.</param>
/// <param name="FalsePositives">predicted components matched to no reference lesion.</param>
public sealed record LesionWiseResult(double Dice, double Hd95Mm, int TruePositives, int FalseNegatives, int FalsePositives,
    IReadOnlyList<LesionScore> Lesions);

/// <summary>
/// Lesion-wise Dice and HD95 as the BraTS 2023 challenges define them (BraTS 2023 lesion-wise performance metrics,
/// the challenges' evaluation code; conventions in <c>../shared/protocols/glioma-brats.json</c>).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Reference and prediction are split into connected components (26-connectivity).</item>
/// <item>Reference lesions are merged: the reference is dilated (18-neighbourhood structuring element, n iterations),
/// and the reference voxels lying in one component of the dilated mask form one lesion.</item>
/// <item>Each lesion is dilated the same way on its own; the predicted components overlapping the dilated lesion are
/// its matches. Its Dice and HD95 are those of the lesion against the union of its matches; with no match Dice 0 and
/// HD95 the penalty (374 mm).</item>
/// <item>Lesions with volume ≤ the minimum (mm³, voxel count × voxel volume) are left out; predicted components
/// matched to no lesion, ignored ones included, are false positives, each Dice 0 and HD95 374.</item>
/// <item>Case score = Σ over scored lesions / (scored lesions + false positives), HD95 likewise with 374 per false
/// positive; with nothing to score (no lesion left and no false positive) Dice 1 and HD95 0.</item>
/// </list>
/// HD95 per lesion is <see cref="SegmentationResult.Hd95MaxOfDirectedMm"/>: the maximum of the two directed 95th
/// percentiles of boundary-voxel distances. The BraTS code computes the same max-of-directed form with DeepMind's
/// <c>surface-distance</c> package, which weights surface elements by area, so its values can differ slightly on
/// irregular shapes; Dice, matching, counts and penalties are the same.
/// </remarks>
public static class LesionWise
{
    public static LesionWiseResult Compute(BinaryMask reference, BinaryMask prediction, LesionWiseProtocol protocol)
    {
        if (reference.Nx != prediction.Nx || reference.Ny != prediction.Ny || reference.Nz != prediction.Nz)
            throw new ArgumentException("reference and prediction differ in size");
        var (predLabels, predCount) = Components.Label(prediction, protocol.ComponentConnectivity);
        var lesions = MergedLesions(reference, protocol);
        var matched = new HashSet<int>();
        var scores = new List<LesionScore>();
        foreach (var lesion in lesions)
        {
            var voxels = lesion.Count;
            var volume = voxels * reference.VoxelVolume;
            var hits = Overlapping(DilateInPlace(lesion, protocol), predLabels, reference.Nx, reference.Ny);
            matched.UnionWith(hits);
            double dice, hd95;
            if (hits.Count == 0)
            {
                dice = 0;
                hd95 = protocol.PenaltyHd95Mm;
            }
            else
            {
                var r = SegmentationMetrics.Compute(lesion, Components.Select(prediction, predLabels, hits));
                dice = r.Dice;
                hd95 = r.Hd95MaxOfDirectedMm;
            }
            scores.Add(new LesionScore(voxels, volume, hits.Count, dice, hd95, volume <= protocol.MinLesionVolumeMm3));
        }
        var fp = predCount - matched.Count;
        var kept = scores.Where(s => !s.Ignored).ToArray();
        var denominator = kept.Length + fp;
        var caseDice = denominator == 0 ? 1 : kept.Sum(s => s.Dice) / denominator;
        var caseHd = denominator == 0 ? 0 : (kept.Sum(s => s.Hd95Mm) + fp * protocol.PenaltyHd95Mm) / denominator;
        return new LesionWiseResult(caseDice, caseHd, kept.Count(s => s.MatchedComponents > 0), kept.Count(s => s.MatchedComponents == 0), fp, scores);
    }

    /// <summary>The reference lesions after merging by dilation, each as a full-size mask, in raster order of their dilated component.</summary>
    public static IReadOnlyList<BinaryMask> MergedLesions(BinaryMask reference, LesionWiseProtocol protocol)
    {
        var dilated = Components.Dilate(reference, protocol.DilationStructure, protocol.DilationIterations);
        var (labels, count) = Components.Label(dilated, protocol.ComponentConnectivity);
        var lesions = new List<BinaryMask>();
        var r = reference.Voxels;
        for (var c = 1; c <= count; c++)
        {
            var v = new bool[r.Length];
            var any = false;
            for (var i = 0; i < r.Length; i++)
                if (r[i] && labels[i] == c)
                {
                    v[i] = true;
                    any = true;
                }
            if (any) lesions.Add(new BinaryMask(reference.Nx, reference.Ny, reference.Nz, v, reference.Spacing[0], reference.Spacing[1], reference.Spacing[2]));
        }
        return lesions;
    }

    /// <summary>The lesion dilated by the protocol, computed on its bounding box grown by the iterations (same result as the whole volume).</summary>
    static (BinaryMask Dilated, int X0, int Y0, int Z0) DilateInPlace(BinaryMask lesion, LesionWiseProtocol protocol)
    {
        var b = lesion.BoundingBox() ?? throw new InvalidOperationException("empty lesion");
        var n = protocol.DilationIterations;
        int x0 = Math.Max(0, b.X0 - n), y0 = Math.Max(0, b.Y0 - n), z0 = Math.Max(0, b.Z0 - n);
        int x1 = Math.Min(lesion.Nx - 1, b.X1 + n), y1 = Math.Min(lesion.Ny - 1, b.Y1 + n), z1 = Math.Min(lesion.Nz - 1, b.Z1 + n);
        return (Components.Dilate(lesion.Crop(x0, y0, z0, x1, y1, z1), protocol.DilationStructure, n), x0, y0, z0);
    }

    /// <summary>The predicted component labels under the (cropped) dilated lesion.</summary>
    static HashSet<int> Overlapping((BinaryMask Dilated, int X0, int Y0, int Z0) d, int[] predLabels, int nx, int ny)
    {
        var hits = new HashSet<int>();
        var m = d.Dilated;
        for (var k = 0; k < m.Nz; k++)
            for (var j = 0; j < m.Ny; j++)
                for (var i = 0; i < m.Nx; i++)
                {
                    if (!m[i, j, k]) continue;
                    var l = predLabels[d.X0 + i + nx * (d.Y0 + j + ny * (d.Z0 + k))];
                    if (l != 0) hits.Add(l);
                }
        return hits;
    }
}
