using System.Buffers.Binary;
using Mira.Imaging.Nifti;

namespace Mira.Conversion.Nifti;

/// <summary>How the stored voxels become DICOM pixels without changing a value.</summary>
internal enum PixelKind
{
    /// <summary>16-bit integers (Bits Allocated 16, Pixel Representation as <see cref="VoxelEncoding.Signed"/>): MR or CT Image Storage, one instance per slice.</summary>
    Integer16,
    /// <summary>32-bit floats: Parametric Map Storage, Float Pixel Data.</summary>
    Float32,
    /// <summary>64-bit floats: Parametric Map Storage, Double Float Pixel Data (also for 32/64-bit integers beyond 16 bits that a double holds exactly).</summary>
    Float64,
}

/// <summary>
/// The choice of pixel encoding for a NIfTI datatype and its values: integers that fit 16 bits (every 8- and 16-bit
/// type; 32- and 64-bit types whose values happen to fit) become 16-bit pixels, signed when any value is negative or
/// the type is signed; float32 and float64 stay floats; 32/64-bit integers beyond 16 bits become doubles when every
/// value is within ±2^53 (where a double is exact), else the file is refused.
/// </summary>
internal sealed record VoxelEncoding(PixelKind Kind, bool Signed)
{
    public int BytesPerPixel => Kind switch { PixelKind.Integer16 => 2, PixelKind.Float32 => 4, _ => 8 };

    public static VoxelEncoding Choose(NiftiDataType type, byte[] data, string name)
    {
        switch (type)
        {
            case NiftiDataType.UInt8: return new(PixelKind.Integer16, false);
            case NiftiDataType.UInt16: return new(PixelKind.Integer16, false);
            case NiftiDataType.Int8 or NiftiDataType.Int16: return new(PixelKind.Integer16, true);
            case NiftiDataType.Float32: return new(PixelKind.Float32, false);
            case NiftiDataType.Float64: return new(PixelKind.Float64, false);
        }
        var size = NiftiHeader.BitsOf(type) / 8;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (var o = 0; o + size <= data.Length; o += size)
        {
            var v = Integer(type, data.AsSpan(o, size));
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (data.Length == 0) min = max = 0;
        if (min >= short.MinValue && max <= short.MaxValue) return new(PixelKind.Integer16, true);
        if (min >= 0 && max <= ushort.MaxValue) return new(PixelKind.Integer16, false);
        const double exact = 9007199254740992; // 2^53
        if (min >= -exact && max <= exact) return new(PixelKind.Float64, false);
        throw new ConversionException($"{name}: datatype {(int)type} ({type.ToString().ToUpperInvariant()}) holds values from {min:R} to {max:R}, beyond what 16-bit DICOM pixels or a double (±2^53) keep exactly; refused rather than changed");
    }

    /// <summary>One stored voxel of a scalar datatype as a double.</summary>
    public static double Value(NiftiDataType type, ReadOnlySpan<byte> b) => type switch
    {
        NiftiDataType.UInt8 => b[0],
        NiftiDataType.Int8 => (sbyte)b[0],
        NiftiDataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        NiftiDataType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        NiftiDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(b),
        NiftiDataType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(b),
        _ => Integer(type, b),
    };

    static double Integer(NiftiDataType type, ReadOnlySpan<byte> b) => type switch
    {
        NiftiDataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        NiftiDataType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        NiftiDataType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(b),
        NiftiDataType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(b),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Writes <paramref name="count"/> stored voxels of <paramref name="type"/> from <paramref name="src"/> as this encoding's pixels.</summary>
    public void Encode(NiftiDataType type, ReadOnlySpan<byte> src, Span<byte> dst, int count)
    {
        var size = NiftiHeader.BitsOf(type) / 8;
        if ((Kind == PixelKind.Integer16 && size == 2) || (Kind == PixelKind.Float32 && type == NiftiDataType.Float32) || (Kind == PixelKind.Float64 && type == NiftiDataType.Float64))
        {
            src[..(count * size)].CopyTo(dst);
            return;
        }
        for (var i = 0; i < count; i++)
        {
            var s = src.Slice(i * size, size);
            double v = type switch
            {
                NiftiDataType.UInt8 => s[0],
                NiftiDataType.Int8 => (sbyte)s[0],
                _ => Integer(type, s),
            };
            if (Kind == PixelKind.Integer16)
            {
                if (Signed) BinaryPrimitives.WriteInt16LittleEndian(dst[(i * 2)..], (short)v);
                else BinaryPrimitives.WriteUInt16LittleEndian(dst[(i * 2)..], (ushort)v);
            }
            else BinaryPrimitives.WriteDoubleLittleEndian(dst[(i * 8)..], v);
        }
    }
}
