using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Mira.Dicom.IO;

/// <summary>Byte swapping between big- and little-endian value encodings (PS3.5 §7.3).</summary>
public static class ByteOrder
{
    public static void Swap(Span<byte> data, int unit)
    {
        switch (unit)
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(data[..(data.Length & ~1)]);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(data[..(data.Length & ~3)]);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<byte, ulong>(data[..(data.Length & ~7)]);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }
}
