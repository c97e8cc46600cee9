namespace Mira.Metrics.Classification;

/// <summary>
/// Average precision of scores for binary labels: AP = Σₖ (Rₖ − Rₖ₋₁)·Pₖ over the distinct score thresholds in
/// descending order (R₀ = 0), Pₖ and Rₖ the precision and recall of "score ≥ threshold k" — the step-wise
/// (non-interpolated) area under the precision–recall curve, as <c>sklearn.metrics.average_precision_score</c>
/// defines it. NaN when there is no positive.
/// </summary>
public static class AveragePrecision
{
    public static double Compute(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        BinarySample.Check(labels, scores);
        var positives = labels.Count(l => l == 1);
        return FromRanked(labels.Select(l => l == 1).ToArray(), scores.ToArray(), positives);
    }

    /// <summary>
    /// AP of ranked items (hit or not, with a score) when <paramref name="totalPositives"/> may exceed the hits
    /// (positives never retrieved, as in detection); recall is hits / totalPositives.
    /// </summary>
    public static double FromRanked(bool[] hits, double[] scores, int totalPositives)
    {
        if (hits.Length != scores.Length) throw new ArgumentException($"{hits.Length} hit flags but {scores.Length} scores");
        if (totalPositives <= 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Length).ToArray();
        var keys = scores.Select(s => -s).ToArray();
        Array.Sort(keys, order);
        long tp = 0, fp = 0;
        var prevRecall = 0.0;
        var ap = 0.0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j < order.Length && keys[j] == keys[i])
            {
                if (hits[order[j]]) tp++;
                else fp++;
                j++;
            }
            var recall = (double)tp / totalPositives;
            var precision = (double)tp / (tp + fp);
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j;
        }
        return ap;
    }
}
