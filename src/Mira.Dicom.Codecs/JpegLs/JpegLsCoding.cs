namespace Mira.Dicom.Codecs.JpegLs;

/// <summary>
/// The coding parameters of one JPEG-LS scan (ITU-T T.87 §A.2, §C.2.4.1.1): sample range, thresholds, RESET,
/// and the derived RANGE, qbpp and LIMIT.
/// </summary>
internal sealed class JpegLsScanParameters
{
    /// <summary>The run-length order table J of T.87 §A.7.1.2.</summary>
    internal static ReadOnlySpan<byte> J => [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    public int MaxVal { get; }
    public int Near { get; }
    public int T1 { get; }
    public int T2 { get; }
    public int T3 { get; }
    public int Reset { get; }
    public int Range { get; }
    public int Qbpp { get; }
    public int Limit { get; }

    /// <summary>Gradient quantisation (T.87 §A.3.3) by table: index gradient + MaxVal, value -4..4.</summary>
    public sbyte[] Quantiser { get; }

    JpegLsScanParameters(int maxVal, int near, int t1, int t2, int t3, int reset)
    {
        MaxVal = maxVal;
        Near = near;
        T1 = t1;
        T2 = t2;
        T3 = t3;
        Reset = reset;
        Range = (maxVal + 2 * near) / (2 * near + 1) + 1;
        Qbpp = CeilLog2(Range);
        var bpp = Math.Max(2, CeilLog2(maxVal + 1));
        Limit = 2 * (bpp + Math.Max(8, bpp));
        Quantiser = new sbyte[2 * maxVal + 1];
        for (var d = -maxVal; d <= maxVal; d++) Quantiser[d + maxVal] = Quantise(d);
    }

    sbyte Quantise(int d)
    {
        if (d <= -T3) return -4;
        if (d <= -T2) return -3;
        if (d <= -T1) return -2;
        if (d < -Near) return -1;
        if (d <= Near) return 0;
        if (d < T1) return 1;
        if (d < T2) return 2;
        if (d < T3) return 3;
        return 4;
    }

    static int CeilLog2(int v)
    {
        var n = 0;
        while ((1L << n) < v) n++;
        return n;
    }

    /// <summary>
    /// Resolves preset values (0 = default, as in an LSE marker segment of type 1) for sample precision
    /// <paramref name="bits"/> and the scan's NEAR, validating them (T.87 §C.2.4.1.1); <paramref name="error"/> is
    /// set instead of throwing so the caller can add the byte offset.
    /// </summary>
    public static JpegLsScanParameters? Create(int bits, int near, int maxVal, int t1, int t2, int t3, int reset, out string? error)
    {
        error = null;
        if (maxVal == 0) maxVal = (1 << bits) - 1;
        if (maxVal < 1 || maxVal >= (1 << bits))
        {
            error = $"MAXVAL {maxVal} does not fit {bits}-bit samples";
            return null;
        }
        if (near < 0 || near > Math.Min(255, maxVal / 2))
        {
            error = $"NEAR {near} is out of range for MAXVAL {maxVal}";
            return null;
        }
        var (d1, d2, d3) = DefaultThresholds(maxVal, near);
        if (t1 == 0) t1 = d1;
        if (t2 == 0) t2 = d2;
        if (t3 == 0) t3 = d3;
        if (reset == 0) reset = 64;
        if (t1 < near + 1 || t1 > maxVal || t2 < t1 || t2 > maxVal || t3 < t2 || t3 > maxVal)
        {
            error = $"thresholds T1={t1} T2={t2} T3={t3} are invalid for MAXVAL {maxVal}, NEAR {near}";
            return null;
        }
        if (reset < 3 || reset > Math.Max(255, maxVal))
        {
            error = $"RESET {reset} is out of range";
            return null;
        }
        return new JpegLsScanParameters(maxVal, near, t1, t2, t3, reset);
    }

    /// <summary>Default thresholds (T.87 §C.2.4.1.1.1, basic values 3, 7, 21).</summary>
    public static (int T1, int T2, int T3) DefaultThresholds(int maxVal, int near)
    {
        const int basicT1 = 3, basicT2 = 7, basicT3 = 21;
        static int Clamp(int i, int j, int maxVal) => i > maxVal || i < j ? j : i;
        if (maxVal >= 128)
        {
            var factor = (Math.Min(maxVal, 4095) + 128) / 256;
            var t1 = Clamp(factor * (basicT1 - 2) + 2 + 3 * near, near + 1, maxVal);
            var t2 = Clamp(factor * (basicT2 - 3) + 3 + 5 * near, t1, maxVal);
            var t3 = Clamp(factor * (basicT3 - 4) + 4 + 7 * near, t2, maxVal);
            return (t1, t2, t3);
        }
        else
        {
            var factor = 256 / (maxVal + 1);
            var t1 = Clamp(Math.Max(2, basicT1 / factor + 3 * near), near + 1, maxVal);
            var t2 = Clamp(Math.Max(3, basicT2 / factor + 5 * near), t1, maxVal);
            var t3 = Clamp(Math.Max(4, basicT3 / factor + 7 * near), t2, maxVal);
            return (t1, t2, t3);
        }
    }
}

/// <summary>
/// The adaptive state of a scan (T.87 §A.2.1): A, B, C, N for 365 regular contexts plus the two run-interruption
/// contexts (indices 365 and 366, with Nn), shared by all components of the scan.
/// </summary>
internal sealed class JpegLsContexts
{
    public const int RunContext = 365;

    /// <summary>A bound on the Golomb parameter k that valid streams stay far below (k ≤ 16 for 16-bit data).</summary>
    const int MaxK = 24;
    public readonly int[] A = new int[367];
    public readonly int[] B = new int[367];
    public readonly int[] C = new int[367];
    public readonly int[] N = new int[367];
    public readonly int[] Nn = new int[2];

    public void Reset(int range)
    {
        var a = Math.Max(2, (range + 32) / 64);
        A.AsSpan().Fill(a);
        B.AsSpan().Clear();
        C.AsSpan().Clear();
        N.AsSpan().Fill(1);
        Nn.AsSpan().Clear();
    }

    /// <summary>Context variable update and bias correction after a regular-mode sample (T.87 §A.6.1, §A.6.2).</summary>
    public void UpdateRegular(int q, int errVal, int near, int reset)
    {
        var b = B[q] + errVal * (2 * near + 1);
        var a = A[q] + Math.Abs(errVal);
        var n = N[q];
        if (n == reset)
        {
            a >>= 1;
            b >>= 1;
            n >>= 1;
        }
        n++;
        A[q] = a;
        if (b <= -n)
        {
            b += n;
            if (C[q] > -128) C[q]--;
            if (b <= -n) b = -n + 1;
        }
        else if (b > 0)
        {
            b -= n;
            if (C[q] < 127) C[q]++;
            if (b > 0) b = 0;
        }
        B[q] = b;
        N[q] = n;
    }

    /// <summary>Golomb parameter k for a regular context (T.87 §A.5.1).</summary>
    public int RegularK(int q)
    {
        int n = N[q], a = A[q], k = 0;
        while (k < MaxK && (n << k) < a) k++;
        return k;
    }

    /// <summary>Golomb parameter k for a run-interruption context (T.87 §A.7.2.1).</summary>
    public int RunK(int riType)
    {
        var q = RunContext + riType;
        var temp = riType == 0 ? A[q] : A[q] + (N[q] >> 1);
        int n = N[q], k = 0;
        while (k < MaxK && (n << k) < temp) k++;
        return k;
    }

    /// <summary>Run-interruption context update (T.87 §A.7.2.2, steps after coding).</summary>
    public void UpdateRun(int riType, int errVal, int eMappedErrVal, int reset)
    {
        var q = RunContext + riType;
        if (errVal < 0) Nn[riType]++;
        A[q] += (eMappedErrVal + 1 - riType) >> 1;
        if (N[q] == reset)
        {
            A[q] >>= 1;
            N[q] >>= 1;
            Nn[riType] >>= 1;
        }
        N[q]++;
    }
}
