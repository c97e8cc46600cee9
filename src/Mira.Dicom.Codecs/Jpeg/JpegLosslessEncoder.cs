using System.Buffers.Binary;

namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// Encodes a frame as a JPEG Lossless Process 14 image (T.81 Annex H): one interleaved scan, one Huffman table per
/// component, optimised for the frame's differences (T.81 Annex K.2). Selection value 1 gives the stream of the
/// JPEG Lossless SV1 transfer syntax (1.2.840.10008.1.2.4.70).
/// </summary>
public static class JpegLosslessEncoder
{
    /// <summary>
    /// Encodes one native frame (little-endian samples, as <paramref name="format"/> describes, either planar
    /// configuration). The sample precision is Bits Stored (2..16); bits above it are ignored.
    /// The result is padded with a zero byte after EOI to an even length.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> frame, PixelFormat format, int predictor = 1, int pointTransform = 0, int restartInterval = 0)
    {
        if (predictor is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(predictor), "JPEG lossless predictors are 1 to 7");
        if (format.BitsAllocated is not (8 or 16)) throw new NotSupportedException($"JPEG lossless encoding of Bits Allocated {format.BitsAllocated} is not supported");
        var precision = Math.Clamp(format.BitsStored, 2, format.BitsAllocated);
        if (pointTransform < 0 || pointTransform >= precision) throw new ArgumentOutOfRangeException(nameof(pointTransform));
        if (format.SamplesPerPixel is < 1 or > 4) throw new NotSupportedException($"{format.SamplesPerPixel} samples per pixel");
        if (format.Rows is < 1 or > 65535 || format.Columns is < 1 or > 65535) throw new NotSupportedException($"{format.Columns}x{format.Rows} is not a JPEG image size");
        if (frame.Length < format.FrameLength) throw new ArgumentException($"the frame holds {frame.Length} bytes, the format needs {format.FrameLength}", nameof(frame));

        int width = format.Columns, height = format.Rows, n = format.SamplesPerPixel;
        var bps = format.BitsAllocated / 8;
        var mask = (1 << precision) - 1;
        var planar = format.PlanarConfiguration == 1 && n > 1;
        var pixels = width * height;

        // Differences (category and extra bits) per sample in scan order, and the category frequencies per component.
        var diffs = new int[pixels * n];
        var freq = new long[n][];
        for (var ci = 0; ci < n; ci++)
        {
            freq[ci] = new long[17];
            var plane = new int[pixels];
            for (var i = 0; i < pixels; i++)
            {
                var sampleIndex = planar ? ci * pixels + i : i * n + ci;
                int v = bps == 1 ? frame[sampleIndex] : BinaryPrimitives.ReadUInt16LittleEndian(frame[(2 * sampleIndex)..]);
                plane[i] = (v & mask) >> pointTransform;
            }
            var initial = 1 << (precision - pointTransform - 1);
            var mcu = 0;
            var resetColumn = 0;
            for (var y = 0; y < height; y++)
            {
                if (y > 0) resetColumn = -1;
                for (var x = 0; x < width; x++, mcu++)
                {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) resetColumn = x;
                    var i = y * width + x;
                    int prediction;
                    if (x == resetColumn) prediction = initial;
                    else if (resetColumn >= 0 && x > resetColumn) prediction = plane[i - 1];
                    else if (x == 0) prediction = plane[i - width];
                    else prediction = JpegDecoder.Predict(predictor, plane[i - 1], plane[i - width], plane[i - width - 1]);
                    var d = (plane[i] - prediction) & 0xFFFF;
                    if (d >= 0x8000) d -= 0x10000;
                    diffs[i * n + ci] = d;
                    freq[ci][Category(d)]++;
                }
            }
        }

        var tables = new (byte[] Bits, byte[] Values, int[] Code, int[] Size)[n];
        for (var ci = 0; ci < n; ci++) tables[ci] = BuildTable(freq[ci]);

        var output = new JpegByteWriter(pixels * n * bps / 2 + 1024);
        output.Marker(0xD8);
        // SOF3
        output.Marker(0xC3);
        output.U16(8 + 3 * n);
        output.Byte(precision);
        output.U16(height);
        output.U16(width);
        output.Byte(n);
        for (var ci = 0; ci < n; ci++)
        {
            output.Byte(ci + 1);
            output.Byte(0x11);
            output.Byte(0);
        }
        // DHT: one lossless (DC class) table per component
        for (var ci = 0; ci < n; ci++)
        {
            var (bits, values, _, _) = tables[ci];
            output.Marker(0xC4);
            output.U16(2 + 1 + 16 + values.Length);
            output.Byte(ci);
            foreach (var b in bits) output.Byte(b);
            foreach (var v in values) output.Byte(v);
        }
        if (restartInterval > 0)
        {
            output.Marker(0xDD);
            output.U16(4);
            output.U16(restartInterval);
        }
        // SOS
        output.Marker(0xDA);
        output.U16(6 + 2 * n);
        output.Byte(n);
        for (var ci = 0; ci < n; ci++)
        {
            output.Byte(ci + 1);
            output.Byte(ci << 4);
        }
        output.Byte(predictor);
        output.Byte(0);
        output.Byte(pointTransform);

        var rst = 0;
        for (var mcu = 0; mcu < pixels; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                output.FlushBits();
                output.Marker(0xD0 + rst);
                rst = (rst + 1) & 7;
            }
            for (var ci = 0; ci < n; ci++)
            {
                var d = diffs[mcu * n + ci];
                var s = Category(d);
                var t = tables[ci];
                output.Bits(t.Code[s], t.Size[s]);
                if (s is > 0 and < 16) output.Bits((d < 0 ? d - 1 : d) & ((1 << s) - 1), s);
            }
        }
        output.FlushBits();
        output.Marker(0xD9);
        if ((output.Length & 1) == 1) output.Byte(0);
        return output.ToArray();
    }

    /// <summary>SSSS of T.81 Table H.2: the bit length of |d|; 16 for the difference 32768 (−32768 modulo 2^16).</summary>
    static int Category(int d) => d == -32768 ? 16 : d == 0 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Abs(d));

    /// <summary>
    /// Code lengths from symbol frequencies by the procedure of T.81 Annex K.2 (with the reserved all-ones code
    /// point, lengths limited to 16), then the BITS / HUFFVAL lists and the codes (Annex C).
    /// </summary>
    internal static (byte[] Bits, byte[] Values, int[] Code, int[] Size) BuildTable(ReadOnlySpan<long> frequencies)
    {
        var symbols = frequencies.Length;
        var freq = new long[symbols + 1];
        frequencies.CopyTo(freq);
        freq[symbols] = 1; // reserved code point: no real code is all ones
        var codeSize = new int[symbols + 1];
        var others = new int[symbols + 1];
        Array.Fill(others, -1);
        while (true)
        {
            int v1 = -1, v2 = -1;
            // v1: least non-zero frequency (largest symbol on ties); v2: the next least
            for (var i = 0; i <= symbols; i++)
                if (freq[i] > 0 && (v1 < 0 || freq[i] <= freq[v1])) v1 = i;
            for (var i = 0; i <= symbols; i++)
                if (i != v1 && freq[i] > 0 && (v2 < 0 || freq[i] <= freq[v2])) v2 = i;
            if (v2 < 0) break;
            freq[v1] += freq[v2];
            freq[v2] = 0;
            codeSize[v1]++;
            while (others[v1] >= 0)
            {
                v1 = others[v1];
                codeSize[v1]++;
            }
            others[v1] = v2;
            codeSize[v2]++;
            while (others[v2] >= 0)
            {
                v2 = others[v2];
                codeSize[v2]++;
            }
        }
        var bits = new int[64];
        for (var i = 0; i <= symbols; i++)
            if (codeSize[i] > 0) bits[codeSize[i]]++;
        // Limit code lengths to 16 (Figure K.3)
        for (var i = 63; i > 16; i--)
            while (bits[i] > 0)
            {
                var j = i - 2;
                while (bits[j] == 0) j--;
                bits[i] -= 2;
                bits[i - 1]++;
                bits[j + 1] += 2;
                bits[j]--;
            }
        // Remove the reserved code point from the longest length
        var longest = 16;
        while (bits[longest] == 0) longest--;
        bits[longest]--;

        var values = new List<byte>();
        for (var len = 1; len <= 32; len++)
            for (var s = 0; s < symbols; s++)
                if (codeSize[s] == len) values.Add((byte)s);
        // The lengths after limiting follow the sorted order (Figure K.4 assigns sizes by BITS, not by codeSize).
        var bitsOut = new byte[16];
        for (var i = 1; i <= 16; i++) bitsOut[i - 1] = (byte)bits[i];
        var code = new int[symbols];
        var size = new int[symbols];
        int c = 0, k = 0;
        for (var len = 1; len <= 16; len++)
        {
            for (var i = 0; i < bits[len]; i++, k++)
            {
                code[values[k]] = c++;
                size[values[k]] = len;
            }
            c <<= 1;
        }
        return (bitsOut, values.ToArray(), code, size);
    }
}

/// <summary>A growing byte buffer with a bit writer that stuffs a zero byte after each 0xFF (T.81 §F.1.2.3).</summary>
internal sealed class JpegByteWriter(int capacity)
{
    byte[] buffer = new byte[Math.Max(capacity, 64)];
    int length;
    ulong acc;
    int bits;

    public int Length => length;

    public void Byte(int b)
    {
        if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        buffer[length++] = (byte)b;
    }

    public void U16(int v)
    {
        Byte(v >> 8);
        Byte(v & 0xFF);
    }

    public void Marker(int m)
    {
        Byte(0xFF);
        Byte(m);
    }

    public void Bits(int value, int count)
    {
        acc = (acc << count) | ((uint)value & ((1UL << count) - 1));
        bits += count;
        while (bits >= 8)
        {
            var b = (int)(acc >> (bits - 8)) & 0xFF;
            bits -= 8;
            Byte(b);
            if (b == 0xFF) Byte(0);
        }
    }

    /// <summary>Pads the last byte with 1-bits.</summary>
    public void FlushBits()
    {
        if (bits > 0) Bits((1 << (8 - bits)) - 1, 8 - bits);
        acc = 0;
    }

    public byte[] ToArray() => buffer.AsSpan(0, length).ToArray();
}
