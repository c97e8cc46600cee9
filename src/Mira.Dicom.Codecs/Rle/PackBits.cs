namespace Mira.Dicom.Codecs.Rle;

/// <summary>The byte-oriented run-length scheme of PS3.5 §G.3.1 (PackBits).</summary>
internal static class PackBits
{
    const int MaxRun = 128;

    /// <summary>
    /// Encodes one row. Runs of three or more equal bytes become Replicate Runs (header 1 − n, then the byte);
    /// a two-byte repeat is a Replicate Run only where a run would start anyway, and is merged into the
    /// surrounding Literal Run (header n − 1, then the bytes) otherwise. No run is longer than 128 bytes or crosses
    /// the end of <paramref name="row"/>.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> row, Stream output)
    {
        var i = 0;
        Span<byte> two = stackalloc byte[2];
        while (i < row.Length)
        {
            var run = RunLength(row, i);
            if (run >= 2)
            {
                two[0] = (byte)(257 - run);
                two[1] = row[i];
                output.Write(two);
                i += run;
                continue;
            }
            var start = i;
            i++;
            while (i < row.Length && i - start < MaxRun && RunLength(row, i) < 3) i++;
            output.WriteByte((byte)(i - start - 1));
            output.Write(row[start..i]);
        }
    }

    static int RunLength(ReadOnlySpan<byte> row, int i)
    {
        var b = row[i];
        var n = 1;
        while (i + n < row.Length && n < MaxRun && row[i + n] == b) n++;
        return n;
    }
}
