namespace Mira.Imaging.Nifti;

/// <summary>A qform in quaternion form: (b, c, d) with a = √(1 − b² − c² − d²) ≥ 0, qfac (±1), spacings and rigidity.</summary>
public readonly record struct NiftiQuaternion(double B, double C, double D, double QFac, double Dx, double Dy, double Dz, bool IsRigid);

/// <summary>
/// The NIfTI-1 qform algebra (nifti1.h "METHOD 2"): the rotation matrix of a unit quaternion (a, b, c, d),
/// columns scaled by pixdim[1], pixdim[2] and qfac·pixdim[3], plus the qoffset translation; and its inverse.
/// </summary>
public static class NiftiTransforms
{
    /// <summary>The voxel → RAS affine (row-major 4×4) of a qform.</summary>
    public static double[] QuaternionToAffine(double b, double c, double d, double qx, double qy, double qz, double dx, double dy, double dz, double qfac)
    {
        var a2 = 1.0 - (b * b + c * c + d * d);
        double a;
        if (a2 < 0)
        {
            // (b, c, d) is a little longer than a unit vector (rounding): a 180° rotation, renormalised.
            var n = Math.Sqrt(b * b + c * c + d * d);
            b /= n; c /= n; d /= n;
            a = 0;
        }
        else
        {
            // nifti1_io also sets a = 0 (and renormalises) when 0 <= a² < 1e-7; nibabel keeps a = √a². Mira follows
            // nibabel: the two differ by up to ~3e-4 in the rotation for such quaternions (nifti/nibabel/example_nifti2.nii.gz).
            a = Math.Sqrt(a2);
        }
        // Non-positive spacings are read as 1 (nifti1_io does the same).
        dx = dx > 0 ? dx : 1; dy = dy > 0 ? dy : 1; dz = dz > 0 ? dz : 1;
        dz *= qfac < 0 ? -1 : 1;
        return
        [
            (a * a + b * b - c * c - d * d) * dx, 2 * (b * c - a * d) * dy, 2 * (b * d + a * c) * dz, qx,
            2 * (b * c + a * d) * dx, (a * a + c * c - b * b - d * d) * dy, 2 * (c * d - a * b) * dz, qy,
            2 * (b * d - a * c) * dx, 2 * (c * d + a * b) * dy, (a * a + d * d - c * c - b * b) * dz, qz,
            0, 0, 0, 1,
        ];
    }

    /// <summary>
    /// (b, c, d) ready for NIfTI-1's float32 fields. For a (near) 180° rotation (a² &lt; 1e-7) rounding to float32
    /// can leave 1 − b² − c² − d² slightly positive, and a reader then takes a = √(that) ≈ 3e-4 — a visibly wrong
    /// rotation. Such a vector is lengthened until its float32 length is at least 1, so that every reader
    /// (nifti1_io, nibabel, Mira) recovers a = 0.
    /// </summary>
    public static (double B, double C, double D) ForFloat32(double b, double c, double d)
    {
        if (1 - (b * b + c * c + d * d) >= 1e-7) return (b, c, d);
        for (var scale = 1.0; scale < 1 + 1e-5; scale += 1e-7)
        {
            double fb = (float)(b * scale), fc = (float)(c * scale), fd = (float)(d * scale);
            if (fb * fb + fc * fc + fd * fd >= 1) return (fb, fc, fd);
        }
        return (b, c, d);
    }

    /// <summary>
    /// The quaternion, qfac and spacings of the rotation part of a voxel → RAS affine. Columns are normalised;
    /// a left-handed matrix gets qfac −1 and its third column negated. <see cref="NiftiQuaternion.IsRigid"/> is
    /// false when the normalised columns are not orthogonal (within 1e-4): such a matrix (a shear) has no exact qform.
    /// </summary>
    public static NiftiQuaternion AffineToQuaternion(double[] affine)
    {
        var r = new double[9];
        var s = new double[3];
        for (var col = 0; col < 3; col++)
        {
            var n = Math.Sqrt(affine[col] * affine[col] + affine[4 + col] * affine[4 + col] + affine[8 + col] * affine[8 + col]);
            s[col] = n;
            for (var row = 0; row < 3; row++) r[row * 3 + col] = n > 0 ? affine[row * 4 + col] / n : (row == col ? 1 : 0);
        }
        var det = r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6]);
        var qfac = 1.0;
        if (det < 0)
        {
            qfac = -1;
            r[2] = -r[2]; r[5] = -r[5]; r[8] = -r[8];
        }
        var rigid = true;
        for (var i = 0; i < 3; i++)
            for (var j = i + 1; j < 3; j++)
                if (Math.Abs(r[i] * r[j] + r[3 + i] * r[3 + j] + r[6 + i] * r[6 + j]) > 1e-4) rigid = false;

        double a, b, c, d;
        var trace = r[0] + r[4] + r[8];
        if (trace > 0)
        {
            a = 0.5 * Math.Sqrt(1 + trace);
            b = 0.25 * (r[7] - r[5]) / a;
            c = 0.25 * (r[2] - r[6]) / a;
            d = 0.25 * (r[3] - r[1]) / a;
        }
        else if (r[0] >= r[4] && r[0] >= r[8])
        {
            b = 0.5 * Math.Sqrt(Math.Max(0, 1 + r[0] - r[4] - r[8]));
            c = 0.25 * (r[1] + r[3]) / b;
            d = 0.25 * (r[2] + r[6]) / b;
            a = 0.25 * (r[7] - r[5]) / b;
        }
        else if (r[4] >= r[8])
        {
            c = 0.5 * Math.Sqrt(Math.Max(0, 1 + r[4] - r[0] - r[8]));
            b = 0.25 * (r[1] + r[3]) / c;
            d = 0.25 * (r[5] + r[7]) / c;
            a = 0.25 * (r[2] - r[6]) / c;
        }
        else
        {
            d = 0.5 * Math.Sqrt(Math.Max(0, 1 + r[8] - r[0] - r[4]));
            b = 0.25 * (r[2] + r[6]) / d;
            c = 0.25 * (r[5] + r[7]) / d;
            a = 0.25 * (r[3] - r[1]) / d;
        }
        if (a < 0) { b = -b; c = -c; d = -d; }
        return new NiftiQuaternion(b, c, d, qfac, s[0], s[1], s[2], rigid);
    }
}
