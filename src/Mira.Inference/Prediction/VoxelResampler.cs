namespace Mira.Inference.Prediction;

/// <summary>
/// Resampling between the image grid and a model grid that shares its origin (the centre of voxel 0) and axes but has
/// another spacing: model voxel i' lies at image index i' × (model spacing / image spacing) along each axis.
/// </summary>
internal static class VoxelResampler
{
    /// <summary>The model grid's size: as many voxels as cover the image's extent, at least one.</summary>
    public static int[] ModelSize(int[] size, double[] imageSpacing, double[] modelSpacing) =>
        Enumerable.Range(0, 3).Select(a => Math.Max(1, (int)Math.Round((size[a] - 1) * imageSpacing[a] / modelSpacing[a]) + 1)).ToArray();

    /// <summary>Trilinear interpolation of the image at the model grid's voxels (edges clamped).</summary>
    public static float[] Linear(float[] image, int[] size, int[] modelSize, double[] step)
    {
        var result = new float[(long)modelSize[0] * modelSize[1] * modelSize[2]];
        var (nx, ny, nz) = (size[0], size[1], size[2]);
        long o = 0;
        for (var k = 0; k < modelSize[2]; k++)
        {
            var (z0, z1, fz) = Split(k * step[2], nz);
            for (var j = 0; j < modelSize[1]; j++)
            {
                var (y0, y1, fy) = Split(j * step[1], ny);
                for (var i = 0; i < modelSize[0]; i++)
                {
                    var (x0, x1, fx) = Split(i * step[0], nx);
                    double At(int x, int y, int z) => image[x + (long)nx * (y + (long)ny * z)];
                    var c00 = At(x0, y0, z0) * (1 - fx) + At(x1, y0, z0) * fx;
                    var c10 = At(x0, y1, z0) * (1 - fx) + At(x1, y1, z0) * fx;
                    var c01 = At(x0, y0, z1) * (1 - fx) + At(x1, y0, z1) * fx;
                    var c11 = At(x0, y1, z1) * (1 - fx) + At(x1, y1, z1) * fx;
                    var c0 = c00 * (1 - fy) + c10 * fy;
                    var c1 = c01 * (1 - fy) + c11 * fy;
                    result[o++] = (float)(c0 * (1 - fz) + c1 * fz);
                }
            }
        }
        return result;
    }

    static (int Low, int High, double Fraction) Split(double x, int n)
    {
        x = Math.Clamp(x, 0, n - 1);
        var low = Math.Min((int)Math.Floor(x), n - 1);
        var high = Math.Min(low + 1, n - 1);
        return (low, high, x - low);
    }

    /// <summary>The model-grid values at the image voxels, nearest neighbour.</summary>
    public static float[] NearestBack(float[] model, int[] modelSize, int[] size, double[] step)
    {
        var result = new float[(long)size[0] * size[1] * size[2]];
        long o = 0;
        for (var k = 0; k < size[2]; k++)
        {
            var mk = Nearest(k / step[2], modelSize[2]);
            for (var j = 0; j < size[1]; j++)
            {
                var mj = Nearest(j / step[1], modelSize[1]);
                for (var i = 0; i < size[0]; i++)
                    result[o++] = model[Nearest(i / step[0], modelSize[0]) + (long)modelSize[0] * (mj + (long)modelSize[1] * mk)];
            }
        }
        return result;
    }

    static int Nearest(double x, int n) => Math.Clamp((int)Math.Round(x, MidpointRounding.AwayFromZero), 0, n - 1);
}
