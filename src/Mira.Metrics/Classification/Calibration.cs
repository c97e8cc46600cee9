namespace Mira.Metrics.Classification;

/// <summary>One bin of a reliability curve.</summary>
/// <param name="Lower">bin lower edge (exclusive, except 0 for the first bin).</param>
/// <param name="Upper">bin upper edge (inclusive).</param>
/// <param name="MeanPredicted">mean predicted probability of the bin's cases.</param>
/// <param name="ObservedFraction">fraction of positives among them.</param>
public sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanPredicted, double ObservedFraction);

/// <summary>Calibration of predicted probabilities (of the positive class) against binary outcomes.</summary>
/// <remarks>
/// Binning: B equal-width bins on [0, 1] (default 10) with edges eᵢ = i·(1/B); a probability p goes to bin
/// #{i ∈ 1…B−1 : eᵢ &lt; p}, i.e. bins are (eᵢ, eᵢ₊₁] with 0 in the first and 1 in the last — the binning of
/// <c>sklearn.calibration.calibration_curve(strategy="uniform")</c>.
/// </remarks>
public static class Calibration
{
    public const int DefaultBins = 10;

    /// <summary>Brier score: mean (p − y)² (<c>sklearn.metrics.brier_score_loss</c>).</summary>
    public static double Brier(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities)
    {
        CheckProbabilities(labels, probabilities);
        var s = 0.0;
        for (var i = 0; i < labels.Count; i++) s += (probabilities[i] - labels[i]) * (probabilities[i] - labels[i]);
        return s / labels.Count;
    }

    /// <summary>The non-empty bins of the reliability curve, in ascending order.</summary>
    public static IReadOnlyList<ReliabilityBin> ReliabilityCurve(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities, int bins = DefaultBins)
    {
        CheckProbabilities(labels, probabilities);
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins));
        var count = new int[bins];
        var sumP = new double[bins];
        var sumY = new double[bins];
        var width = 1.0 / bins;
        for (var i = 0; i < labels.Count; i++)
        {
            var p = probabilities[i];
            var b = 0;
            while (b < bins - 1 && (b + 1) * width < p) b++;
            count[b]++;
            sumP[b] += p;
            sumY[b] += labels[i];
        }
        var curve = new List<ReliabilityBin>();
        for (var b = 0; b < bins; b++)
            if (count[b] > 0) curve.Add(new ReliabilityBin(b * width, b == bins - 1 ? 1 : (b + 1) * width, count[b], sumP[b] / count[b], sumY[b] / count[b]));
        return curve;
    }

    /// <summary>
    /// Expected calibration error (Naeini, Cooper &amp; Hauskrecht, "Obtaining well calibrated probabilities using
    /// Bayesian binning", AAAI 2015): Σ_b (n_b/N)·|observed fraction_b − mean predicted_b| over the equal-width bins.
    /// </summary>
    public static double ExpectedCalibrationError(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities, int bins = DefaultBins) =>
        ReliabilityCurve(labels, probabilities, bins).Sum(b => (double)b.Count / labels.Count * Math.Abs(b.ObservedFraction - b.MeanPredicted));

    /// <summary>Maximum calibration error: the largest |observed − predicted| over the non-empty bins (Naeini et al. 2015).</summary>
    public static double MaximumCalibrationError(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities, int bins = DefaultBins) =>
        ReliabilityCurve(labels, probabilities, bins).Max(b => Math.Abs(b.ObservedFraction - b.MeanPredicted));

    static void CheckProbabilities(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities)
    {
        BinarySample.Check(labels, probabilities);
        if (labels.Count == 0) throw new ArgumentException("no cases");
        for (var i = 0; i < probabilities.Count; i++)
            if (!(probabilities[i] >= 0 && probabilities[i] <= 1)) throw new ArgumentException($"probability of case {i} is {probabilities[i]}, outside [0, 1]");
    }
}
