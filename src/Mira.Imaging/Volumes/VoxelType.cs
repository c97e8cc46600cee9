namespace Mira.Imaging.Volumes;

/// <summary>The type of one voxel of a <see cref="Volume"/>; samples are stored little-endian.</summary>
public enum VoxelType
{
    UInt8,
    Int8,
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,
    Float32,
    Float64,
    /// <summary>Three interleaved 8-bit samples (R, G, B).</summary>
    Rgb24,
    /// <summary>Four interleaved 8-bit samples (R, G, B, A).</summary>
    Rgba32,
}

public static class VoxelTypes
{
    /// <summary>Bytes of one voxel.</summary>
    public static int Size(this VoxelType t) => t switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.UInt16 or VoxelType.Int16 => 2,
        VoxelType.UInt32 or VoxelType.Int32 or VoxelType.Float32 or VoxelType.Rgba32 => 4,
        VoxelType.UInt64 or VoxelType.Int64 or VoxelType.Float64 => 8,
        VoxelType.Rgb24 => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Bytes of one sample, for byte swapping (1 for the colour types).</summary>
    public static int SampleSize(this VoxelType t) => t is VoxelType.Rgb24 or VoxelType.Rgba32 ? 1 : t.Size();

    public static bool IsInteger(this VoxelType t) => t is not (VoxelType.Float32 or VoxelType.Float64 or VoxelType.Rgb24 or VoxelType.Rgba32);

    public static bool IsColour(this VoxelType t) => t is VoxelType.Rgb24 or VoxelType.Rgba32;

    /// <summary>The smallest and largest value of an integer type, as doubles.</summary>
    public static (double Min, double Max) Range(this VoxelType t) => t switch
    {
        VoxelType.UInt8 => (byte.MinValue, byte.MaxValue),
        VoxelType.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        VoxelType.UInt16 => (ushort.MinValue, ushort.MaxValue),
        VoxelType.Int16 => (short.MinValue, short.MaxValue),
        VoxelType.UInt32 => (uint.MinValue, uint.MaxValue),
        VoxelType.Int32 => (int.MinValue, int.MaxValue),
        VoxelType.UInt64 => (ulong.MinValue, ulong.MaxValue),
        VoxelType.Int64 => (long.MinValue, long.MaxValue),
        _ => (double.NegativeInfinity, double.PositiveInfinity),
    };

    /// <summary>Reverses the byte order of every sample in place (a no-op for 1-byte samples).</summary>
    public static void SwapBytes(Span<byte> data, int sampleSize)
    {
        if (sampleSize <= 1) return;
        for (var i = 0; i + sampleSize <= data.Length; i += sampleSize) data.Slice(i, sampleSize).Reverse();
    }
}
