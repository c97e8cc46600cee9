namespace Mira.Metrics.Statistics;

/// <summary>A proportion with its confidence interval.</summary>
public readonly record struct Proportion(long Successes, long Trials, double Value, double Lower, double Upper);

/// <summary>
/// The Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference, the law of succession, and
/// statistical inference", JASA 22:209–212, 1927): with p̂ = x/n and z the two-sided normal critical value,
/// centre (p̂ + z²/2n) / (1 + z²/n) and half-width z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²). Without continuity
/// correction. n = 0 gives NaN for the value and the whole [0, 1] as interval.
/// </summary>
public static class Wilson
{
    public static Proportion Interval(long successes, long trials, double confidence = 0.95)
    {
        if (trials < 0 || successes < 0 || successes > trials) throw new ArgumentException($"need 0 ≤ successes ≤ trials, got {successes}/{trials}");
        if (trials == 0) return new Proportion(0, 0, double.NaN, 0, 1);
        var z = Normal.TwoSidedZ(confidence);
        double n = trials;
        var p = successes / n;
        var z2 = z * z;
        var denom = 1 + z2 / n;
        var centre = (p + z2 / (2 * n)) / denom;
        var half = z / denom * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Proportion(successes, trials, p, Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
