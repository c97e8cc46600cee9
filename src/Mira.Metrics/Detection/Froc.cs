namespace Mira.Metrics.Detection;

/// <summary>A candidate detection: its score and the lesion it hits (index within its image), or null for a false positive.</summary>
/// <param name="Ignored">hits a region that counts neither way (CAMELYON16's isolated tumour cells): never a false positive, never a hit.</param>
public readonly record struct Candidate(double Score, int? Lesion, bool Ignored = false);

/// <summary>One image (slide, scan) of a FROC evaluation: its number of reference lesions and its candidates.</summary>
public sealed record FrocImage(int Lesions, IReadOnlyList<Candidate> Candidates);

/// <summary>A point of the FROC curve: the decision "score ≥ threshold".</summary>
public readonly record struct FrocPoint(double Threshold, double FalsePositivesPerImage, double Sensitivity);

/// <summary>The FROC curve and CAMELYON16's score.</summary>
/// <param name="Curve">(0, 0) (threshold +∞), then one point per distinct score, descending.</param>
/// <param name="Sensitivities">sensitivity at each of <see cref="Froc.Camelyon16FalsePositiveRates"/> (or the rates asked for).</param>
/// <param name="AverageSensitivity">their mean — the CAMELYON16 FROC score.</param>
public sealed record FrocResult(IReadOnlyList<FrocPoint> Curve, IReadOnlyList<double> FalsePositiveRates, IReadOnlyList<double> Sensitivities,
    double AverageSensitivity, int Lesions, int Images);

/// <summary>
/// Free-response ROC (Chakraborty, Med Phys 16:561–568, 1989) and the CAMELYON16 score (Ehteshami Bejnordi et al.,
/// JAMA 318:2199–2210, 2017; the challenge's Evaluation_FROC.py): the mean sensitivity at 1/4, 1/2, 1, 2, 4 and 8
/// false positives per image.
/// </summary>
/// <remarks>
/// At threshold t a lesion is detected when any candidate hitting it scores ≥ t (several hits on one lesion count
/// once); every candidate scoring ≥ t that hits no lesion is a false positive. Sensitivity = detected / all lesions;
/// FP per image = false positives / images (images without lesions count). The curve runs through (0, 0) and the
/// points of every distinct score in descending order; the sensitivity at a rate f is the linear interpolation along
/// that sequence as <c>np.interp(f, fps, sens)</c> evaluates it in the CAMELYON16 script (the last point with FP rate
/// ≤ f, interpolated towards the next point; beyond the last point, its sensitivity). Unlike that script, every
/// distinct score is a threshold (the script skips the lowest one).
/// </remarks>
public static class Froc
{
    public static IReadOnlyList<double> Camelyon16FalsePositiveRates { get; } = [0.25, 0.5, 1, 2, 4, 8];

    public static FrocResult Compute(IReadOnlyList<FrocImage> images, IReadOnlyList<double>? falsePositiveRates = null)
    {
        falsePositiveRates ??= Camelyon16FalsePositiveRates;
        if (images.Count == 0) throw new ArgumentException("FROC needs at least one image");
        var totalLesions = 0;
        // Per lesion its best score; per false-positive candidate its score.
        var lesionBest = new List<double>();
        var fpScores = new List<double>();
        foreach (var img in images)
        {
            if (img.Lesions < 0) throw new ArgumentException("negative lesion count");
            var best = Enumerable.Repeat(double.NegativeInfinity, img.Lesions).ToArray();
            foreach (var c in img.Candidates)
            {
                if (double.IsNaN(c.Score)) throw new ArgumentException("NaN score");
                if (c.Ignored) continue;
                if (c.Lesion is { } l)
                {
                    if (l < 0 || l >= img.Lesions) throw new ArgumentException($"candidate hits lesion {l} of an image with {img.Lesions}");
                    best[l] = Math.Max(best[l], c.Score);
                }
                else fpScores.Add(c.Score);
            }
            totalLesions += img.Lesions;
            lesionBest.AddRange(best);
        }
        if (totalLesions == 0) throw new ArgumentException("FROC needs at least one lesion");
        var thresholds = lesionBest.Where(double.IsFinite).Concat(fpScores).Distinct().OrderByDescending(s => s).ToArray();
        var hits = lesionBest.OrderByDescending(s => s).ToArray();
        var fps = fpScores.OrderByDescending(s => s).ToArray();
        var curve = new List<FrocPoint> { new(double.PositiveInfinity, 0, 0) };
        int h = 0, f = 0;
        foreach (var t in thresholds)
        {
            while (h < hits.Length && hits[h] >= t) h++;
            while (f < fps.Length && fps[f] >= t) f++;
            curve.Add(new FrocPoint(t, (double)f / images.Count, (double)h / totalLesions));
        }
        var sens = falsePositiveRates.Select(rate => Interpolate(curve, rate)).ToArray();
        return new FrocResult(curve, falsePositiveRates, sens, sens.Average(), totalLesions, images.Count);
    }

    static double Interpolate(List<FrocPoint> curve, double rate)
    {
        var j = -1;
        for (var i = 0; i < curve.Count; i++)
            if (curve[i].FalsePositivesPerImage <= rate) j = i;
        if (j < 0) return curve[0].Sensitivity;
        if (j == curve.Count - 1) return curve[j].Sensitivity;
        var (a, b) = (curve[j], curve[j + 1]);
        return a.Sensitivity + (rate - a.FalsePositivesPerImage) * (b.Sensitivity - a.Sensitivity) / (b.FalsePositivesPerImage - a.FalsePositivesPerImage);
    }
}
