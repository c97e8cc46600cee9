namespace Mira.Metrics.Lesions;

/// <summary>autoPET's per-study figures.</summary>
/// <param name="Dice">foreground Dice; NaN for a study without reference lesions (autoPET scores those on FPV only).</param>
/// <param name="FalsePositiveVolumeMl">volume (mL) of predicted components that touch no reference voxel.</param>
/// <param name="FalseNegativeVolumeMl">volume (mL) of reference components that touch no predicted voxel.</param>
public sealed record AutoPetResult(double Dice, double FalsePositiveVolumeMl, double FalseNegativeVolumeMl,
    int FalsePositiveComponents, int FalseNegativeComponents);

/// <summary>
/// The autoPET challenge metrics (<c>../shared/protocols/petct-tumour-metabolism.json</c>, <c>evaluation</c>):
/// components are 18-connected; FPV sums the predicted components with no voxel in the reference, FNV the reference
/// components with no voxel in the prediction; volumes in mL = voxels × voxel volume (mm³) / 1000.
/// </summary>
public static class AutoPet
{
    public static AutoPetResult Compute(BinaryMask reference, BinaryMask prediction, Connectivity connectivity = Connectivity.Edges18)
    {
        if (reference.Length != prediction.Length || reference.Nx != prediction.Nx || reference.Ny != prediction.Ny)
            throw new ArgumentException("reference and prediction differ in size");
        var (fpVoxels, fpCount) = Unmatched(prediction, reference, connectivity);
        var (fnVoxels, fnCount) = Unmatched(reference, prediction, connectivity);
        long nr = 0, np = 0, ni = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (reference.Voxels[i]) nr++;
            if (prediction.Voxels[i]) np++;
            if (reference.Voxels[i] && prediction.Voxels[i]) ni++;
        }
        var ml = reference.VoxelVolume / 1000;
        return new AutoPetResult(nr == 0 ? double.NaN : 2.0 * ni / (nr + np), fpVoxels * ml, fnVoxels * ml, fpCount, fnCount);
    }

    /// <summary>Voxels and number of the components of <paramref name="mask"/> with no voxel in <paramref name="other"/>.</summary>
    static (long Voxels, int Components) Unmatched(BinaryMask mask, BinaryMask other, Connectivity connectivity)
    {
        var (labels, count) = Components.Label(mask, connectivity);
        var size = new long[count + 1];
        var touches = new bool[count + 1];
        for (var i = 0; i < labels.Length; i++)
        {
            var l = labels[i];
            if (l == 0) continue;
            size[l]++;
            if (other.Voxels[i]) touches[l] = true;
        }
        long voxels = 0;
        var n = 0;
        for (var l = 1; l <= count; l++)
            if (!touches[l])
            {
                voxels += size[l];
                n++;
            }
        return (voxels, n);
    }
}
