using System.Runtime.CompilerServices;

namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>
/// A growable output buffer for marker segments and entropy-coded bits. Bits are written most significant
/// first; after a 0xFF byte the next byte takes only 7 bits and a stuffed 0 on top (T.87 §A.1).
/// </summary>
internal sealed class JpegLsBitWriter(int capacity)
{
    byte[] buffer = new byte[Math.Max(capacity, 64)];
    int length;
    ulong acc;      // pending bits, right-aligned, nbits of them
    int nbits;
    bool lastFF;

    public int Length => length;

    void Ensure(int extra)
    {
        if (length + extra <= buffer.Length) return;
        Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + extra));
    }

    public void WriteByte(byte b)
    {
        Ensure(1);
        buffer[length++] = b;
    }

    public void WriteUInt16(int v)
    {
        WriteByte((byte)(v >> 8));
        WriteByte((byte)v);
    }

    /// <summary>Appends the low <paramref name="n"/> bits of <paramref name="value"/> (n ≤ 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(int value, int n)
    {
        if (n == 0) return;
        acc = (acc << n) | ((uint)value & (uint)((1UL << n) - 1));
        nbits += n;
        if (nbits >= 8) Drain();
    }

    /// <summary>Appends <paramref name="count"/> zero bits followed by a one bit.</summary>
    public void WriteUnary(int count)
    {
        while (count >= 24)
        {
            WriteBits(0, 24);
            count -= 24;
        }
        WriteBits(1, count + 1);
    }

    void Drain()
    {
        Ensure(8);
        while (true)
        {
            var take = lastFF ? 7 : 8;
            if (nbits < take) return;
            var b = (byte)((acc >> (nbits - take)) & ((1UL << take) - 1));
            nbits -= take;
            buffer[length++] = b;
            lastFF = b == 0xFF;
        }
    }

    /// <summary>Pads the entropy-coded data to a byte boundary with zero bits (and after a final 0xFF, a zero byte).</summary>
    public void FlushBits()
    {
        if (nbits > 0) WriteBits(0, (lastFF ? 7 : 8) - nbits);
        Drain(); // WriteBits drains from 8 pending bits; after 0xFF a byte is complete at 7
        if (lastFF)
        {
            WriteBits(0, 7);
            Drain();
        }
        acc = 0;
        nbits = 0;
        lastFF = false;
    }

    public byte[] ToArray() => buffer.AsSpan(0, length).ToArray();
}
