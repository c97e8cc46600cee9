using System.Buffers.Binary;

namespace Mira.Imaging.Volumes;

/// <summary>
/// A typed voxel array of 3 to 7 dimensions with its patient geometry. <see cref="Data"/> holds the voxels
/// little-endian with i (along a row) varying fastest, then j, k, and the non-spatial dimensions (time, echo…)
/// last — the order of NIfTI and MetaImage files. The first three dimensions are spatial and are placed in the
/// patient by <see cref="Geometry"/>; dimensions 4..7 have only a step (<see cref="ExtraSpacing"/>, e.g. the
/// repetition time in seconds).
/// </summary>
public sealed class Volume
{
    public const int MaxDimensions = 7;

    public Volume(IReadOnlyList<int> size, VoxelType type, byte[] data, VolumeGeometry geometry, IReadOnlyList<double>? extraSpacing = null)
    {
        if (size.Count is < 1 or > MaxDimensions) throw new ImagingException($"a volume has 1 to {MaxDimensions} dimensions, not {size.Count}");
        var s = new int[Math.Max(3, size.Count)];
        for (var i = 0; i < s.Length; i++) s[i] = i < size.Count ? size[i] : 1;
        // Trailing singleton dimensions beyond the third carry nothing.
        var n = s.Length;
        while (n > 3 && s[n - 1] == 1) n--;
        Size = s[..n];
        long count = 1;
        foreach (var d in Size)
        {
            if (d < 1) throw new ImagingException($"volume size {string.Join('×', size)} has an empty dimension");
            count = checked(count * d);
        }
        VoxelCount = count;
        Type = type;
        if (data.LongLength != count * type.Size())
            throw new ImagingException($"volume {string.Join('×', Size)} of {type} needs {count * type.Size()} bytes, got {data.LongLength}");
        Data = data;
        Geometry = geometry;
        var extra = new double[Size.Length - 3];
        for (var i = 0; i < extra.Length; i++) extra[i] = extraSpacing is not null && i < extraSpacing.Count ? extraSpacing[i] : 1;
        ExtraSpacing = extra;
    }

    /// <summary>A zero-filled volume.</summary>
    public static Volume Create(IReadOnlyList<int> size, VoxelType type, VolumeGeometry? geometry = null)
    {
        long count = 1;
        foreach (var d in size) count = checked(count * d);
        return new Volume(size, type, new byte[checked(count * type.Size())], geometry ?? VolumeGeometry.Identity());
    }

    /// <summary>Extents, at least 3 (i, j, k, then time etc.); trailing 1s beyond the third are dropped.</summary>
    public int[] Size { get; }
    public int Rank => Size.Length;
    public int Nx => Size[0];
    public int Ny => Size[1];
    public int Nz => Size[2];
    /// <summary>Number of 3D volumes (product of the dimensions after the third).</summary>
    public int Frames => (int)(VoxelCount / ((long)Nx * Ny * Nz));
    public long VoxelCount { get; }
    public VoxelType Type { get; }
    public byte[] Data { get; }
    public VolumeGeometry Geometry { get; }
    /// <summary>Step of dimensions 4.. (as many as Rank − 3).</summary>
    public double[] ExtraSpacing { get; }
    /// <summary>A free-text description carried to file headers (NIfTI descrip, at most 79 characters there).</summary>
    public string? Description { get; init; }

    /// <summary>Linear index of voxel (i, j, k, t).</summary>
    public long Index(int i, int j, int k, int t = 0) => i + (long)Nx * (j + (long)Ny * (k + (long)Nz * t));

    /// <summary>The value of voxel <paramref name="index"/> as a double (colour types: the first sample).</summary>
    public double GetValue(long index)
    {
        var o = checked((int)(index * Type.Size()));
        var d = Data.AsSpan(o);
        return Type switch
        {
            VoxelType.UInt8 or VoxelType.Rgb24 or VoxelType.Rgba32 => d[0],
            VoxelType.Int8 => (sbyte)d[0],
            VoxelType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(d),
            VoxelType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(d),
            VoxelType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(d),
            VoxelType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(d),
            VoxelType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(d),
            VoxelType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(d),
            VoxelType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d),
            VoxelType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(d),
            _ => throw new InvalidOperationException(),
        };
    }

    public double this[int i, int j, int k, int t = 0] => GetValue(Index(i, j, k, t));

    /// <summary>Writes <paramref name="value"/> (rounded and clamped for integer types) to voxel <paramref name="index"/>.</summary>
    public void SetValue(long index, double value) => WriteValue(Data.AsSpan(checked((int)(index * Type.Size()))), Type, value);

    internal static void WriteValue(Span<byte> d, VoxelType type, double value)
    {
        if (type.IsInteger())
        {
            var (min, max) = type.Range();
            value = Math.Clamp(Math.Round(value, MidpointRounding.ToEven), min, max);
        }
        switch (type)
        {
            case VoxelType.UInt8: d[0] = (byte)value; break;
            case VoxelType.Int8: d[0] = (byte)(sbyte)value; break;
            case VoxelType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)value); break;
            case VoxelType.Int16: BinaryPrimitives.WriteInt16LittleEndian(d, (short)value); break;
            case VoxelType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(d, (uint)value); break;
            case VoxelType.Int32: BinaryPrimitives.WriteInt32LittleEndian(d, (int)value); break;
            case VoxelType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(d, (ulong)value); break;
            case VoxelType.Int64: BinaryPrimitives.WriteInt64LittleEndian(d, (long)value); break;
            case VoxelType.Float32: BinaryPrimitives.WriteSingleLittleEndian(d, (float)value); break;
            case VoxelType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(d, value); break;
            default: throw new ImagingException($"cannot write a scalar into a {type} voxel");
        }
    }

    /// <summary>The same voxels with another geometry.</summary>
    public Volume WithGeometry(VolumeGeometry geometry) => new(Size, Type, Data, geometry, ExtraSpacing) { Description = Description };

    public override string ToString() => $"{string.Join('×', Size)} {Type}, {Geometry}";
}
