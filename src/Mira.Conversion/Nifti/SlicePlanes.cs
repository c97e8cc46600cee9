using Mira.Imaging.Volumes;

namespace Mira.Conversion.Nifti;

/// <summary>
/// The Image Plane attributes (PS3.3 §C.7.6.2) of the slices of a voxel grid: Image Orientation (Patient) from the i
/// and j axes, Pixel Spacing (between rows, then between columns), Image Position (Patient) of slice k's first voxel,
/// and the slice gap along the normal (row × column). DICOM rows and columns are perpendicular, so an in-plane shear
/// cannot be written; a k axis off the normal (a sheared stack) is kept by the positions.
/// </summary>
internal sealed class SlicePlanes
{
    public const double OrthogonalityTolerance = 1e-4;

    SlicePlanes(VolumeGeometry geometry, double[] normal, double gap)
    {
        Geometry = geometry;
        Normal = normal;
        SliceGap = gap;
    }

    public VolumeGeometry Geometry { get; }
    public double[] Normal { get; }

    /// <summary>The distance between neighbouring slices along the normal (positive).</summary>
    public double SliceGap { get; }

    public double[] Orientation => [Geometry.D(0, 0), Geometry.D(1, 0), Geometry.D(2, 0), Geometry.D(0, 1), Geometry.D(1, 1), Geometry.D(2, 1)];

    /// <summary>Pixel Spacing: between rows (along j), then between columns (along i).</summary>
    public double[] PixelSpacing => [Geometry.Spacing[1], Geometry.Spacing[0]];

    public double[] Position(int k) => Geometry.PatientPosition(0, 0, k);

    /// <summary>Slice Location: the position along the normal.</summary>
    public double Location(int k)
    {
        var p = Position(k);
        return p[0] * Normal[0] + p[1] * Normal[1] + p[2] * Normal[2];
    }

    public static SlicePlanes From(VolumeGeometry g, string source)
    {
        for (var v = 0; v < 27; v++)
            if (!double.IsFinite(g.Direction[v % 9]) || !double.IsFinite(g.Origin[v % 3]) || !(g.Spacing[v % 3] > 0))
                throw new ConversionException($"{source}: the affine has a non-finite or zero value");
        var dot = g.D(0, 0) * g.D(0, 1) + g.D(1, 0) * g.D(1, 1) + g.D(2, 0) * g.D(2, 1);
        if (Math.Abs(dot) > OrthogonalityTolerance)
            throw new ConversionException($"{source}: the voxel axes i and j are not perpendicular (cosine {dot:0.######}, an in-plane shear): DICOM rows and columns are perpendicular (PS3.3 §C.7.6.2.1.1), so this grid cannot be written without resampling");
        var n = new[]
        {
            g.D(1, 0) * g.D(2, 1) - g.D(2, 0) * g.D(1, 1),
            g.D(2, 0) * g.D(0, 1) - g.D(0, 0) * g.D(2, 1),
            g.D(0, 0) * g.D(1, 1) - g.D(1, 0) * g.D(0, 1),
        };
        var len = Math.Sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        for (var a = 0; a < 3; a++) n[a] /= len;
        var gap = Math.Abs((g.D(0, 2) * n[0] + g.D(1, 2) * n[1] + g.D(2, 2) * n[2]) * g.Spacing[2]);
        if (!(gap > 1e-6)) throw new ConversionException($"{source}: the slices (voxel axis k) lie in the image plane: no slice gap along the normal");
        return new SlicePlanes(g, n, gap);
    }
}
