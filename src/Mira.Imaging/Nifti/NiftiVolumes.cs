using Mira.Imaging.Volumes;

namespace Mira.Imaging.Nifti;

/// <summary>Conversion between NIfTI images (RAS+ world) and <see cref="Volume"/>s (DICOM LPS+ patient coordinates).</summary>
public static class NiftiVolumes
{
    public static VoxelType? VoxelTypeOf(NiftiDataType t) => t switch
    {
        NiftiDataType.UInt8 => VoxelType.UInt8,
        NiftiDataType.Int8 => VoxelType.Int8,
        NiftiDataType.UInt16 => VoxelType.UInt16,
        NiftiDataType.Int16 => VoxelType.Int16,
        NiftiDataType.UInt32 => VoxelType.UInt32,
        NiftiDataType.Int32 => VoxelType.Int32,
        NiftiDataType.UInt64 => VoxelType.UInt64,
        NiftiDataType.Int64 => VoxelType.Int64,
        NiftiDataType.Float32 => VoxelType.Float32,
        NiftiDataType.Float64 => VoxelType.Float64,
        NiftiDataType.Rgb24 => VoxelType.Rgb24,
        NiftiDataType.Rgba32 => VoxelType.Rgba32,
        _ => null,
    };

    public static NiftiDataType DataTypeOf(VoxelType t) => t switch
    {
        VoxelType.UInt8 => NiftiDataType.UInt8,
        VoxelType.Int8 => NiftiDataType.Int8,
        VoxelType.UInt16 => NiftiDataType.UInt16,
        VoxelType.Int16 => NiftiDataType.Int16,
        VoxelType.UInt32 => NiftiDataType.UInt32,
        VoxelType.Int32 => NiftiDataType.Int32,
        VoxelType.UInt64 => NiftiDataType.UInt64,
        VoxelType.Int64 => NiftiDataType.Int64,
        VoxelType.Float32 => NiftiDataType.Float32,
        VoxelType.Float64 => NiftiDataType.Float64,
        VoxelType.Rgb24 => NiftiDataType.Rgb24,
        VoxelType.Rgba32 => NiftiDataType.Rgba32,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Reads a NIfTI file as a volume (see <see cref="ToVolume"/>).</summary>
    public static Volume ReadVolume(string path, bool applyScaling = true) => ToVolume(NiftiFile.Read(path), applyScaling);

    /// <summary>
    /// The volume of a NIfTI image. Geometry comes from <see cref="NiftiHeader.BestAffine"/> (sform, else qform,
    /// else pixdim), converted from RAS+ to LPS+ by negating the x and y rows; spatial units other than mm
    /// (metres, microns) are converted to mm. With <paramref name="applyScaling"/> and a non-identity
    /// scl_slope/scl_inter, the voxels become float32 (float64 for float64 data) = slope · stored + inter.
    /// </summary>
    public static Volume ToVolume(NiftiImage image, bool applyScaling = true)
    {
        var h = image.Header;
        if (image.Data is null) throw new ImagingException("the NIfTI image has no data");
        var type = VoxelTypeOf(h.DataType) ?? throw new ImagingException($"NIfTI datatype {h.DataType} ({(int)h.DataType}) cannot become a volume");
        var geometry = GeometryOf(h);
        var size = new int[h.Rank];
        for (var i = 0; i < size.Length; i++) size[i] = checked((int)h.Dim[i + 1]);
        var extra = new double[Math.Max(0, h.Rank - 3)];
        for (var i = 0; i < extra.Length; i++) extra[i] = h.PixDim[4 + i];
        var data = image.Data;
        if (applyScaling && h.HasScaling && !type.IsColour())
        {
            var inter = double.IsNaN(h.SclInter) ? 0 : h.SclInter;
            var src = new Volume(size, type, data, geometry, extra);
            var outType = type == VoxelType.Float64 ? VoxelType.Float64 : VoxelType.Float32;
            var dst = Volume.Create(src.Size, outType);
            for (long i = 0; i < src.VoxelCount; i++) dst.SetValue(i, h.SclSlope * src.GetValue(i) + inter);
            return new Volume(size, outType, dst.Data, geometry, extra) { Description = h.Descrip };
        }
        return new Volume(size, type, data, geometry, extra) { Description = h.Descrip };
    }

    /// <summary>
    /// The patient geometry of a header (as <see cref="ToVolume"/> gives it): <see cref="NiftiHeader.BestAffine"/>,
    /// metres and microns converted to mm, RAS+ to LPS+.
    /// </summary>
    public static VolumeGeometry GeometryOf(NiftiHeader h)
    {
        var unit = h.SpaceUnits switch { 1 => 1000.0, 3 => 0.001, _ => 1.0 };
        var ras = h.BestAffine();
        if (unit != 1) for (var r = 0; r < 3; r++) for (var c = 0; c < 4; c++) ras[r * 4 + c] *= unit;
        return VolumeGeometry.FromVoxelToPatient(VolumeGeometry.LpsRasFlip(ras));
    }

    /// <summary>
    /// A NIfTI image of a volume: sform and qform from the LPS geometry converted to RAS+ (code
    /// <paramref name="xformCode"/>, 1 = scanner anatomical by default; the qform is left unset, code 0, for a
    /// sheared geometry), pixdim from the spacings, xyzt_units mm and s, scl_slope 1 and scl_inter 0.
    /// </summary>
    public static NiftiImage FromVolume(Volume volume, int version = 1, short xformCode = 1)
    {
        if (version is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(version));
        var h = new NiftiHeader { Version = version, SingleFile = true, DataType = DataTypeOf(volume.Type) };
        h.BitPix = NiftiHeader.BitsOf(h.DataType);
        h.Dim = [volume.Rank, 1, 1, 1, 1, 1, 1, 1];
        for (var i = 0; i < volume.Rank; i++) h.Dim[i + 1] = volume.Size[i];
        h.PixDim = [1, 1, 1, 1, 1, 1, 1, 1];
        for (var i = 0; i < volume.ExtraSpacing.Length; i++) h.PixDim[4 + i] = volume.ExtraSpacing[i];
        h.SetAffine(volume.Geometry.VoxelToRas(), xformCode);
        // pixdim[1..3] are the column norms of the affine, which SetAffine put there.
        h.XyztUnits = 2 | 8;
        h.SclSlope = 1;
        h.SclInter = 0;
        h.Descrip = volume.Description is { } d ? (d.Length > 79 ? d[..79] : d) : "";
        return new NiftiImage(h, [], volume.Data);
    }

    /// <summary>Writes a volume as NIfTI (.nii or .nii.gz).</summary>
    public static void WriteVolume(string path, Volume volume, int version = 1) => NiftiFile.Write(path, FromVolume(volume, version));
}
