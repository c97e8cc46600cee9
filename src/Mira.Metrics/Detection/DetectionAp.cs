using Mira.Metrics.Classification;

namespace Mira.Metrics.Detection;

/// <summary>An axis-aligned box in any number of dimensions (2D: x, y; 3D: x, y, z), min and max corners in continuous coordinates.</summary>
public sealed record Box(double[] Min, double[] Max)
{
    public double Volume
    {
        get
        {
            var v = 1.0;
            for (var a = 0; a < Min.Length; a++) v *= Math.Max(0, Max[a] - Min[a]);
            return v;
        }
    }

    /// <summary>Intersection over union; 0 when the union is empty.</summary>
    public double IoU(Box other)
    {
        if (other.Min.Length != Min.Length) throw new ArgumentException("boxes of different dimensions");
        var inter = 1.0;
        for (var a = 0; a < Min.Length; a++) inter *= Math.Max(0, Math.Min(Max[a], other.Max[a]) - Math.Max(Min[a], other.Min[a]));
        var union = Volume + other.Volume - inter;
        return union > 0 ? inter / union : 0;
    }
}

/// <summary>A predicted box with its confidence.</summary>
public sealed record ScoredBox(Box Box, double Score);

/// <summary>One image: its reference boxes and its predicted boxes.</summary>
public sealed record DetectionImage(IReadOnlyList<Box> Reference, IReadOnlyList<ScoredBox> Predictions);

/// <summary>AP at one IoU threshold, with the counts behind it.</summary>
public sealed record ApAtIou(double IouThreshold, double AveragePrecision, int TruePositives, int FalsePositives, int References);

/// <summary>
/// Average precision of a detector at IoU thresholds. Matching per image is COCO's greedy rule (Lin et al.,
/// "Microsoft COCO", ECCV 2014; cocoeval): predictions in descending score order (ties in input order) each take the
/// still unmatched reference box of highest IoU, if that IoU is ≥ the threshold; otherwise they are false positives.
/// AP is then the step-wise area of the precision–recall curve over the ranked predictions of all images with recall
/// = true positives / all reference boxes (<see cref="AveragePrecision.FromRanked"/>, scikit-learn's formula; no
/// 101-point interpolation), so missed references cap the recall.
/// </summary>
public static class DetectionAp
{
    /// <summary>The COCO thresholds 0.50, 0.55, …, 0.95.</summary>
    public static IReadOnlyList<double> CocoThresholds { get; } = Enumerable.Range(0, 10).Select(i => 0.5 + 0.05 * i).ToArray();

    public static ApAtIou Compute(IReadOnlyList<DetectionImage> images, double iouThreshold)
    {
        var hits = new List<bool>();
        var scores = new List<double>();
        var references = 0;
        foreach (var img in images)
        {
            references += img.Reference.Count;
            var taken = new bool[img.Reference.Count];
            var order = Enumerable.Range(0, img.Predictions.Count).OrderByDescending(i => img.Predictions[i].Score).ToArray();
            foreach (var p in order)
            {
                var pred = img.Predictions[p];
                var best = -1;
                var bestIou = iouThreshold;
                for (var g = 0; g < img.Reference.Count; g++)
                {
                    if (taken[g]) continue;
                    var iou = pred.Box.IoU(img.Reference[g]);
                    if (iou >= bestIou && (best < 0 || iou > bestIou))
                    {
                        best = g;
                        bestIou = iou;
                    }
                }
                if (best >= 0) taken[best] = true;
                hits.Add(best >= 0);
                scores.Add(pred.Score);
            }
        }
        var tp = hits.Count(h => h);
        return new ApAtIou(iouThreshold, AveragePrecision.FromRanked([.. hits], [.. scores], references), tp, hits.Count - tp, references);
    }

    /// <summary>AP at each threshold and their mean (COCO's AP@[.50:.95] with <see cref="CocoThresholds"/>).</summary>
    public static (IReadOnlyList<ApAtIou> PerThreshold, double Mean) Compute(IReadOnlyList<DetectionImage> images, IReadOnlyList<double> iouThresholds)
    {
        var per = iouThresholds.Select(t => Compute(images, t)).ToArray();
        return (per, per.Average(a => a.AveragePrecision));
    }
}
