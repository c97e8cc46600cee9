using Mira.Imaging.Volumes;

namespace Mira.Conversion.Tests.Nifti;

/// <summary>Voxel-by-voxel and affine comparison of a NIfTI volume with the volume built back from DICOM.</summary>
internal static class VolumeComparison
{
    /// <summary>
    /// The volume as a DICOM stack presents it: DICOM slices are stacked along row × column, so a left-handed NIfTI
    /// grid (k against the normal, e.g. FSL's radiological MNI152) comes back with k reversed — the same voxels at the
    /// same patient positions, numbered from the other end.
    /// </summary>
    public static Volume AsDicomStacks(Volume v)
    {
        var g = v.Geometry;
        var d = g.Direction;
        var normal = new[] { d[3] * d[7] - d[6] * d[4], d[6] * d[1] - d[0] * d[7], d[0] * d[4] - d[3] * d[1] };
        if (normal[0] * d[2] + normal[1] * d[5] + normal[2] * d[8] > 0) return v;
        var size = v.Type.Size();
        var plane = (long)v.Nx * v.Ny * size;
        var data = new byte[v.Data.Length];
        for (var t = 0; t < v.Frames; t++)
            for (var k = 0; k < v.Nz; k++)
                Array.Copy(v.Data, ((long)t * v.Nz + k) * plane, data, ((long)t * v.Nz + (v.Nz - 1 - k)) * plane, plane);
        var origin = g.PatientPosition(0, 0, v.Nz - 1);
        var direction = (double[])d.Clone();
        direction[2] = -d[2]; direction[5] = -d[5]; direction[8] = -d[8];
        return new Volume(v.Size, v.Type, data, new VolumeGeometry(origin, g.Spacing, direction), v.ExtraSpacing);
    }

    /// <summary>The largest difference between the voxel → patient affines (mm).</summary>
    public static double AffineDifference(Volume a, Volume b) =>
        a.Geometry.VoxelToPatient().Zip(b.Geometry.VoxelToPatient(), (x, y) => Math.Abs(x - y)).Max();

    /// <summary>The index of the first voxel whose values differ, or -1 (values compared exactly, whatever the types).</summary>
    public static long FirstDifference(Volume a, Volume b)
    {
        for (long i = 0; i < a.VoxelCount; i++)
            if (!a.GetValue(i).Equals(b.GetValue(i))) return i; // Equals: NaN equals NaN
        return -1;
    }
}
