namespace Mira.Metrics.Statistics;

/// <summary>The standard normal distribution: CDF, survival function and quantile, to about 1e-15.</summary>
/// <remarks>
/// erfc is computed by its Maclaurin series for |x| &lt; 3 (through erf) and by its continued fraction
/// (modified Lentz) beyond (Abramowitz &amp; Stegun 7.1.5 and 7.1.14); the quantile by Newton's method on the CDF from
/// a rational starting guess, refined until the step is below 1e-15.
/// </remarks>
public static class Normal
{
    /// <summary>Φ(x) = P(Z ≤ x).</summary>
    public static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>1 − Φ(x), accurate in the upper tail.</summary>
    public static double Survival(double x) => 0.5 * Erfc(x / Math.Sqrt(2));

    /// <summary>The density φ(x).</summary>
    public static double Pdf(double x) => Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);

    /// <summary>The two-sided critical value z with P(|Z| ≤ z) = <paramref name="confidence"/> (1.959964 for 0.95).</summary>
    public static double TwoSidedZ(double confidence)
    {
        if (!(confidence > 0 && confidence < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), "the confidence level must lie in (0, 1)");
        return Quantile(0.5 + confidence / 2);
    }

    /// <summary>Φ⁻¹(p) for p in (0, 1).</summary>
    public static double Quantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), "p must lie in (0, 1)");
        if (p < 0.5) return -Quantile(1 - p);
        if (p == 0.5) return 0;
        // Starting guess: Abramowitz & Stegun 26.2.23 (error < 4.5e-4), then Newton on the upper tail.
        var q = 1 - p;
        var t = Math.Sqrt(-2 * Math.Log(q));
        var x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
        for (var i = 0; i < 50; i++)
        {
            var step = (Survival(x) - q) / Pdf(x);
            x += step;
            if (Math.Abs(step) <= 1e-15 * Math.Max(1, Math.Abs(x))) break;
        }
        return x;
    }

    /// <summary>The complementary error function.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x < 0) return 2 - Erfc(-x);
        if (x < 1.5) return 1 - ErfSeries(x);
        if (x > 27) return 0;
        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated by modified Lentz.
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < 5000; n++)
        {
            var a = n / 2.0;
            d = x + a * d;
            if (Math.Abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }

    /// <summary>erf(x) = 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), for |x| &lt; 1.5, summed as x·e^(−x²)·Σ 2ⁿx²ⁿ/(1·3·…(2n+1)) (no cancellation).</summary>
    static double ErfSeries(double x)
    {
        var x2 = x * x;
        var term = 1.0;
        var sum = 1.0;
        for (var n = 1; n < 200; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) break;
        }
        return 2 / Math.Sqrt(Math.PI) * x * Math.Exp(-x2) * sum;
    }
}
