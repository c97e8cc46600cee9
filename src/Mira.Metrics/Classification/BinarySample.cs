namespace Mira.Metrics.Classification;

/// <summary>Checks shared by the binary classification metrics.</summary>
static class BinarySample
{
    /// <summary>Throws unless labels and scores have equal length, labels are 0/1 and scores are not NaN.</summary>
    public static void Check(IReadOnlyList<int> labels, IReadOnlyList<double> scores)
    {
        if (labels.Count != scores.Count) throw new ArgumentException($"{labels.Count} labels but {scores.Count} scores");
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] is not (0 or 1)) throw new ArgumentException($"binary labels must be 0 or 1, got {labels[i]} (case {i})");
            if (double.IsNaN(scores[i])) throw new ArgumentException($"score of case {i} is NaN");
        }
    }

    /// <summary>Mid-ranks (1-based; tied values share the mean of their ranks) of <paramref name="values"/>.</summary>
    public static double[] MidRanks(IReadOnlyList<double> values)
    {
        var n = values.Count;
        var order = Enumerable.Range(0, n).ToArray();
        var keys = values.ToArray();
        Array.Sort(keys, order);
        var ranks = new double[n];
        var i = 0;
        while (i < n)
        {
            var j = i;
            while (j + 1 < n && keys[j + 1] == keys[i]) j++;
            var mid = (i + j) / 2.0 + 1; // mean of ranks i+1 … j+1
            for (var t = i; t <= j; t++) ranks[order[t]] = mid;
            i = j + 1;
        }
        return ranks;
    }
}
