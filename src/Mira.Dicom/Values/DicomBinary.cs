using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mira.Dicom.Values;

/// <summary>
/// Little-endian binary values (PS3.5 §7.3, Table 6.2-1): US, SS, UL, SL, UV, SV, FL, FD, AT and the
/// OB/OW/OF/OD/OL/OV bulk VRs. Byte lengths must be a whole number of values.
/// </summary>
public static class DicomBinary
{
    public static ushort[] GetUInt16s(ReadOnlySpan<byte> bytes) => GetValues<ushort>(bytes);
    public static short[] GetInt16s(ReadOnlySpan<byte> bytes) => GetValues<short>(bytes);
    public static uint[] GetUInt32s(ReadOnlySpan<byte> bytes) => GetValues<uint>(bytes);
    public static int[] GetInt32s(ReadOnlySpan<byte> bytes) => GetValues<int>(bytes);
    public static ulong[] GetUInt64s(ReadOnlySpan<byte> bytes) => GetValues<ulong>(bytes);
    public static long[] GetInt64s(ReadOnlySpan<byte> bytes) => GetValues<long>(bytes);
    public static float[] GetSingles(ReadOnlySpan<byte> bytes) => GetValues<float>(bytes);
    public static double[] GetDoubles(ReadOnlySpan<byte> bytes) => GetValues<double>(bytes);

    /// <summary>AT values: each is a 16-bit group then a 16-bit element, giving the tag <c>gggg eeee</c> (PS3.5 Table 6.2-1).</summary>
    public static uint[] GetTags(ReadOnlySpan<byte> bytes)
    {
        CheckLength(bytes.Length, 4);
        var tags = new uint[bytes.Length / 4];
        for (int i = 0; i < tags.Length; i++)
        {
            var v = bytes.Slice(i * 4, 4);
            tags[i] = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(v) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(v[2..]);
        }
        return tags;
    }

    /// <summary>Reads little-endian values of a primitive numeric type (1, 2, 4 or 8 bytes wide).</summary>
    public static T[] GetValues<T>(ReadOnlySpan<byte> bytes) where T : unmanaged
    {
        int size = CheckUnit<T>();
        CheckLength(bytes.Length, size);
        var values = new T[bytes.Length / size];
        var dest = MemoryMarshal.AsBytes(values.AsSpan());
        bytes.CopyTo(dest);
        if (!BitConverter.IsLittleEndian) SwapInPlace(dest, size);
        return values;
    }

    /// <summary>
    /// A zero-copy view of OW/OF/OD/OL/OV (or any numeric) data on a little-endian machine; use
    /// <see cref="GetValues{T}"/> elsewhere.
    /// </summary>
    public static ReadOnlySpan<T> AsValues<T>(ReadOnlySpan<byte> bytes) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("zero-copy views need a little-endian machine");
        CheckLength(bytes.Length, CheckUnit<T>());
        return MemoryMarshal.Cast<byte, T>(bytes);
    }

    /// <summary>Writes values little-endian into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteValues<T>(ReadOnlySpan<T> values, Span<byte> destination) where T : unmanaged
    {
        int size = CheckUnit<T>();
        var src = MemoryMarshal.AsBytes(values);
        if (destination.Length < src.Length) throw new ArgumentException($"destination needs {src.Length} bytes", nameof(destination));
        var dest = destination[..src.Length];
        src.CopyTo(dest);
        if (!BitConverter.IsLittleEndian) SwapInPlace(dest, size);
        return src.Length;
    }

    /// <summary>Encodes values little-endian as a new array.</summary>
    public static byte[] ToBytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = new byte[values.Length * CheckUnit<T>()];
        WriteValues(values, bytes);
        return bytes;
    }

    /// <summary>Encodes AT values: for each tag the 16-bit group then the 16-bit element, little-endian.</summary>
    public static byte[] TagsToBytes(ReadOnlySpan<uint> tags)
    {
        var bytes = new byte[tags.Length * 4];
        for (int i = 0; i < tags.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4), (ushort)(tags[i] >> 16));
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 4 + 2), (ushort)tags[i]);
        }
        return bytes;
    }

    /// <summary>
    /// The value multiplicity of binary data of <paramref name="byteLength"/> bytes: the number of values for the
    /// numeric VRs and AT (4 bytes each), and 1 for OB/OD/OF/OL/OV/OW/UN, whose VM is always 1 (PS3.5 Table 6.2-1).
    /// </summary>
    public static int Multiplicity(DicomVR vr, int byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        if (byteLength == 0) return 0;
        int size = vr switch
        {
            DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN => 0,
            DicomVR.AT => 4,
            DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.UV or DicomVR.SV or DicomVR.FL or DicomVR.FD
                => DicomVRInfo.UnitSize(vr),
            _ => throw new ArgumentException($"{DicomVRInfo.Code(vr)} is not a binary value VR", nameof(vr)),
        };
        if (size == 0) return 1;
        CheckLength(byteLength, size);
        return byteLength / size;
    }

    /// <summary>
    /// Reverses the byte order of each <paramref name="unitSize"/>-byte unit (1, 2, 4 or 8), for Explicit VR Big
    /// Endian (PS3.5 §7.3). For AT pass 2: each 16-bit half is swapped on its own.
    /// </summary>
    public static void SwapInPlace(Span<byte> data, int unitSize)
    {
        if (unitSize is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(unitSize), "unit size must be 1, 2, 4 or 8");
        CheckLength(data.Length, unitSize);
        switch (unitSize)
        {
            case 1: break;
            case 2: var u16 = MemoryMarshal.Cast<byte, ushort>(data); BinaryPrimitives.ReverseEndianness(u16, u16); break;
            case 4: var u32 = MemoryMarshal.Cast<byte, uint>(data); BinaryPrimitives.ReverseEndianness(u32, u32); break;
            case 8: var u64 = MemoryMarshal.Cast<byte, ulong>(data); BinaryPrimitives.ReverseEndianness(u64, u64); break;
        }
    }

    /// <summary>Swaps by the VR's unit size (<see cref="DicomVRInfo.UnitSize"/>; AT as 16-bit halves).</summary>
    public static void SwapInPlace(Span<byte> data, DicomVR vr) => SwapInPlace(data, DicomVRInfo.UnitSize(vr));

    static int CheckUnit<T>() where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (size is not (1 or 2 or 4 or 8)) throw new NotSupportedException($"{typeof(T).Name} is not a 1, 2, 4 or 8 byte value");
        return size;
    }

    static void CheckLength(int length, int unitSize)
    {
        if (unitSize > 0 && length % unitSize != 0)
            throw new DicomFormatException(DicomReadProblemCode.InvalidValue, $"value length {length} is not a multiple of {unitSize}");
    }
}
