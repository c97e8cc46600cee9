namespace Mira.Dicom.Codecs.Jpeg;

/// <summary>
/// The accurate integer inverse DCT of the Independent JPEG Group's library (libjpeg 6b "islow", the Loeffler–
/// Ligtenberg–Moschytz factorisation with 13-bit fixed-point constants), reproduced arithmetic for arithmetic so
/// that decoded samples equal those of dcmtk, GDCM and Pillow. Dequantisation happens here, as in libjpeg.
/// </summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
internal static class JpegIdct
{
    const int ConstBits = 13;

    // FIX(x) = round(x * 2^13)
    const int Fix_0_298631336 = 2446;
    const int Fix_0_390180644 = 3196;
    const int Fix_0_541196100 = 4433;
    const int Fix_0_765366865 = 6270;
    const int Fix_0_899976223 = 7373;
    const int Fix_1_175875602 = 9633;
    const int Fix_1_501321110 = 12299;
    const int Fix_1_847759065 = 15137;
    const int Fix_1_961570560 = 16069;
    const int Fix_2_053119869 = 16819;
    const int Fix_2_562915447 = 20995;
    const int Fix_3_072711026 = 25172;

    /// <summary>Zig-zag position → natural (row-major) index (T.81 Figure A.6).</summary>
    public static readonly byte[] ZigZag = BuildZigZag();

    static byte[] BuildZigZag()
    {
        var z = new byte[64];
        var k = 0;
        for (var s = 0; s < 15; s++)
        {
            int lo = Math.Max(0, s - 7), hi = Math.Min(s, 7);
            if ((s & 1) == 1)
                for (var row = lo; row <= hi; row++) z[k++] = (byte)(row * 8 + (s - row));
            else
                for (var row = hi; row >= lo; row--) z[k++] = (byte)(row * 8 + (s - row));
        }
        return z;
    }

    static readonly ushort[] Limit8 = BuildRangeLimit(8);
    static readonly ushort[] Limit12 = BuildRangeLimit(12);

    /// <summary>
    /// libjpeg's post-IDCT range limiting: the descaled value, masked to 4·2^P − 1, is clamped to 0..2^P − 1 after
    /// adding the centre 2^(P−1); masked values in the upper half are negative.
    /// </summary>
    static ushort[] BuildRangeLimit(int precision)
    {
        var size = 4 << precision;
        var max = (1 << precision) - 1;
        var center = 1 << (precision - 1);
        var t = new ushort[size];
        for (var i = 0; i < size; i++)
        {
            var v = i < size / 2 ? i : i - size;
            t[i] = (ushort)Math.Clamp(v + center, 0, max);
        }
        return t;
    }

    /// <summary>
    /// Transforms one block of quantised coefficients (natural order) into samples at <paramref name="output"/>
    /// [offset + row × stride + column]. <paramref name="precision"/> is 8 or 12.
    /// </summary>
    public static void Transform(Span<int> coef, ReadOnlySpan<ushort> quant, int precision, Span<ushort> output, int offset, int stride)
    {
        var pass1Bits = precision == 8 ? 2 : 1;
        var limit = precision == 8 ? Limit8 : Limit12;
        var mask = limit.Length - 1;
        Span<int> ws = stackalloc int[64];
        quant = quant[..64];
        coef = coef[..64];

        // Pass 1: columns from the input into the work array, scaled up by 2^pass1Bits.
        for (var col = 0; col < 8; col++)
        {
            if (coef[8 + col] == 0 && coef[16 + col] == 0 && coef[24 + col] == 0 && coef[32 + col] == 0 &&
                coef[40 + col] == 0 && coef[48 + col] == 0 && coef[56 + col] == 0)
            {
                var dc = coef[col] * quant[col] << pass1Bits;
                for (var r = 0; r < 8; r++) ws[r * 8 + col] = dc;
                continue;
            }

            // Even part
            var z2 = coef[16 + col] * quant[16 + col];
            var z3 = coef[48 + col] * quant[48 + col];
            var z1 = (z2 + z3) * Fix_0_541196100;
            var tmp2 = z1 + z3 * -Fix_1_847759065;
            var tmp3 = z1 + z2 * Fix_0_765366865;
            z2 = coef[col] * quant[col];
            z3 = coef[32 + col] * quant[32 + col];
            var tmp0 = (z2 + z3) << ConstBits;
            var tmp1 = (z2 - z3) << ConstBits;
            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            // Odd part
            tmp0 = coef[56 + col] * quant[56 + col];
            tmp1 = coef[40 + col] * quant[40 + col];
            tmp2 = coef[24 + col] * quant[24 + col];
            tmp3 = coef[8 + col] * quant[8 + col];
            OddPart(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            var shift = ConstBits - pass1Bits;
            var round = 1 << (shift - 1);
            ws[col] = (tmp10 + tmp3 + round) >> shift;
            ws[56 + col] = (tmp10 - tmp3 + round) >> shift;
            ws[8 + col] = (tmp11 + tmp2 + round) >> shift;
            ws[48 + col] = (tmp11 - tmp2 + round) >> shift;
            ws[16 + col] = (tmp12 + tmp1 + round) >> shift;
            ws[40 + col] = (tmp12 - tmp1 + round) >> shift;
            ws[24 + col] = (tmp13 + tmp0 + round) >> shift;
            ws[32 + col] = (tmp13 - tmp0 + round) >> shift;
        }

        // Pass 2: rows from the work array to the output, removing the 2^pass1Bits and the factor 8.
        var outShift = ConstBits + pass1Bits + 3;
        var outRound = 1 << (outShift - 1);
        for (var row = 0; row < 8; row++)
        {
            var w = ws.Slice(row * 8, 8);
            var o = output.Slice(offset + row * stride, 8);
            if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
            {
                var s = limit[((w[0] + (1 << (pass1Bits + 2))) >> (pass1Bits + 3)) & mask];
                o.Fill(s);
                continue;
            }

            var z2 = w[2];
            var z3 = w[6];
            var z1 = (z2 + z3) * Fix_0_541196100;
            var tmp2 = z1 + z3 * -Fix_1_847759065;
            var tmp3 = z1 + z2 * Fix_0_765366865;
            var tmp0 = (w[0] + w[4]) << ConstBits;
            var tmp1 = (w[0] - w[4]) << ConstBits;
            var tmp10 = tmp0 + tmp3;
            var tmp13 = tmp0 - tmp3;
            var tmp11 = tmp1 + tmp2;
            var tmp12 = tmp1 - tmp2;

            tmp0 = w[7];
            tmp1 = w[5];
            tmp2 = w[3];
            tmp3 = w[1];
            OddPart(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            o[0] = limit[((tmp10 + tmp3 + outRound) >> outShift) & mask];
            o[7] = limit[((tmp10 - tmp3 + outRound) >> outShift) & mask];
            o[1] = limit[((tmp11 + tmp2 + outRound) >> outShift) & mask];
            o[6] = limit[((tmp11 - tmp2 + outRound) >> outShift) & mask];
            o[2] = limit[((tmp12 + tmp1 + outRound) >> outShift) & mask];
            o[5] = limit[((tmp12 - tmp1 + outRound) >> outShift) & mask];
            o[3] = limit[((tmp13 + tmp0 + outRound) >> outShift) & mask];
            o[4] = limit[((tmp13 - tmp0 + outRound) >> outShift) & mask];
        }
    }

    /// <summary>The odd part of the 8-point transform: inputs are the coefficients 7, 5, 3, 1; outputs replace them.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    static void OddPart(ref int tmp0, ref int tmp1, ref int tmp2, ref int tmp3)
    {
        var z1 = tmp0 + tmp3;
        var z2 = tmp1 + tmp2;
        var z3 = tmp0 + tmp2;
        var z4 = tmp1 + tmp3;
        var z5 = (z3 + z4) * Fix_1_175875602;
        tmp0 *= Fix_0_298631336;
        tmp1 *= Fix_2_053119869;
        tmp2 *= Fix_3_072711026;
        tmp3 *= Fix_1_501321110;
        z1 *= -Fix_0_899976223;
        z2 *= -Fix_2_562915447;
        z3 = z3 * -Fix_1_961570560 + z5;
        z4 = z4 * -Fix_0_390180644 + z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }
}
