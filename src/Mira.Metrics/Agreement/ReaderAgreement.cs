using Mira.Metrics.Classification;

namespace Mira.Metrics.Agreement;

/// <summary>Pairwise agreement between readers: symmetric matrices with 1 on the diagonal.</summary>
public static class ReaderAgreement
{
    /// <summary>
    /// Dice between every pair of readers' masks (<see cref="SegmentationMetrics"/>'s Dice, overlap only, so no
    /// distance transform); two empty masks agree (1).
    /// </summary>
    public static double[,] DiceMatrix(IReadOnlyList<BinaryMask> masks)
    {
        var r = masks.Count;
        var m = new double[r, r];
        for (var a = 0; a < r; a++)
        {
            m[a, a] = 1;
            for (var b = a + 1; b < r; b++)
            {
                if (masks[a].Length != masks[b].Length) throw new ArgumentException($"readers {a} and {b} have masks of different sizes");
                long na = 0, nb = 0, ni = 0;
                var va = masks[a].Voxels;
                var vb = masks[b].Voxels;
                for (var i = 0; i < va.Length; i++)
                {
                    if (va[i]) na++;
                    if (vb[i]) nb++;
                    if (va[i] && vb[i]) ni++;
                }
                m[a, b] = m[b, a] = na + nb == 0 ? 1 : 2.0 * ni / (na + nb);
            }
        }
        return m;
    }

    /// <summary>
    /// Cohen's kappa (optionally weighted; <see cref="Kappa.Cohen(IReadOnlyList{int}, IReadOnlyList{int}, KappaWeights, IReadOnlyList{int}?)"/>)
    /// between every pair of readers' ratings of the same cases; <paramref name="classes"/> defaults to all values
    /// any reader used, so every pair weighs disagreements alike.
    /// </summary>
    public static double[,] KappaMatrix(IReadOnlyList<IReadOnlyList<int>> ratings, KappaWeights weights = KappaWeights.None, IReadOnlyList<int>? classes = null)
    {
        classes ??= ratings.SelectMany(x => x).Distinct().Order().ToArray();
        var r = ratings.Count;
        var m = new double[r, r];
        for (var a = 0; a < r; a++)
        {
            m[a, a] = 1;
            for (var b = a + 1; b < r; b++) m[a, b] = m[b, a] = Kappa.Cohen(ratings[a], ratings[b], weights, classes);
        }
        return m;
    }
}
