using Mira.Imaging;
using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Metrics;

/// <summary>
/// A 3D binary mask: one flag per voxel, x fastest (index = i + nx·(j + ny·k)), with the voxel spacing in mm along
/// x, y and z.
/// </summary>
public sealed class BinaryMask
{
    public BinaryMask(int nx, int ny, int nz, bool[] voxels, double sx = 1, double sy = 1, double sz = 1)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentException($"mask size {nx}×{ny}×{nz} has an empty dimension");
        if ((long)nx * ny * nz != voxels.LongLength) throw new ArgumentException($"mask size {nx}×{ny}×{nz} needs {(long)nx * ny * nz} voxels, got {voxels.LongLength}");
        foreach (var s in new[] { sx, sy, sz })
            if (!(s > 0) || !double.IsFinite(s)) throw new ArgumentException($"voxel spacing must be positive and finite, got {s}");
        Nx = nx;
        Ny = ny;
        Nz = nz;
        Voxels = voxels;
        Spacing = [sx, sy, sz];
    }

    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public bool[] Voxels { get; }

    /// <summary>Voxel spacing in mm along x, y, z.</summary>
    public double[] Spacing { get; }

    public int Length => Voxels.Length;

    public bool this[int i, int j, int k] => Voxels[i + Nx * (j + Ny * k)];

    /// <summary>Number of true voxels.</summary>
    public long Count
    {
        get
        {
            long n = 0;
            foreach (var v in Voxels) if (v) n++;
            return n;
        }
    }

    /// <summary>Volume of one voxel in mm³.</summary>
    public double VoxelVolume => Spacing[0] * Spacing[1] * Spacing[2];

    /// <summary>
    /// The mask of a (label) volume: with <paramref name="label"/> null every non-zero voxel is foreground, otherwise
    /// the voxels equal to it. A 4D volume is refused unless it has a single frame.
    /// </summary>
    public static BinaryMask FromVolume(Volume volume, int? label = null)
    {
        if (volume.Frames != 1) throw new ImagingException($"a mask needs a 3D volume, got {string.Join('×', volume.Size)}");
        if (volume.Type.IsColour()) throw new ImagingException($"a mask cannot be read from {volume.Type} voxels");
        var n = checked((int)((long)volume.Nx * volume.Ny * volume.Nz));
        var m = new bool[n];
        if (volume.Type == VoxelType.UInt8)
        {
            var data = volume.Data;
            for (var i = 0; i < n; i++) m[i] = label is { } l ? data[i] == l : data[i] != 0;
        }
        else
        {
            for (var i = 0; i < n; i++)
            {
                var v = volume.GetValue(i);
                m[i] = label is { } l ? v == l : v != 0;
            }
        }
        var s = volume.Geometry.Spacing;
        return new BinaryMask(volume.Nx, volume.Ny, volume.Nz, m, s[0], s[1], s[2]);
    }

    /// <summary>Reads a mask from .mha, .mhd, .nii or .nii.gz (see <see cref="FromVolume"/> for <paramref name="label"/>).</summary>
    public static BinaryMask Read(string path, int? label = null)
    {
        Volume v;
        if (MetaImageFile.IsMetaImagePath(path)) v = MetaImageFile.Read(path);
        else if (NiftiFile.IsNiftiPath(path)) v = NiftiVolumes.ReadVolume(path, applyScaling: false);
        else throw new ImagingException($"{path}: a mask must be .mha, .mhd, .nii or .nii.gz");
        return FromVolume(v, label);
    }

    /// <summary>
    /// The boundary voxels: the mask minus its erosion by the 6-connected (face-neighbour) cross, with voxels outside
    /// the array counted as background — a true voxel is on the surface when it lies on the array border or has a
    /// false face neighbour. This matches <c>m &amp; ~scipy.ndimage.binary_erosion(m)</c> (default structure and
    /// border value 0) as <c>../shared/bench/dice_numpy.py</c> defines it.
    /// </summary>
    public BinaryMask Surface()
    {
        var s = new bool[Voxels.Length];
        var m = Voxels;
        int nx = Nx, ny = Ny, nz = Nz;
        var sxy = nx * ny;
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++)
                {
                    var o = i + nx * (j + ny * k);
                    if (!m[o]) continue;
                    s[o] = i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1
                        || !m[o - 1] || !m[o + 1] || !m[o - nx] || !m[o + nx] || !m[o - sxy] || !m[o + sxy];
                }
        return new BinaryMask(nx, ny, nz, s, Spacing[0], Spacing[1], Spacing[2]);
    }
}
