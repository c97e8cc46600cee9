using Mira.Imaging.MetaImage;
using Mira.Imaging.Volumes;
using Mira.Metrics.Statistics;

namespace Mira.Metrics.Tests;

/// <summary>The fast MetaImage path of <see cref="BinaryMask.Read"/> gives what the general reader gives.</summary>
public sealed class MaskReadingTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "mira-mask-read-" + Guid.NewGuid().ToString("N"));

    public MaskReadingTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(VoxelType.UInt8, 0.7, 1.2, 2.5)]
    [InlineData(VoxelType.Int16, 1, 1, 1)]
    public void FastAndGeneralReadersAgree(VoxelType type, double sx, double sy, double sz)
    {
        // Labels 0…4 (odd sizes, so the SIMD tail is exercised); written by Mira's MetaImage writer.
        var v = Volume.Create([37, 11, 5], type, VolumeGeometry.Identity(sx, sy, sz));
        var rng = new SplitMix64(5);
        for (var i = 0; i < 37 * 11 * 5; i++) v.SetValue(i, rng.Below(5));
        var path = Path.Combine(dir, "labels.mha");
        MetaImageFile.Write(path, v);
        // The fast path takes 8-bit files and leaves the rest to the general reader.
        Assert.Equal(type == VoxelType.UInt8, BinaryMask.TryReadPlainMha(path, null) is not null);
        foreach (int? label in new int?[] { null, 0, 2, 4, 300, -1 })
        {
            var general = BinaryMask.FromVolume(MetaImageFile.Read(path), label);
            var read = BinaryMask.Read(path, label);
            Assert.Equal(general.Voxels, read.Voxels);
            Assert.Equal(general.Spacing, read.Spacing);
            Assert.Equal((general.Nx, general.Ny, general.Nz), (read.Nx, read.Ny, read.Nz));
        }
    }

    [Fact]
    public void A_NIfTI_mask_named_mha_is_read_as_NIfTI()
    {
        var v = Volume.Create([6, 5, 4], VoxelType.UInt8, VolumeGeometry.Identity(1, 1, 2));
        v.SetValue(v.Index(2, 2, 2), 3);
        v.SetValue(v.Index(1, 2, 3), 1);
        var nii = Path.Combine(dir, "m.nii");
        Mira.Imaging.Nifti.NiftiVolumes.WriteVolume(nii, v);
        var renamed = Path.Combine(dir, "m.mha");
        File.Move(nii, renamed);
        var mask = BinaryMask.Read(renamed);
        Assert.Equal(BinaryMask.FromVolume(v).Voxels, mask.Voxels);
        Assert.Equal([1.0, 1, 2], mask.Spacing);
        Assert.Equal(1, BinaryMask.Read(renamed, 3).Count);
    }

    [Fact]
    public void A_file_in_no_volume_format_is_refused_naming_it()
    {
        var path = Path.Combine(dir, "mask.nii.gz");
        File.WriteAllText(path, "not a mask");
        var e = Assert.Throws<Mira.Imaging.ImagingException>(() => BinaryMask.Read(path));
        Assert.StartsWith(path + ": not a volume file", e.Message);
    }

    [Fact]
    public void UnusualHeadersGoToTheGeneralReader()
    {
        // Compressed data, and an extra header key: the general reader's rules apply.
        var v = Volume.Create([9, 8, 7], VoxelType.UInt8, VolumeGeometry.Identity(2, 1, 1));
        v.SetValue(v.Index(3, 3, 3), 1);
        var path = Path.Combine(dir, "c.mha");
        MetaImageFile.Write(path, v, compress: true);
        Assert.Null(BinaryMask.TryReadPlainMha(path, null));
        Assert.Equal(BinaryMask.FromVolume(MetaImageFile.Read(path)).Voxels, BinaryMask.Read(path).Voxels);
        Assert.Equal(1, BinaryMask.Read(path).Count);
        var plain = Path.Combine(dir, "p.mha");
        MetaImageFile.Write(plain, v);
        Assert.NotNull(BinaryMask.TryReadPlainMha(plain, null));
        var bytes = File.ReadAllBytes(plain);
        var withKey = Path.Combine(dir, "k.mha");
        File.WriteAllBytes(withKey, [.. "Comment = x\n"u8, .. bytes]);
        Assert.Null(BinaryMask.TryReadPlainMha(withKey, null));
    }
}
