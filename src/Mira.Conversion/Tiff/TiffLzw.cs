namespace Mira.Conversion.Tiff;

/// <summary>
/// The LZW decompression of TIFF 6.0 §13: codes of 9 to 12 bits, most significant bit first, Clear (256) and
/// EndOfInformation (257), and the TIFF variant's "early change" (the code width grows one code before the table
/// would need it, when the next free code reaches 2^width − 1).
/// </summary>
public static class TiffLzw
{
    const int Clear = 256, End = 257, First = 258, MaxCodes = 4096;

    /// <summary>Decodes into <paramref name="output"/>; returns the bytes written (at most its length: excess is an error).</summary>
    public static int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length >= 2 && input[0] == 0 && (input[1] & 1) == 1)
            throw new FormatException("old-style (LSB-first) LZW is not supported");
        Span<short> prefix = stackalloc short[MaxCodes];
        Span<byte> suffix = stackalloc byte[MaxCodes];
        Span<byte> firstByte = stackalloc byte[MaxCodes];
        Span<int> length = stackalloc int[MaxCodes];
        for (var i = 0; i < 256; i++) { prefix[i] = -1; suffix[i] = (byte)i; firstByte[i] = (byte)i; length[i] = 1; }
        int width = 9, next = First, old = -1, written = 0;
        long bitPos = 0, totalBits = (long)input.Length * 8;
        while (bitPos + width <= totalBits)
        {
            var code = ReadCode(input, bitPos, width);
            bitPos += width;
            if (code == End) break;
            if (code == Clear)
            {
                width = 9;
                next = First;
                old = -1;
                continue;
            }
            if (old == -1)
            {
                if (code > 255) throw new FormatException($"LZW code {code} after a Clear code");
                if (written >= output.Length) throw new FormatException("LZW data decodes to more bytes than the tile holds");
                output[written++] = (byte)code;
                old = code;
                continue;
            }
            int emit;
            byte first;
            if (code < next) { emit = code; first = firstByte[code]; }
            else if (code == next) { emit = -1; first = firstByte[old]; }
            else throw new FormatException($"LZW code {code} is beyond the table ({next} entries)");
            if (next < MaxCodes)
            {
                prefix[next] = (short)old;
                suffix[next] = first;
                firstByte[next] = firstByte[old];
                length[next] = length[old] + 1;
                if (emit == -1) emit = next;
                next++;
            }
            else if (emit == -1) throw new FormatException("LZW table overflow without a Clear code");
            var n = length[emit];
            if (written + n > output.Length) throw new FormatException("LZW data decodes to more bytes than the tile holds");
            for (int c = emit, at = written + n - 1; c >= 0; c = prefix[c], at--) output[at] = suffix[c];
            written += n;
            old = code;
            if (next + 1 >= (1 << width) && width < 12) width++;
        }
        return written;
    }

    static int ReadCode(ReadOnlySpan<byte> input, long bitPos, int width)
    {
        var byteIndex = (int)(bitPos >> 3);
        var v = (uint)input[byteIndex] << 16;
        if (byteIndex + 1 < input.Length) v |= (uint)input[byteIndex + 1] << 8;
        if (byteIndex + 2 < input.Length) v |= input[byteIndex + 2];
        var shift = 24 - (int)(bitPos & 7) - width;
        return (int)((v >> shift) & ((1u << width) - 1));
    }
}
