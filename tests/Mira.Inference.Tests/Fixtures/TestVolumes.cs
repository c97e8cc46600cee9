using Mira.Imaging.Volumes;

namespace Mira.Inference.Tests.Fixtures;

internal static class TestVolumes
{
    public static Volume Make(int nx, int ny, int nz, Func<int, int, int, double> value, VoxelType type = VoxelType.Float32, VolumeGeometry? geometry = null)
    {
        var v = Volume.Create([nx, ny, nz], type, geometry ?? new VolumeGeometry([10, -20, 30], [0.8, 0.9, 2.5], [1, 0, 0, 0, 1, 0, 0, 0, 1]));
        for (var k = 0; k < nz; k++)
            for (var j = 0; j < ny; j++)
                for (var i = 0; i < nx; i++) v.SetValue(v.Index(i, j, k), value(i, j, k));
        return v;
    }

    public static float[] Values(Volume v) => Enumerable.Range(0, (int)v.VoxelCount).Select(i => (float)v.GetValue(i)).ToArray();
}
