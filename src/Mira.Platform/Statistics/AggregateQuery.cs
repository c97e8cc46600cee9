namespace Mira.Platform.Statistics;

/// <summary>A request the aggregate query refuses; <see cref="Parameter"/> names the query parameter at fault.</summary>
public sealed class AggregateQueryException(string parameter, string message) : Exception(message)
{
    public string Parameter { get; } = parameter;
}

/// <summary>
/// The dimensions an aggregate query may group de-identified studies by. Each study falls in exactly one cell, so
/// cells add up to the totals (which complementary suppression relies on): <c>modality</c> is the study's modalities
/// (those of its series, ordered, joined by <c>+</c>: <c>CT+PT</c>), <c>site</c> its Institution Names likewise,
/// <c>sex</c> and <c>ageBand</c> (<see cref="StatisticsValues.AgeBand"/>) its patient's, <c>month</c> its Study Date's
/// (in a project, dates are as its recipe left them: shifted or removed), <c>project</c> the project holding the copy.
/// </summary>
public static class AggregateDimensions
{
    public const string Modality = "modality", Sex = "sex", AgeBand = "ageBand", Site = "site", Month = "month", Project = "project";

    public static IReadOnlyList<string> All { get; } = [Modality, Sex, AgeBand, Site, Month, Project];

    /// <summary>
    /// The dimensions of a <c>by</c> parameter (comma separated, names as in <see cref="All"/>, any case), in the
    /// order given. An empty list, an unknown name or a name given twice is refused, naming it.
    /// </summary>
    public static IReadOnlyList<string> Parse(string? by)
    {
        var names = (by ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
            throw new AggregateQueryException("by", $"at least one dimension is required (one or more of: {string.Join(", ", All)})");
        var parsed = new List<string>();
        foreach (var name in names)
        {
            var known = All.FirstOrDefault(d => string.Equals(d, name, StringComparison.OrdinalIgnoreCase))
                        ?? throw new AggregateQueryException("by", $"unknown dimension '{Shorten(name)}' (known: {string.Join(", ", All)})");
            if (parsed.Contains(known)) throw new AggregateQueryException("by", $"dimension '{known}' is named twice");
            parsed.Add(known);
        }
        return parsed;
    }

    internal static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "…";
}

/// <summary>One cell: its value in each dimension (in the query's order), its count of studies, and how it is shown.</summary>
public sealed record AggregateCell(IReadOnlyList<string> Key, long Studies, SuppressionMark Mark)
{
    /// <summary>What may be reported: the count, <c>&lt;5</c>, or <c>suppressed</c>.</summary>
    public object Reported => Report(Studies, Mark);

    public static object Report(long count, SuppressionMark mark) => mark switch
    {
        SuppressionMark.None => count,
        SuppressionMark.Small => "<" + SmallCellSuppression.Threshold,
        _ => "suppressed",
    };
}

/// <summary>The total for one value of one dimension.</summary>
public sealed record AggregateMarginal(string Dimension, string Value, long Studies, SuppressionMark Mark)
{
    public object Reported => AggregateCell.Report(Studies, Mark);
}

/// <summary>A project left out of an aggregate query, and why.</summary>
public sealed record ExcludedProject(string Id, string Reason);

/// <summary>
/// The answer to an aggregate query over de-identified project copies: cells with studies (absent combinations have
/// none), the one-way marginals, the grand total, each with its suppression mark. The true counts of withheld items
/// stay in the object for the caller's audit; only <c>Reported</c> values may leave the server.
/// </summary>
public sealed record AggregateResult(
    IReadOnlyList<string> By,
    IReadOnlyList<string> Projects,
    IReadOnlyList<ExcludedProject> Excluded,
    IReadOnlyList<AggregateCell> Cells,
    IReadOnlyList<AggregateMarginal> Marginals,
    long Total,
    SuppressionMark TotalMark)
{
    public object ReportedTotal => AggregateCell.Report(Total, TotalMark);
    public int SmallCells => Cells.Count(c => c.Mark == SuppressionMark.Small) + Marginals.Count(m => m.Mark == SuppressionMark.Small) + (TotalMark == SuppressionMark.Small ? 1 : 0);
    public int ComplementaryCells => Cells.Count(c => c.Mark == SuppressionMark.Complementary) + Marginals.Count(m => m.Mark == SuppressionMark.Complementary)
                                     + (TotalMark == SuppressionMark.Complementary ? 1 : 0);
}
