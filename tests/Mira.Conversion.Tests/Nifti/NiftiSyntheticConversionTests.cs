using Mira.Conversion.Nifti;
using Mira.Dicom;
using Mira.Imaging.Nifti;
using Mira.Imaging.Volumes;
using Mira.Testing;

namespace Mira.Conversion.Tests.Nifti;

/// <summary>Datatypes and grids the corpus lacks, written here, and the way back to NIfTI that <c>mira convert</c> takes.</summary>
public sealed class NiftiSyntheticConversionTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("mira-nifti-synth-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string Write(string name, Volume volume, Action<NiftiHeader>? edit = null)
    {
        var image = NiftiVolumes.FromVolume(volume);
        edit?.Invoke(image.Header);
        var path = Path.Combine(folder, name);
        NiftiFile.Write(path, image);
        return path;
    }

    static Volume Oblique(VoxelType type, Func<long, double> value, int nt = 1)
    {
        var c = Math.Cos(0.3);
        var s = Math.Sin(0.3);
        var geometry = new VolumeGeometry([-40.25, 12.5, 7.125], [0.9, 1.1, 2.5], [c, -s, 0, s, c, 0, 0, 0, 1]);
        int[] size = nt > 1 ? [6, 5, 4, nt] : [6, 5, 4];
        var v = Volume.Create(size, type, geometry);
        for (long i = 0; i < v.VoxelCount; i++) v.SetValue(i, value(i));
        return new Volume(size, type, v.Data, geometry, [2.0]);
    }

    [Theory]
    [InlineData(VoxelType.Int32, 100000.0, "1.2.840.10008.5.1.4.1.1.30")] // beyond 16 bits: a Parametric Map of doubles
    [InlineData(VoxelType.Int32, 300.0, "1.2.840.10008.5.1.4.1.1.4")] // fits 16 bits: MR images
    [InlineData(VoxelType.Float64, 0.001, "1.2.840.10008.5.1.4.1.1.30")]
    [InlineData(VoxelType.UInt16, 600.0, "1.2.840.10008.5.1.4.1.1.4")]
    [InlineData(VoxelType.Int8, 1.0, "1.2.840.10008.5.1.4.1.1.4")]
    public void Datatype_is_kept_exactly_through_dicom(VoxelType type, double scale, string sopClass)
    {
        var volume = Oblique(type, i => type == VoxelType.Int8 ? (i % 200) - 100 : (i * 37 % 101) * scale * (i % 2 == 0 ? 1 : type == VoxelType.UInt16 ? 1 : -1));
        var path = Write($"{type}.nii.gz", volume);
        using var converted = ConvertedFiles.Convert(path);
        Assert.All(converted.Instances, i => Assert.Equal(sopClass, i.SopClassUid));
        Assert.Empty(converted.DciodvfyErrors());
        var built = Assert.Single(converted.Build()).Volume;
        var expected = VolumeComparison.AsDicomStacks(NiftiVolumes.ReadVolume(path));
        Assert.Equal(-1, VolumeComparison.FirstDifference(expected, built));
        Assert.True(VolumeComparison.AffineDifference(expected, built) <= 1e-4);
    }

    [Fact]
    public void Four_dimensional_float_map_keeps_its_time_points()
    {
        var path = Write("map4d.nii", Oblique(VoxelType.Float32, i => Math.Sin(i) * 1e3, nt: 3));
        using var converted = ConvertedFiles.Convert(path);
        Assert.Equal(DicomUids.ParametricMapStorage, Assert.Single(converted.Instances).SopClassUid);
        Assert.Empty(converted.DciodvfyErrors());
        var built = Assert.Single(converted.Build()).Volume;
        var expected = VolumeComparison.AsDicomStacks(NiftiVolumes.ReadVolume(path));
        Assert.Equal(expected.Size, built.Size);
        Assert.Equal(-1, VolumeComparison.FirstDifference(expected, built));
    }

    [Fact]
    public void Nifti_to_dicom_to_nifti_gives_the_same_voxels_and_affine()
    {
        // What `mira convert DICOM_DIR --to OUT.nii.gz` does after an import: DicomVolumeBuilder, then the NIfTI writer.
        foreach (var corpus in new[] { "nifti/mni/MNI152_T1_2mm.nii.gz", "nifti/nibabel/functional.nii", "nifti/nibabel/resampled_anat_moved.nii" })
        {
            var path = Corpus.Get(corpus).FullPath;
            using var converted = ConvertedFiles.Convert(path);
            var back = Path.Combine(folder, Path.GetFileName(corpus) + ".back.nii.gz");
            NiftiVolumes.WriteVolume(back, Assert.Single(converted.Build()).Volume);
            var expected = VolumeComparison.AsDicomStacks(NiftiVolumes.ReadVolume(path));
            var again = NiftiVolumes.ReadVolume(back);
            Assert.Equal(-1, VolumeComparison.FirstDifference(expected, again));
            Assert.True(VolumeComparison.AffineDifference(expected, again) <= 1e-4, corpus);
        }
    }

    [Fact]
    public void Five_dimensions_and_in_plane_shear_are_refused()
    {
        var five = Write("five.nii", Oblique(VoxelType.Int16, i => i), h => { h.Dim = [5, 6, 5, 2, 1, 2, 1, 1]; });
        var e = Assert.Throws<ConversionException>(() => ConvertedFiles.Convert(five));
        Assert.Contains("five.nii: dim[5] is 2", e.Message, StringComparison.Ordinal);
        var sheared = Write("sheared.nii", Oblique(VoxelType.Int16, i => i), h => { h.SrowX[1] = 0.5; h.SformCode = 1; });
        e = Assert.Throws<ConversionException>(() => ConvertedFiles.Convert(sheared));
        Assert.Contains("sheared.nii: the voxel axes i and j are not perpendicular", e.Message, StringComparison.Ordinal);
    }
}
