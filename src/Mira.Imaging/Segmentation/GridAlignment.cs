using System.Globalization;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Segmentation;

/// <summary>
/// Puts two 3D volumes on one voxel grid without resampling. Two grids are compatible when their spacing and
/// direction agree and one origin lies a whole number of voxels from the other along every axis (the common case of a
/// DICOM SEG that stores only the slices holding a segment, against a mask of the whole series). Both volumes are
/// then copied into the smallest grid holding both (the union of their extents), zero-filled elsewhere; voxels keep
/// their values and patient positions exactly. Anything else (other spacing or orientation, half-voxel shifts) is
/// refused: that needs interpolation, which changes a mask.
/// </summary>
public static class GridAlignment
{
    /// <summary>Largest spacing (mm) or direction-cosine difference for two grids to count as the same.</summary>
    public const double AxisTolerance = 1e-4;

    /// <summary>
    /// <paramref name="a"/> and <paramref name="b"/> on their union grid; the volumes themselves when the grids are
    /// already equal. <paramref name="toleranceMm"/>: how far (mm) an origin may lie from a whole-voxel offset.
    /// </summary>
    public static (Volume A, Volume B) ToUnionGrid(Volume a, Volume b, string nameA = "the first volume", string nameB = "the second volume", double toleranceMm = 0.01)
    {
        if (a.Frames != 1) throw new ImagingException($"{nameA}: a mask needs a 3D volume, got {string.Join('×', a.Size)}");
        if (b.Frames != 1) throw new ImagingException($"{nameB}: a mask needs a 3D volume, got {string.Join('×', b.Size)}");
        var ga = a.Geometry;
        var gb = b.Geometry;
        var sameAxes = true;
        for (var i = 0; i < 3; i++) sameAxes &= Math.Abs(ga.Spacing[i] - gb.Spacing[i]) <= AxisTolerance;
        for (var i = 0; i < 9; i++) sameAxes &= Math.Abs(ga.Direction[i] - gb.Direction[i]) <= AxisTolerance;
        if (!sameAxes)
            throw new ImagingException($"{nameA} and {nameB} lie on grids of different spacing or orientation ({ga}; {gb}); masks are compared without resampling, so they must share spacing and direction");
        if (!ga.IsOrthonormal(1e-3))
            throw new ImagingException($"{nameA}: a sheared grid ({ga}) cannot be aligned by whole-voxel offsets");
        // Origin of b in a's voxel coordinates: Dᵀ(ob − oa) / spacing (D orthonormal).
        var offset = new int[3];
        var frac = new double[3];
        for (var c = 0; c < 3; c++)
        {
            double t = 0;
            for (var r = 0; r < 3; r++) t += ga.D(r, c) * (gb.Origin[r] - ga.Origin[r]);
            frac[c] = t / ga.Spacing[c];
            if (Math.Abs(frac[c]) > int.MaxValue / 4) throw new ImagingException($"{nameA} and {nameB} lie {t} mm apart");
            offset[c] = (int)Math.Round(frac[c]);
            if (Math.Abs(frac[c] - offset[c]) * ga.Spacing[c] > toleranceMm)
                throw new ImagingException(string.Create(CultureInfo.InvariantCulture,
                    $"{nameA} and {nameB} share spacing and direction but their origins are ({frac[0]:0.###}, {frac[1]:0.###}, {frac[2]:0.###}) voxels apart, not a whole number of voxels (tolerance {toleranceMm} mm): resampling would be needed"));
        }
        if (offset.All(o => o == 0) && a.Nx == b.Nx && a.Ny == b.Ny && a.Nz == b.Nz) return (a, b);
        var na = new[] { a.Nx, a.Ny, a.Nz };
        var nb = new[] { b.Nx, b.Ny, b.Nz };
        var lo = new int[3];
        var size = new int[3];
        for (var c = 0; c < 3; c++)
        {
            lo[c] = Math.Min(0, offset[c]);
            size[c] = checked(Math.Max(na[c], offset[c] + nb[c]) - lo[c]);
        }
        var origin = ga.PatientPosition(lo[0], lo[1], lo[2]);
        var grid = new VolumeGeometry(origin, ga.Spacing, ga.Direction);
        return (Pad(a, grid, size, [-lo[0], -lo[1], -lo[2]]), Pad(b, grid, size, [offset[0] - lo[0], offset[1] - lo[1], offset[2] - lo[2]]));
    }

    /// <summary>A zero volume of <paramref name="size"/> with <paramref name="v"/> copied in at voxel <paramref name="at"/>.</summary>
    static Volume Pad(Volume v, VolumeGeometry grid, int[] size, int[] at)
    {
        var result = Volume.Create(size, v.Type, grid);
        var row = v.Nx * v.Type.Size();
        for (var k = 0; k < v.Nz; k++)
            for (var j = 0; j < v.Ny; j++)
                Array.Copy(v.Data, v.Index(0, j, k) * v.Type.Size(), result.Data, result.Index(at[0], j + at[1], k + at[2]) * v.Type.Size(), row);
        return result;
    }
}
