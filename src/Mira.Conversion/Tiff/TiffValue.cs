using System.Buffers.Binary;
using System.Text;

namespace Mira.Conversion.Tiff;

/// <summary>The value of one directory entry: its TIFF field type, count and raw bytes in the file's byte order.</summary>
public sealed class TiffValue(ushort type, long count, byte[] bytes, bool bigEndian)
{
    public ushort Type { get; } = type;
    public long Count { get; } = count;
    public byte[] Bytes { get; } = bytes;

    /// <summary>Value <paramref name="i"/> as an unsigned integer (BYTE, SHORT, LONG, LONG8 and their signed forms).</summary>
    public ulong Integer(int i)
    {
        var b = Bytes.AsSpan();
        return Type switch
        {
            1 or 7 => b[i],
            6 => (ulong)(sbyte)b[i],
            3 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b[(2 * i)..]) : BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]),
            8 => (ulong)(bigEndian ? BinaryPrimitives.ReadInt16BigEndian(b[(2 * i)..]) : BinaryPrimitives.ReadInt16LittleEndian(b[(2 * i)..])),
            4 or 13 => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b[(4 * i)..]) : BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * i)..]),
            9 => (ulong)(bigEndian ? BinaryPrimitives.ReadInt32BigEndian(b[(4 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..])),
            16 or 17 or 18 => bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b[(8 * i)..]) : BinaryPrimitives.ReadUInt64LittleEndian(b[(8 * i)..]),
            _ => throw new FormatException($"TIFF field type {Type} is not an integer"),
        };
    }

    public bool IsInteger => Type is 1 or 3 or 4 or 6 or 7 or 8 or 9 or 13 or 16 or 17 or 18;

    /// <summary>Value <paramref name="i"/> as a number (integers, RATIONAL, FLOAT, DOUBLE).</summary>
    public double Number(int i)
    {
        var b = Bytes;
        uint U(int at) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
        return Type switch
        {
            5 => U(8 * i + 4) == 0 ? 0 : (double)U(8 * i) / U(8 * i + 4),
            10 => U(8 * i + 4) == 0 ? 0 : (double)(int)U(8 * i) / (int)U(8 * i + 4),
            11 => BitConverter.Int32BitsToSingle((int)U(4 * i)),
            12 => BitConverter.Int64BitsToDouble((long)(bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(8 * i)) : BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8 * i)))),
            6 or 8 or 9 or 17 => (long)Integer(i),
            _ => Integer(i),
        };
    }

    /// <summary>An ASCII value up to its first NUL (Latin-1, so that no byte is lost).</summary>
    public string Text()
    {
        var end = Array.IndexOf(Bytes, (byte)0);
        return Encoding.Latin1.GetString(Bytes, 0, end < 0 ? Bytes.Length : end);
    }
}
