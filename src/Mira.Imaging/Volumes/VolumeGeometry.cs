using System.Globalization;

namespace Mira.Imaging.Volumes;

/// <summary>
/// Where the voxels of a volume lie in patient coordinates, DICOM's LPS+ convention (x grows to the patient's
/// left, y to posterior, z to head; PS3.3 §C.7.6.2.1.1). The position of voxel centre (i, j, k) is
/// <c>Origin + Direction · diag(Spacing) · (i, j, k)</c>: <see cref="Origin"/> is the centre of voxel (0, 0, 0),
/// and column c of <see cref="Direction"/> is the unit vector along voxel axis c (i runs along a row, j down a
/// column, k through the slices). Direction is normally orthonormal; a sheared one (a gantry-tilted stack or a
/// sheared NIfTI sform) is kept as it is and reported by <see cref="IsOrthonormal"/>.
/// </summary>
public sealed class VolumeGeometry
{
    /// <param name="origin">centre of voxel (0,0,0), LPS millimetres</param>
    /// <param name="spacing">distance between voxel centres along i, j, k (positive)</param>
    /// <param name="direction">3×3, row-major; column c is the unit direction of axis c</param>
    public VolumeGeometry(double[] origin, double[] spacing, double[] direction)
    {
        if (origin.Length != 3 || spacing.Length != 3 || direction.Length != 9) throw new ArgumentException("origin and spacing need 3 values, direction 9");
        Origin = (double[])origin.Clone();
        Spacing = (double[])spacing.Clone();
        Direction = (double[])direction.Clone();
    }

    public static VolumeGeometry Identity(double sx = 1, double sy = 1, double sz = 1) =>
        new([0, 0, 0], [sx, sy, sz], [1, 0, 0, 0, 1, 0, 0, 0, 1]);

    public double[] Origin { get; }
    public double[] Spacing { get; }
    public double[] Direction { get; }

    /// <summary>Element (row r, column c) of the direction matrix.</summary>
    public double D(int r, int c) => Direction[r * 3 + c];

    /// <summary>The 4×4 voxel → LPS affine, row-major (16 values; the last row is 0 0 0 1).</summary>
    public double[] VoxelToPatient()
    {
        var a = new double[16];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++) a[r * 4 + c] = D(r, c) * Spacing[c];
            a[r * 4 + 3] = Origin[r];
        }
        a[15] = 1;
        return a;
    }

    /// <summary>The voxel → RAS+ affine NIfTI uses: the LPS affine with its x and y rows negated.</summary>
    public double[] VoxelToRas() => LpsRasFlip(VoxelToPatient());

    /// <summary>LPS ↔ RAS for a 4×4 row-major affine (its own inverse): negates rows 0 and 1.</summary>
    public static double[] LpsRasFlip(double[] affine)
    {
        var a = (double[])affine.Clone();
        for (var c = 0; c < 4; c++) { a[c] = -a[c]; a[4 + c] = -a[4 + c]; }
        return a;
    }

    /// <summary>Splits a voxel → LPS affine (row-major 4×4 or 3×4) into origin, spacing (column norms) and direction.</summary>
    public static VolumeGeometry FromVoxelToPatient(double[] affine)
    {
        var spacing = new double[3];
        var dir = new double[9];
        for (var c = 0; c < 3; c++)
        {
            var n = Math.Sqrt(affine[c] * affine[c] + affine[4 + c] * affine[4 + c] + affine[8 + c] * affine[8 + c]);
            if (n == 0 || !double.IsFinite(n)) { spacing[c] = 1; dir[c * 4] = 1; continue; } // degenerate column: unit axis
            spacing[c] = n;
            for (var r = 0; r < 3; r++) dir[r * 3 + c] = affine[r * 4 + c] / n;
        }
        return new VolumeGeometry([affine[3], affine[7], affine[11]], spacing, dir);
    }

    /// <summary>The LPS position of voxel centre (i, j, k).</summary>
    public double[] PatientPosition(double i, double j, double k)
    {
        var p = new double[3];
        for (var r = 0; r < 3; r++) p[r] = Origin[r] + D(r, 0) * Spacing[0] * i + D(r, 1) * Spacing[1] * j + D(r, 2) * Spacing[2] * k;
        return p;
    }

    /// <summary>Largest deviation of DᵀD from the identity.</summary>
    public double OrthonormalityError()
    {
        var e = 0.0;
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var dot = D(0, a) * D(0, b) + D(1, a) * D(1, b) + D(2, a) * D(2, b);
                e = Math.Max(e, Math.Abs(dot - (a == b ? 1 : 0)));
            }
        return e;
    }

    public bool IsOrthonormal(double tolerance = 1e-4) => OrthonormalityError() <= tolerance;

    /// <summary>True when every origin, spacing and direction value differs by at most <paramref name="tolerance"/>.</summary>
    public bool ApproximatelyEquals(VolumeGeometry other, double tolerance = 1e-6) =>
        Near(Origin, other.Origin, tolerance) && Near(Spacing, other.Spacing, tolerance) && Near(Direction, other.Direction, tolerance);

    static bool Near(double[] a, double[] b, double tol)
    {
        for (var i = 0; i < a.Length; i++) if (!(Math.Abs(a[i] - b[i]) <= tol)) return false;
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"origin ({Origin[0]:0.###}, {Origin[1]:0.###}, {Origin[2]:0.###}) spacing ({Spacing[0]:0.####}, {Spacing[1]:0.####}, {Spacing[2]:0.####}) direction [{string.Join(' ', Direction.Select(d => d.ToString("0.####", CultureInfo.InvariantCulture)))}]");
}
