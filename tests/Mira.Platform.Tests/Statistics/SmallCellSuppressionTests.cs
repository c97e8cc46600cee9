using CsCheck;
using Mira.Platform.Statistics;

namespace Mira.Platform.Tests.Statistics;

/// <summary>
/// Small-cell suppression against an attacker who knows every reported cell and total (and that absent combinations
/// are zero) and subtracts along any dimension: the relations are rebuilt here from the table alone, not taken from
/// the implementation.
/// </summary>
public sealed class SmallCellSuppressionTests
{
    sealed record Table(string[][] Keys, long[] Counts);

    /// <summary>1 to 3 dimensions of 1 to 4 values, each combination present or not, counts mostly small.</summary>
    static readonly Gen<Table> Tables =
        from k in Gen.Int[1, 3]
        from sizes in Gen.Int[1, 4].Array[k]
        from present in Gen.Bool.Array[sizes.Aggregate(1, (a, b) => a * b)]
        from counts in Gen.OneOf(Gen.Long[1, 4], Gen.Long[5, 12], Gen.Long[1, 60]).Array[sizes.Aggregate(1, (a, b) => a * b)]
        select Build(sizes, present, counts);

    static Table Build(int[] sizes, bool[] present, long[] counts)
    {
        var keys = new List<string[]>();
        var kept = new List<long>();
        for (var i = 0; i < present.Length; i++)
        {
            if (!present[i]) continue;
            var key = new string[sizes.Length];
            for (int d = 0, rest = i; d < sizes.Length; rest /= sizes[d], d++) key[d] = $"v{rest % sizes[d]}";
            keys.Add(key);
            kept.Add(counts[i]);
        }
        return new Table([.. keys], [.. kept]);
    }

    /// <summary>Every reported item (cells, one-way marginals when k ≥ 2, grand total) with its true count and whether it is withheld.</summary>
    static (List<(long Count, bool Withheld)> Items, List<(int Total, int[] Parts)> Relations) Reported(Table t, SuppressedTable s)
    {
        var items = t.Counts.Select((c, i) => (c, s.Cells[i] != SuppressionMark.None)).ToList();
        var relations = new List<(int, int[])>();
        var k = t.Keys.Length == 0 ? 1 : t.Keys[0].Length;
        var marginalItems = new List<int>[k];
        if (k >= 2)
            for (var d = 0; d < k; d++)
            {
                marginalItems[d] = [];
                foreach (var value in t.Keys.Select(key => key[d]).Distinct())
                {
                    var parts = Enumerable.Range(0, t.Keys.Length).Where(i => t.Keys[i][d] == value).ToArray();
                    items.Add((parts.Sum(i => t.Counts[i]), s.Marginals[d][value] != SuppressionMark.None));
                    relations.Add((items.Count - 1, parts));
                    marginalItems[d].Add(items.Count - 1);
                }
            }
        items.Add((t.Counts.Sum(), s.GrandTotal != SuppressionMark.None));
        var grand = items.Count - 1;
        if (k == 1) relations.Add((grand, Enumerable.Range(0, t.Keys.Length).ToArray()));
        else for (var d = 0; d < k; d++) relations.Add((grand, [.. marginalItems[d]]));
        return (items, relations);
    }

    [Fact]
    public void No_withheld_count_follows_from_the_reported_ones_by_subtraction_along_any_dimension()
    {
        Tables.Sample(t =>
        {
            var s = SmallCellSuppression.Apply(t.Keys, t.Counts);
            var (items, relations) = Reported(t, s);
            // The attacker: any relation with exactly one unknown item gives it (by subtraction or sum); repeat until nothing new.
            var known = items.Select(i => !i.Withheld).ToArray();
            for (var progress = true; progress;)
            {
                progress = false;
                foreach (var (total, parts) in relations)
                {
                    var unknown = parts.Append(total).Where(i => !known[i]).ToList();
                    if (unknown.Count != 1) continue;
                    Assert.False(items[unknown[0]].Withheld, $"withheld item {unknown[0]} ({items[unknown[0]].Count}) is recomputed from a relation");
                    known[unknown[0]] = progress = true;
                }
            }
        }, iter: 3000);
    }

    [Fact]
    public void Every_count_from_one_to_four_is_reported_as_less_than_five_and_every_shown_count_is_true()
    {
        Tables.Sample(t =>
        {
            var s = SmallCellSuppression.Apply(t.Keys, t.Counts);
            var (items, _) = Reported(t, s);
            foreach (var (count, withheld) in items)
                if (count is >= 1 and <= 4) Assert.True(withheld, $"a count of {count} is shown");
            for (var i = 0; i < t.Counts.Length; i++)
            {
                if (s.Cells[i] == SuppressionMark.Small) Assert.InRange(t.Counts[i], 1, 4);
                if (s.Cells[i] == SuppressionMark.Complementary) Assert.True(t.Counts[i] >= 5, "a complementary cell is a count of 5 or more");
                Assert.Equal(s.Cells[i] switch { SuppressionMark.None => t.Counts[i], SuppressionMark.Small => "<5", _ => "suppressed" },
                    AggregateCell.Report(t.Counts[i], s.Cells[i]));
            }
        }, iter: 1000);
    }

    [Fact]
    public void A_table_without_small_counts_is_shown_whole()
    {
        var s = SmallCellSuppression.Apply([["CT", "F"], ["CT", "M"], ["MR", "F"], ["MR", "M"]], [10, 7, 5, 30]);
        Assert.All(s.Cells, m => Assert.Equal(SuppressionMark.None, m));
        Assert.All(s.Marginals.SelectMany(m => m.Values), m => Assert.Equal(SuppressionMark.None, m));
        Assert.Equal(SuppressionMark.None, s.GrandTotal);
    }

    [Fact]
    public void A_small_cell_in_a_two_by_two_table_takes_the_smallest_cells_of_its_row_and_column_with_it()
    {
        // CT/F = 3 is small. Its row (CT) and column (F) each need a second withheld cell: CT/M (7) and MR/F (6);
        // then MR/M must go too, or MR's row would give MR/F away. The marginals (10, 36; 9, 37) stay.
        var s = SmallCellSuppression.Apply([["CT", "F"], ["CT", "M"], ["MR", "F"], ["MR", "M"]], [3, 7, 6, 30]);
        Assert.Equal([SuppressionMark.Small, SuppressionMark.Complementary, SuppressionMark.Complementary, SuppressionMark.Complementary], s.Cells);
        Assert.All(s.Marginals.SelectMany(m => m.Values), m => Assert.Equal(SuppressionMark.None, m));
    }

    [Fact]
    public void In_one_dimension_a_lone_small_cell_takes_the_next_smallest_with_it_and_zeros_are_never_chosen()
    {
        var s = SmallCellSuppression.Apply([["CT"], ["MR"], ["PT"], ["US"]], [2, 9, 40, 0]);
        Assert.Equal([SuppressionMark.Small, SuppressionMark.Complementary, SuppressionMark.None, SuppressionMark.None], s.Cells);
        Assert.Equal(SuppressionMark.None, s.GrandTotal);
    }

    [Fact]
    public void A_small_total_is_withheld_with_all_its_parts()
    {
        var s = SmallCellSuppression.Apply([["CT"], ["MR"]], [1, 2]);
        Assert.Equal(SuppressionMark.Small, s.GrandTotal);
        Assert.All(s.Cells, m => Assert.Equal(SuppressionMark.Small, m));
    }
}
