using System.Runtime.CompilerServices;

namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// Reads entropy-coded segment bits (T.81 §F.2.2.5): removes stuffed zero bytes after 0xFF, stops at a marker and
/// from there supplies zero bits, which may only be used to look ahead; consuming one of them means the data ended
/// too early and throws.
/// </summary>
internal ref struct JpegBitReader
{
    readonly ReadOnlySpan<byte> data;
    ulong acc;      // next bits, most significant first
    int bits;       // valid bits in acc, including padding
    int padBits;    // zero bits appended after a marker or the end of data (always at the tail of acc)
    int pos;        // next byte to read
    int markerPos;  // where the marker that stopped reading starts, -1 while none

    public JpegBitReader(ReadOnlySpan<byte> data, int start)
    {
        this.data = data;
        pos = start;
        markerPos = -1;
    }

    /// <summary>Approximate byte offset of the next unread bit, for error messages.</summary>
    public readonly int Offset => Math.Max(0, (markerPos >= 0 ? markerPos : pos) - (bits - padBits) / 8);

    void Fill()
    {
        while (bits <= 56)
        {
            if (markerPos >= 0)
            {
                bits += 8;
                padBits += 8;
                continue;
            }
            if (pos >= data.Length)
            {
                markerPos = data.Length;
                continue;
            }
            int b = data[pos];
            if (b == 0xFF)
            {
                if (pos + 1 < data.Length && data[pos + 1] == 0) pos += 2;
                else
                {
                    markerPos = pos;
                    continue;
                }
            }
            else pos++;
            acc |= (ulong)b << (56 - bits);
            bits += 8;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Consume(int n)
    {
        if (n > bits - padBits) ThrowEndOfData();
        acc <<= n;
        bits -= n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    readonly void ThrowEndOfData() =>
        throw JpegDecoder.Fail("entropy-coded data ends early (truncated or a marker inside the scan)", markerPos >= 0 ? markerPos : pos);

    /// <summary>Decodes one Huffman-coded symbol.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Decode(JpegHuffmanTable table)
    {
        if (bits < 16) Fill();
        int e = table.Lookup[(int)(acc >> (64 - JpegHuffmanTable.LookupBits))];
        if (e != 0)
        {
            Consume(e >> 8);
            return e & 0xFF;
        }
        return DecodeLong(table);
    }

    int DecodeLong(JpegHuffmanTable table)
    {
        var code16 = (int)(acc >> 48);
        for (var len = JpegHuffmanTable.LookupBits + 1; len <= 16; len++)
        {
            var c = code16 >> (16 - len);
            if (c <= table.MaxCode[len])
            {
                var index = c + table.ValueOffset[len];
                if ((uint)index >= (uint)table.Values.Length) break;
                Consume(len);
                return table.Values[index];
            }
        }
        throw JpegDecoder.Fail("invalid Huffman code", Offset);
    }

    /// <summary>Reads <paramref name="n"/> (1..16) bits as an unsigned value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Receive(int n)
    {
        if (bits < n) Fill();
        var v = (int)(acc >> (64 - n));
        Consume(n);
        return v;
    }

    /// <summary>RECEIVE then EXTEND (T.81 §F.2.2.1): <paramref name="n"/> bits as a signed difference.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReceiveExtend(int n)
    {
        var v = Receive(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    /// <summary>Byte offset of the marker that ends the entropy-coded segment (skipping any undecoded bytes).</summary>
    public int FindMarker()
    {
        if (markerPos >= 0) return markerPos;
        var p = pos;
        while (p < data.Length)
        {
            if (data[p] == 0xFF && p + 1 < data.Length && data[p + 1] != 0) return p;
            p++;
        }
        return data.Length;
    }

    /// <summary>Expects restart marker RSTn at the end of the current interval and starts reading after it.</summary>
    public void Restart(int n)
    {
        var p = FindMarker();
        while (p + 1 < data.Length && data[p + 1] == 0xFF) p++; // fill bytes before the marker
        if (p + 1 >= data.Length) throw JpegDecoder.Fail($"data ends where restart marker RST{n} was expected", p);
        if (data[p + 1] != 0xD0 + n) throw JpegDecoder.Fail($"expected restart marker RST{n}, found marker 0x{data[p + 1]:X2}", p);
        pos = p + 2;
        acc = 0;
        bits = 0;
        padBits = 0;
        markerPos = -1;
    }
}
