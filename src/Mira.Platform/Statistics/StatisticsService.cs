using System.Text.Json;
using Mira.Deid;
using Mira.Platform.Audit;
using Mira.Platform.Research;
using Mira.Platform.Security;
using Mira.Storage.Index;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Statistics;

/// <summary>Who may see which statistics.</summary>
public static class StatisticsAccess
{
    /// <summary>The intake zone's statistics (aggregates of identified data): stewards and admins.</summary>
    public static IReadOnlyList<string> IntakeRoles { get; } = [Roles.Steward, Roles.Admin];

    /// <summary>Aggregate queries over de-identified project copies: auditors (the supervision view) and admins.</summary>
    public static IReadOnlyList<string> AggregateRoles { get; } = [Roles.Auditor, Roles.Admin];
}

/// <summary>
/// Statistics and supervision (<c>docs/statistics.md</c>): counts of the intake archive read from its index
/// (<see cref="IIndexStore.EnumerateSeriesFactsAsync"/>), what each research project's copy holds, and aggregate
/// queries with small-cell suppression that read only de-identified project copies. Every aggregate query is audited.
/// </summary>
public sealed class StatisticsService(IIndexStore intake, ProjectService projects, AuditLog audit)
{
    public async Task<IntakeStatistics> IntakeAsync(CancellationToken ct = default)
    {
        var facts = await ToListAsync(intake.EnumerateSeriesFactsAsync(ct), ct);
        var all = new Tally();
        foreach (var f in facts) all.Add(f);
        var progress = new List<ProjectProgress>();
        foreach (var p in await projects.Store.ListAsync(null, ct))
        {
            var archive = await projects.Archives.GetAsync(p.Id);
            var copied = new Tally();
            await foreach (var f in archive.Index.EnumerateSeriesFactsAsync(ct)) copied.Add(f);
            var t = copied.ToBreakdown(p.Id);
            // Annotation tasks do not exist yet: every project has none, so none are completed.
            progress.Add(new ProjectProgress(p.Id, p.Name, p.Domain, t.Patients, t.Studies, t.Series, t.Instances, 0, 0));
        }
        var domains = progress.GroupBy(p => p.Domain ?? "none", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DomainBreakdown(g.Key, g.Count(), g.Sum(p => p.Studies), g.Sum(p => p.Series), g.Sum(p => p.Instances)))
            .ToList();
        return new IntakeStatistics(DateTimeOffset.UtcNow, all.ToBreakdown("all"),
            Tally.By(facts, f => StatisticsValues.Modality(f.Modality)),
            Tally.By(facts, f => StatisticsValues.Site(f.InstitutionName)),
            Tally.By(facts, f => StatisticsValues.IntakeRoute(f.Source)),
            Tally.By(facts, f => StatisticsValues.Month(f.StudyDate)),
            domains, progress);
    }

    /// <summary>
    /// Counts de-identified studies by <paramref name="by"/> (<see cref="AggregateDimensions"/>) over the named
    /// projects, or over every de-identified project when <paramref name="projectIds"/> is null, and suppresses small
    /// cells (<see cref="SmallCellSuppression"/>). A project whose recipe keeps direct identifiers is never read: named,
    /// it is refused; otherwise it is listed as excluded. Audited (<see cref="AuditActions.StatisticsQuery"/>) with the
    /// actor, dimensions and projects; a refused query is audited as a failure.
    /// </summary>
    /// <exception cref="AggregateQueryException">An unknown project, or one that is not de-identified.</exception>
    public async Task<AggregateResult> AggregateAsync(IReadOnlyList<string> by, IReadOnlyList<string>? projectIds, string actor, string? client,
        CancellationToken ct = default)
    {
        try
        {
            var result = await QueryAsync(by, projectIds, ct);
            await AuditAsync(actor, client, by, projectIds ?? result.Projects, AuditOutcome.Success, new Dictionary<string, object>
            {
                ["by"] = by, ["projects"] = result.Projects, ["excluded"] = result.Excluded.Select(e => e.Id).ToArray(),
                ["cells"] = result.Cells.Count, ["small"] = result.SmallCells, ["complementary"] = result.ComplementaryCells,
            });
            return result;
        }
        catch (AggregateQueryException e)
        {
            await AuditAsync(actor, client, by, projectIds ?? [], AuditOutcome.Failure, new Dictionary<string, object>
            {
                ["by"] = by, ["projects"] = projectIds ?? [], ["refused"] = e.Message,
            });
            throw;
        }
    }

    Task AuditAsync(string actor, string? client, IReadOnlyList<string> by, IReadOnlyList<string> projectIds, AuditOutcome outcome, Dictionary<string, object> details) =>
        audit.AppendAsync(new AuditEntry(actor, AuditActions.StatisticsQuery, $"by={string.Join(',', by)} projects={string.Join(',', projectIds)}",
            client, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    async Task<AggregateResult> QueryAsync(IReadOnlyList<string> by, IReadOnlyList<string>? projectIds, CancellationToken ct)
    {
        var all = await projects.Store.ListAsync(null, ct);
        var chosen = new List<Project>();
        var excluded = new List<ExcludedProject>();
        if (projectIds is not null)
        {
            foreach (var id in projectIds.Distinct(StringComparer.Ordinal))
            {
                var p = all.FirstOrDefault(x => x.Id == id) ?? throw new AggregateQueryException("projects", $"no project '{AggregateDimensions.Shorten(id)}'");
                if (IdentifiedReason(p) is { } reason) throw new AggregateQueryException("projects", $"project '{id}' is not de-identified: {reason}");
                chosen.Add(p);
            }
        }
        else
            foreach (var p in all)
                if (IdentifiedReason(p) is { } reason) excluded.Add(new ExcludedProject(p.Id, reason));
                else chosen.Add(p);

        var counts = new Dictionary<string[], long>(KeyComparer.Instance);
        foreach (var p in chosen)
        {
            var archive = await projects.Archives.GetAsync(p.Id);
            var studies = new Dictionary<string, List<SeriesFacts>>(StringComparer.Ordinal);
            await foreach (var f in archive.Index.EnumerateSeriesFactsAsync(ct))
            {
                if (!studies.TryGetValue(f.StudyInstanceUid, out var list)) studies[f.StudyInstanceUid] = list = [];
                list.Add(f);
            }
            foreach (var series in studies.Values)
            {
                var key = by.Select(d => ValueOf(d, p.Id, series)).ToArray();
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        var ordered = counts.OrderBy(c => c.Key, KeyComparer.Instance).ToList();
        var table = SmallCellSuppression.Apply([.. ordered.Select(c => (IReadOnlyList<string>)c.Key)], [.. ordered.Select(c => c.Value)]);
        var cells = ordered.Select((c, i) => new AggregateCell(c.Key, c.Value, table.Cells[i])).ToList();
        var marginals = new List<AggregateMarginal>();
        for (var d = 0; d < table.Marginals.Count; d++)
            foreach (var (value, mark) in table.Marginals[d].OrderBy(m => m.Key, StringComparer.Ordinal))
                marginals.Add(new AggregateMarginal(by[d], value, cells.Where(c => c.Key[d] == value).Sum(c => c.Studies), mark));
        return new AggregateResult(by, [.. chosen.Select(p => p.Id)], excluded, cells, marginals, cells.Sum(c => c.Studies), table.GrandTotal);
    }

    /// <summary>Why a project's copies are not de-identified data (its recipe keeps direct identifiers), or null.</summary>
    public static string? IdentifiedReason(Project p)
    {
        try
        {
            var kept = DirectIdentifiers.KeptBy(DeidRecipe.FromJson(p.RecipeJson));
            return kept.Count == 0 ? null : $"its recipe keeps direct identifiers ({string.Join(", ", kept)})";
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return "its recipe cannot be read, so what it keeps is unknown";
        }
    }

    /// <summary>A study's value in one dimension (the study's series are <paramref name="series"/>, all of one patient).</summary>
    static string ValueOf(string dimension, string project, List<SeriesFacts> series)
    {
        var first = series[0];
        return dimension switch
        {
            AggregateDimensions.Modality => Joined(series.Select(s => StatisticsValues.Modality(s.Modality))),
            AggregateDimensions.Site => Joined(series.Select(s => StatisticsValues.Site(s.InstitutionName))),
            AggregateDimensions.Sex => StatisticsValues.Sex(first.PatientSex),
            AggregateDimensions.AgeBand => StatisticsValues.AgeBand(series.Select(s => s.PatientAge).FirstOrDefault(a => a is not null), first.PatientBirthDate, first.StudyDate),
            AggregateDimensions.Month => StatisticsValues.Month(first.StudyDate),
            AggregateDimensions.Project => project,
            _ => throw new AggregateQueryException("by", $"unknown dimension '{dimension}'"),
        };
    }

    /// <summary>Distinct values, ordered, joined by <c>+</c>; <c>unknown</c> only when nothing else is known.</summary>
    static string Joined(IEnumerable<string> values)
    {
        var known = values.Where(v => v != StatisticsValues.Unknown).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return known.Count == 0 ? StatisticsValues.Unknown : string.Join('+', known);
    }

    static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, CancellationToken ct)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(ct)) list.Add(item);
        return list;
    }

    sealed class KeyComparer : IEqualityComparer<string[]>, IComparer<string[]>
    {
        public static readonly KeyComparer Instance = new();
        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.SequenceEqual(y, StringComparer.Ordinal);
        public int GetHashCode(string[] key) => key.Aggregate(17, (h, s) => h * 31 + StringComparer.Ordinal.GetHashCode(s));
        public int Compare(string[]? x, string[]? y)
        {
            for (var i = 0; i < Math.Min(x!.Length, y!.Length); i++)
                if (string.CompareOrdinal(x[i], y[i]) is var c and not 0) return c;
            return x.Length.CompareTo(y.Length);
        }
    }
}
