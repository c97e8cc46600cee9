namespace Mira.Conversion.Photos;

/// <summary>The five PNG scanline filters (PNG specification §9.2, filter method 0), both ways.</summary>
internal static class PngFilters
{
    public const int Count = 5;

    /// <summary>Reverses filter <paramref name="type"/> in place on <paramref name="row"/> given the reconstructed row above (zeros for the first).</summary>
    public static void Unfilter(int type, Span<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel)
    {
        switch (type)
        {
            case 0: return;
            case 1:
                for (var i = bytesPerPixel; i < row.Length; i++) row[i] += row[i - bytesPerPixel];
                return;
            case 2:
                for (var i = 0; i < row.Length; i++) row[i] += previous[i];
                return;
            case 3:
                for (var i = 0; i < row.Length; i++)
                    row[i] += (byte)(((i >= bytesPerPixel ? row[i - bytesPerPixel] : 0) + previous[i]) >> 1);
                return;
            case 4:
                for (var i = 0; i < row.Length; i++)
                    row[i] += Paeth(i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0, previous[i], i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0);
                return;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "PNG filter types are 0 to 4");
        }
    }

    /// <summary>Writes <paramref name="row"/> filtered with <paramref name="type"/> into <paramref name="output"/>.</summary>
    public static void Filter(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> previous, int bytesPerPixel, Span<byte> output)
    {
        for (var i = 0; i < row.Length; i++)
        {
            byte left = i >= bytesPerPixel ? row[i - bytesPerPixel] : (byte)0, up = previous[i];
            byte upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : (byte)0;
            output[i] = type switch
            {
                0 => row[i],
                1 => (byte)(row[i] - left),
                2 => (byte)(row[i] - up),
                3 => (byte)(row[i] - ((left + up) >> 1)),
                _ => (byte)(row[i] - Paeth(left, up, upLeft)),
            };
        }
    }

    /// <summary>The Paeth predictor (PNG specification §9.4).</summary>
    static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
