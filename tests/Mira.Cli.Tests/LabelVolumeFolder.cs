using Mira.Imaging.MetaImage;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;

namespace Mira.Cli.Tests;

/// <summary>A temporary folder of small label volumes for the metrics command tests; deleted on dispose.</summary>
public abstract class LabelVolumeFolder : IDisposable
{
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "mira-metrics-cli-" + Guid.NewGuid().ToString("N"));

    protected LabelVolumeFolder() => Directory.CreateDirectory(Dir);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>A 6×5×4 label volume (spacing 2 × 1 × 1 mm, 2 mm³ voxels) with the given voxels set to their labels; MetaImage or NIfTI by extension.</summary>
    protected string Write(string name, params (int I, int J, int K, byte Label)[] voxels)
    {
        var v = Volume.Create([6, 5, 4], VoxelType.UInt8, VolumeGeometry.Identity(2, 1, 1));
        foreach (var (i, j, k, l) in voxels) v.SetValue(v.Index(i, j, k), l);
        var path = Path.Combine(Dir, name);
        if (MetaImageFile.IsMetaImagePath(path)) MetaImageFile.Write(path, v);
        else NiftiVolumes.WriteVolume(path, v);
        return path;
    }
}
