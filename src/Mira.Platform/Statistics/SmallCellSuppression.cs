namespace Mira.Platform.Statistics;

/// <summary>How a reported count is shown.</summary>
public enum SuppressionMark
{
    /// <summary>Shown as it is.</summary>
    None,
    /// <summary>A count of 1 to <see cref="SmallCellSuppression.Threshold"/> − 1: shown as <c>&lt;5</c> (primary suppression).</summary>
    Small,
    /// <summary>A larger count withheld so that a small one cannot be recomputed by subtraction (complementary suppression).</summary>
    Complementary,
}

/// <summary>
/// The items of a table with its totals, as suppressed: one mark per cell, per one-way marginal (dimension, value)
/// and for the grand total. For a one-dimensional table the cells are the marginals, and <see cref="Marginals"/> is empty.
/// </summary>
public sealed record SuppressedTable(
    IReadOnlyList<SuppressionMark> Cells,
    IReadOnlyList<IReadOnlyDictionary<string, SuppressionMark>> Marginals,
    SuppressionMark GrandTotal);

/// <summary>
/// Small-cell suppression of a count table with <i>k</i> dimensions whose reported totals are the grand total and,
/// when <i>k</i> ≥ 2, every one-way marginal (the total for one value of one dimension). Combinations absent from the
/// table are zeros, known to every reader.
/// <para>
/// The reported totals give linear relations, each "a total = the sum of its parts": for every dimension <i>d</i>
/// and value <i>v</i>, M(d,v) = Σ cells with value <i>v</i> in <i>d</i>; for every <i>d</i>, the grand total =
/// Σᵥ M(d,v) (for <i>k</i> = 1: the grand total = Σ cells). An item (cell or total) withheld alone in a relation is
/// recomputed by one subtraction (or one sum). So:
/// </para>
/// <list type="number">
/// <item>Primary: every item (cell, marginal, grand total) whose count is 1 to 4 is withheld (<see cref="SuppressionMark.Small"/>).</item>
/// <item>Complementary: while some relation has exactly one withheld item, withhold one more of its items: the
/// smallest non-zero part still shown (ties: the first in table order), or, when no such part is left, the
/// relation's total. Zeros are never chosen: a withheld zero would be known to be one anyway (zeros are public).</item>
/// </list>
/// Each round withholds one more item, so it ends; at the end no relation has exactly one withheld item, so no
/// withheld count follows from the reported ones by a single subtraction along any dimension (nor by a chain of
/// them: a chain has to start with such a relation). Sums of several relations (differences of differences in a
/// table of three or more dimensions) are not guarded against; that is the limit of this method.
/// </summary>
public static class SmallCellSuppression
{
    /// <summary>Counts below this (and above zero) are withheld.</summary>
    public const int Threshold = 5;

    public static bool IsSmall(long count) => count is > 0 and < Threshold;

    /// <param name="keys">Each cell's value in every dimension (all of the same length <i>k</i> ≥ 1).</param>
    /// <param name="counts">Each cell's count (≥ 0).</param>
    public static SuppressedTable Apply(IReadOnlyList<IReadOnlyList<string>> keys, IReadOnlyList<long> counts)
    {
        if (keys.Count != counts.Count) throw new ArgumentException("one count per cell is required", nameof(counts));
        var k = keys.Count == 0 ? 1 : keys[0].Count;
        if (k < 1 || keys.Any(key => key.Count != k)) throw new ArgumentException("every cell needs a value in each of the same dimensions", nameof(keys));
        if (counts.Any(c => c < 0)) throw new ArgumentException("counts cannot be negative", nameof(counts));

        // Items: cells, then (k ≥ 2) one-way marginals, then the grand total.
        var values = new List<long>(counts);
        var marginalItem = new List<Dictionary<string, int>>();
        if (k >= 2)
            for (var d = 0; d < k; d++)
            {
                var items = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var value in keys.Select(key => key[d]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    items[value] = values.Count;
                    values.Add(Enumerable.Range(0, keys.Count).Where(i => keys[i][d] == value).Sum(i => counts[i]));
                }
                marginalItem.Add(items);
            }
        var grand = values.Count;
        values.Add(counts.Sum());

        var relations = Relations(keys, k, marginalItem, grand);
        var marks = values.Select(v => IsSmall(v) ? SuppressionMark.Small : SuppressionMark.None).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var (total, parts) in relations)
            {
                var withheld = (marks[total] != SuppressionMark.None ? 1 : 0) + parts.Count(p => marks[p] != SuppressionMark.None);
                if (withheld != 1) continue;
                var next = parts.Where(p => marks[p] == SuppressionMark.None && values[p] > 0)
                    .OrderBy(p => values[p]).ThenBy(p => p).Select(p => (int?)p).FirstOrDefault() ?? total;
                if (marks[next] != SuppressionMark.None || values[next] == 0)
                    throw new InvalidOperationException("no item left to withhold in a relation with one withheld item"); // cannot happen: its sum is non-zero
                marks[next] = SuppressionMark.Complementary;
                changed = true;
            }
        }
        return new SuppressedTable(
            marks[..keys.Count],
            [.. marginalItem.Select(m => (IReadOnlyDictionary<string, SuppressionMark>)m.ToDictionary(p => p.Key, p => marks[p.Value], StringComparer.Ordinal))],
            marks[grand]);
    }

    static List<(int Total, List<int> Parts)> Relations(IReadOnlyList<IReadOnlyList<string>> keys, int k, List<Dictionary<string, int>> marginalItem, int grand)
    {
        var relations = new List<(int, List<int>)>();
        if (k == 1)
        {
            relations.Add((grand, [.. Enumerable.Range(0, keys.Count)]));
            return relations;
        }
        for (var d = 0; d < k; d++)
        {
            foreach (var (value, item) in marginalItem[d])
                relations.Add((item, [.. Enumerable.Range(0, keys.Count).Where(i => keys[i][d] == value)]));
            relations.Add((grand, [.. marginalItem[d].Values]));
        }
        return relations;
    }
}
