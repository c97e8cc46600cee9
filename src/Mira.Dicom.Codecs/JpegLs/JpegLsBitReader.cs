using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>
/// Reads the entropy-coded bits of a JPEG-LS scan (T.87 §A.1, §D.1): after a 0xFF byte the next byte carries
/// 7 bits (its top bit is a stuffed 0); 0xFF followed by a byte ≥ 0x80 is a marker, where reading stops. Past
/// the marker or the end of the data it supplies zero bits and remembers that it did, so a truncated stream is
/// reported (by <see cref="Overrun"/>) rather than read out of bounds.
/// </summary>
internal ref struct JpegLsBitReader
{
    readonly ReadOnlySpan<byte> data;
    int pos;
    ulong cache;      // next bit in the most significant position; bits beyond cacheBits are zero
    int cacheBits;
    int synthetic;    // zero bits appended past the end of the scan data (at the tail of the cache)
    bool stuffNext;   // the last byte read was 0xFF: the next one holds 7 bits
    bool atEnd;

    public JpegLsBitReader(ReadOnlySpan<byte> data, int start)
    {
        this.data = data;
        pos = start;
    }

    /// <summary>The byte position up to which data has been taken into the bit cache.</summary>
    public readonly int Position => pos;

    /// <summary>True when more bits were consumed than the scan data holds.</summary>
    public readonly bool Overrun => cacheBits < synthetic;

    void Fill()
    {
        if (!stuffNext && !atEnd && pos + 8 <= data.Length)
        {
            // Fast path: eight bytes without 0xFF among them are plain data.
            var v = BinaryPrimitives.ReadUInt64BigEndian(data[pos..]);
            var inv = ~v;
            if (((inv - 0x0101010101010101UL) & ~inv & 0x8080808080808080UL) == 0)
            {
                var bytes = (64 - cacheBits) >> 3;
                cache |= (v >> (64 - bytes * 8)) << (64 - cacheBits - bytes * 8);
                cacheBits += bytes * 8;
                pos += bytes;
                return;
            }
        }
        while (cacheBits <= 56)
        {
            if (!atEnd && pos < data.Length)
            {
                var b = data[pos];
                if (stuffNext)
                {
                    if (b >= 0x80)
                    {
                        // Cannot happen after the marker check below, except at a damaged stream: treat as the end.
                        atEnd = true;
                        continue;
                    }
                    cache |= (ulong)b << (57 - cacheBits);
                    cacheBits += 7;
                    stuffNext = false;
                    pos++;
                    continue;
                }
                if (b == 0xFF)
                {
                    if (pos + 1 < data.Length && data[pos + 1] >= 0x80)
                    {
                        atEnd = true; // a marker
                        continue;
                    }
                    stuffNext = true;
                }
                cache |= (ulong)b << (56 - cacheBits);
                cacheBits += 8;
                pos++;
            }
            else
            {
                atEnd = true;
                cacheBits += 8;
                synthetic += 8;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadBits(int n)
    {
        if (n == 0) return 0;
        if (cacheBits < n) Fill();
        var v = (int)(cache >> (64 - n));
        cache <<= n;
        cacheBits -= n;
        return v;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBit()
    {
        if (cacheBits < 1) Fill();
        var v = (long)cache < 0;
        cache <<= 1;
        cacheBits--;
        return v;
    }

    /// <summary>Counts zero bits up to and including the next one bit; stops counting past <paramref name="max"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadUnary(int max)
    {
        if (cache != 0) // the next one bit is already in the cache (bits past cacheBits are zero)
        {
            var lz = BitOperations.LeadingZeroCount(cache);
            cache <<= lz;
            cache <<= 1;
            cacheBits -= lz + 1;
            return lz;
        }
        return ReadLongUnary(max);
    }

    int ReadLongUnary(int max)
    {
        var q = 0;
        while (true)
        {
            if (cacheBits < 57) Fill();
            if (cache != 0)
            {
                var lz = BitOperations.LeadingZeroCount(cache);
                cache <<= lz;
                cache <<= 1;
                cacheBits -= lz + 1;
                return q + lz;
            }
            q += cacheBits;
            cacheBits = 0;
            if (q > max || (atEnd && synthetic > 0)) return int.MaxValue;
        }
    }

    /// <summary>
    /// The offset of the next marker at or after the data consumed so far (skipping padding), or -1. Used at the
    /// end of a scan and at restart intervals.
    /// </summary>
    public readonly int FindMarker()
    {
        for (var i = pos; i + 1 < data.Length; i++)
            if (data[i] == 0xFF && data[i + 1] >= 0x80) return i;
        return -1;
    }
}
