namespace Mira.Metrics.Classification;

/// <summary>
/// A confusion matrix over integer classes: <see cref="Counts"/>[i, j] = cases of true class Classes[i] predicted as
/// Classes[j] (rows true, columns predicted, as <c>sklearn.metrics.confusion_matrix</c>).
/// </summary>
public sealed class ConfusionMatrix
{
    ConfusionMatrix(int[] classes, long[,] counts)
    {
        Classes = classes;
        Counts = counts;
    }

    public IReadOnlyList<int> Classes { get; }
    public long[,] Counts { get; }
    public int Size => Classes.Count;

    public long Total
    {
        get
        {
            long t = 0;
            foreach (var c in Counts) t += c;
            return t;
        }
    }

    /// <summary>Fraction of cases on the diagonal.</summary>
    public double Accuracy
    {
        get
        {
            long d = 0;
            for (var i = 0; i < Size; i++) d += Counts[i, i];
            return Total == 0 ? double.NaN : (double)d / Total;
        }
    }

    /// <summary>
    /// Builds the matrix. <paramref name="classes"/>: the categories in order (default: the sorted union of the
    /// values seen); a value outside given classes is refused.
    /// </summary>
    public static ConfusionMatrix Compute(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<int>? classes = null)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true values but {predicted.Count} predictions");
        var cls = (classes ?? truth.Concat(predicted).Distinct().Order().ToArray()).ToArray();
        if (cls.Distinct().Count() != cls.Length) throw new ArgumentException("classes repeat");
        var index = new Dictionary<int, int>();
        for (var i = 0; i < cls.Length; i++) index[cls[i]] = i;
        var counts = new long[cls.Length, cls.Length];
        for (var i = 0; i < truth.Count; i++)
        {
            if (!index.TryGetValue(truth[i], out var a) || !index.TryGetValue(predicted[i], out var b))
                throw new ArgumentException($"case {i}: class {truth[i]} or {predicted[i]} is not among the classes");
            counts[a, b]++;
        }
        return new ConfusionMatrix(cls, counts);
    }
}
