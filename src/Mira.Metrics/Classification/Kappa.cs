namespace Mira.Metrics.Classification;

/// <summary>Disagreement weights of Cohen's kappa.</summary>
public enum KappaWeights
{
    /// <summary>Unweighted: every disagreement weighs 1.</summary>
    None,
    /// <summary>|i − j| for category positions i, j.</summary>
    Linear,
    /// <summary>(i − j)² — quadratic weighted kappa (QWK).</summary>
    Quadratic,
}

/// <summary>Chance-corrected agreement: Cohen's (weighted) kappa for two raters, Fleiss' kappa for many.</summary>
public static class Kappa
{
    /// <summary>
    /// Cohen's kappa (Cohen, Educ Psychol Meas 20:37–46, 1960; weighted: Cohen, Psychol Bull 70:213–220, 1968):
    /// κ = 1 − Σ wᵢⱼ Oᵢⱼ / Σ wᵢⱼ Eᵢⱼ with O the confusion matrix of the two raters, E = outer product of its marginals
    /// / N, and weights by category <em>position</em> in <paramref name="classes"/> (default: the sorted union of
    /// the values seen) — the definition of <c>sklearn.metrics.cohen_kappa_score</c> (with its <c>labels</c> argument
    /// for <paramref name="classes"/>). For ordinal grades pass every grade (e.g. 0…4) so that positions equal grades.
    /// NaN when the expected disagreement is 0.
    /// </summary>
    public static double Cohen(IReadOnlyList<int> raterA, IReadOnlyList<int> raterB, KappaWeights weights = KappaWeights.None, IReadOnlyList<int>? classes = null) =>
        Cohen(ConfusionMatrix.Compute(raterA, raterB, classes), weights);

    /// <summary>Cohen's kappa of a confusion matrix.</summary>
    public static double Cohen(ConfusionMatrix matrix, KappaWeights weights = KappaWeights.None)
    {
        var k = matrix.Size;
        var o = matrix.Counts;
        var rows = new double[k];
        var cols = new double[k];
        double total = 0;
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                rows[i] += o[i, j];
                cols[j] += o[i, j];
                total += o[i, j];
            }
        if (total == 0) return double.NaN;
        double observed = 0, expected = 0;
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                var w = weights switch
                {
                    KappaWeights.None => i == j ? 0 : 1,
                    KappaWeights.Linear => Math.Abs(i - j),
                    _ => (double)(i - j) * (i - j),
                };
                observed += w * o[i, j];
                expected += w * rows[i] * cols[j] / total;
            }
        return expected == 0 ? double.NaN : 1 - observed / expected;
    }

    /// <summary>
    /// Fleiss' kappa (Fleiss, "Measuring nominal scale agreement among many raters", Psychol Bull 76:378–382, 1971)
    /// from <paramref name="counts"/>[subject, category] = raters who put the subject in the category; every subject
    /// needs the same number n ≥ 2 of ratings. pⱼ = Σᵢ nᵢⱼ/(Nn), Pᵢ = (Σⱼ nᵢⱼ² − n)/(n(n − 1)),
    /// κ = (P̄ − P̄ₑ)/(1 − P̄ₑ) with P̄ = mean Pᵢ and P̄ₑ = Σ pⱼ².
    /// </summary>
    public static double Fleiss(int[,] counts)
    {
        int subjects = counts.GetLength(0), categories = counts.GetLength(1);
        if (subjects < 1 || categories < 1) throw new ArgumentException("Fleiss' kappa needs at least one subject and one category");
        var n = -1L;
        var p = new double[categories];
        var meanAgreement = 0.0;
        for (var i = 0; i < subjects; i++)
        {
            long row = 0, squares = 0;
            for (var j = 0; j < categories; j++)
            {
                if (counts[i, j] < 0) throw new ArgumentException("negative count");
                row += counts[i, j];
                squares += (long)counts[i, j] * counts[i, j];
                p[j] += counts[i, j];
            }
            if (n < 0) n = row;
            else if (row != n) throw new ArgumentException($"subject {i} has {row} ratings, others {n}: Fleiss' kappa needs equal numbers");
            meanAgreement += (squares - n) / ((double)n * (n - 1));
        }
        if (n < 2) throw new ArgumentException("Fleiss' kappa needs at least 2 ratings per subject");
        meanAgreement /= subjects;
        var chance = p.Sum(x => (x / (subjects * (double)n)) * (x / (subjects * (double)n)));
        return chance == 1 ? double.NaN : (meanAgreement - chance) / (1 - chance);
    }

    /// <summary>Fleiss' kappa from ratings[subject][rater] (integer categories; every subject rated by the same number of raters).</summary>
    public static double Fleiss(IReadOnlyList<IReadOnlyList<int>> ratings)
    {
        var cats = ratings.SelectMany(r => r).Distinct().Order().ToArray();
        var counts = new int[ratings.Count, cats.Length];
        for (var i = 0; i < ratings.Count; i++)
            foreach (var c in ratings[i]) counts[i, Array.BinarySearch(cats, c)]++;
        return Fleiss(counts);
    }
}
