namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// A decoding table built from a DHT segment (ITU-T T.81 Annex C and §F.2.2.3): codes of up to
/// <see cref="LookupBits"/> bits are found with one table look-up, longer ones with the MAXCODE/VALPTR procedure.
/// </summary>
internal sealed class JpegHuffmanTable
{
    public const int LookupBits = 9;

    /// <summary>Indexed by the next <see cref="LookupBits"/> bits: (code length &lt;&lt; 8) | symbol, or 0 for a longer code.</summary>
    public readonly ushort[] Lookup = new ushort[1 << LookupBits];

    /// <summary>Largest code of each length (1..16), -1 where there is none.</summary>
    public readonly int[] MaxCode = new int[17];

    /// <summary>Index into <see cref="Values"/> of a code of each length, minus that length's first code.</summary>
    public readonly int[] ValueOffset = new int[17];

    public readonly byte[] Values;

    JpegHuffmanTable(byte[] values) => Values = values;

    /// <summary>Builds a table from the 16 code-length counts (BITS) and the symbols (HUFFVAL); null when they do not form a valid code.</summary>
    public static JpegHuffmanTable? Create(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        var t = new JpegHuffmanTable(values.ToArray());
        int code = 0, k = 0;
        for (var len = 1; len <= 16; len++)
        {
            int n = counts[len - 1];
            t.ValueOffset[len] = k - code;
            if (n == 0) t.MaxCode[len] = -1;
            for (var i = 0; i < n; i++)
            {
                // No code may consist of all 1-bits (T.81 §C); a table that needs one is over-subscribed.
                if (code >= (1 << len) - 1) return null;
                if (len <= LookupBits)
                {
                    var shift = LookupBits - len;
                    var entry = (ushort)((len << 8) | values[k]);
                    t.Lookup.AsSpan(code << shift, 1 << shift).Fill(entry);
                }
                code++;
                k++;
            }
            if (n > 0) t.MaxCode[len] = code - 1;
            code <<= 1;
        }
        return t;
    }
}
