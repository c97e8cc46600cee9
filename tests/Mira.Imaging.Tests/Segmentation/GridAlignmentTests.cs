using Mira.Imaging.Segmentation;
using Mira.Imaging.Volumes;

namespace Mira.Imaging.Tests.Segmentation;

/// <summary><see cref="GridAlignment.ToUnionGrid"/>: whole-voxel offsets on a rotated grid, and refusals.</summary>
public sealed class GridAlignmentTests
{
    // Axes: i along +y, j along −x, k along +z (a 90° rotation); spacing 0.5 × 2 × 3 mm.
    static readonly double[] Direction = [0, -1, 0, 1, 0, 0, 0, 0, 1];
    static readonly double[] Spacing = [0.5, 2, 3];

    static Volume Make(int nx, int ny, int nz, double[] origin, params (int I, int J, int K)[] set)
    {
        var v = Volume.Create([nx, ny, nz], VoxelType.UInt8, new VolumeGeometry(origin, Spacing, Direction));
        foreach (var (i, j, k) in set) v.SetValue(v.Index(i, j, k), 1);
        return v;
    }

    [Fact]
    public void Voxels_keep_their_patient_positions_on_the_union_grid()
    {
        var a = Make(4, 3, 2, [10, 20, 30], (1, 2, 1), (3, 0, 0));
        // b's voxel (0,0,0) is a's voxel (−2, 1, 3): origin = a.origin + (−2)·0.5·e_i + 1·2·e_j + 3·3·e_k.
        var ob = a.Geometry.PatientPosition(-2, 1, 3);
        var b = Make(3, 2, 2, ob, (0, 0, 0), (2, 1, 1));
        var (ua, ub) = GridAlignment.ToUnionGrid(a, b);
        Assert.Equal([4 + 2, 3, 5], ua.Size);
        Assert.Equal(ua.Size, ub.Size);
        Assert.True(ua.Geometry.ApproximatelyEquals(ub.Geometry, 1e-12));
        // Every set voxel sits at the same patient position as before.
        foreach (var (src, dst) in new[] { (a, ua), (b, ub) })
        {
            var seen = 0;
            for (var k = 0; k < dst.Nz; k++)
                for (var j = 0; j < dst.Ny; j++)
                    for (var i = 0; i < dst.Nx; i++)
                    {
                        if (dst[i, j, k] == 0) continue;
                        seen++;
                        var p = dst.Geometry.PatientPosition(i, j, k);
                        var found = false;
                        for (var kk = 0; kk < src.Nz; kk++)
                            for (var jj = 0; jj < src.Ny; jj++)
                                for (var ii = 0; ii < src.Nx; ii++)
                                    if (src[ii, jj, kk] != 0 && src.Geometry.PatientPosition(ii, jj, kk).Zip(p).All(x => Math.Abs(x.First - x.Second) < 1e-9)) found = true;
                        Assert.True(found);
                    }
            Assert.Equal(2, seen);
        }
    }

    [Fact]
    public void Equal_grids_are_returned_as_they_are()
    {
        var a = Make(2, 2, 2, [1, 2, 3], (0, 0, 0));
        var b = Make(2, 2, 2, [1, 2, 3]);
        var (ua, ub) = GridAlignment.ToUnionGrid(a, b);
        Assert.Same(a, ua);
        Assert.Same(b, ub);
    }

    [Fact]
    public void Sub_voxel_shifts_and_other_spacing_or_orientation_are_refused()
    {
        var a = Make(2, 2, 2, [0, 0, 0]);
        var shifted = Make(2, 2, 2, [0.1, 0, 0]);
        Assert.Contains("not a whole number of voxels", Assert.Throws<ImagingException>(() => GridAlignment.ToUnionGrid(a, shifted, "A", "B")).Message);
        var other = Volume.Create([2, 2, 2], VoxelType.UInt8, new VolumeGeometry([0, 0, 0], [0.5, 2, 1.5], Direction));
        Assert.Contains("different spacing or orientation", Assert.Throws<ImagingException>(() => GridAlignment.ToUnionGrid(a, other, "A", "B")).Message);
        var flipped = Volume.Create([2, 2, 2], VoxelType.UInt8, new VolumeGeometry([0, 0, 0], Spacing, [0, 1, 0, 1, 0, 0, 0, 0, 1]));
        Assert.Contains("different spacing or orientation", Assert.Throws<ImagingException>(() => GridAlignment.ToUnionGrid(a, flipped, "A", "B")).Message);
    }
}
