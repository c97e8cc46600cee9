namespace Mira.Platform.Statistics;

/// <summary>
/// Counts for one value of a breakdown. Series and instances add up over a breakdown's values; patients and studies
/// may not: a study with a CT and a PT series counts under both modalities (as QIDO-RS's ModalitiesInStudy matches it).
/// </summary>
public sealed record Breakdown(string Key, long Patients, long Studies, long Series, long Instances);

/// <summary>A research project's de-identified copy and its annotation progress (no annotation tasks exist yet).</summary>
public sealed record ProjectProgress(string Id, string Name, string? Domain, long Patients, long Studies, long Series, long Instances,
    long AnnotationTasks, long AnnotationTasksCompleted);

/// <summary>The projects of one disease domain (<c>none</c> for projects without one) and what their copies hold.</summary>
public sealed record DomainBreakdown(string Key, int Projects, long Studies, long Series, long Instances);

/// <summary>
/// The intake zone's statistics (identified data, aggregated; for stewards and admins): totals, and breakdowns by
/// modality (series Modality), site (Institution Name), intake route, study month (Study Date), disease domain and project.
/// </summary>
public sealed record IntakeStatistics(
    DateTimeOffset Generated,
    Breakdown Totals,
    IReadOnlyList<Breakdown> ByModality,
    IReadOnlyList<Breakdown> BySite,
    IReadOnlyList<Breakdown> BySource,
    IReadOnlyList<Breakdown> ByMonth,
    IReadOnlyList<DomainBreakdown> ByDomain,
    IReadOnlyList<ProjectProgress> Projects);

/// <summary>Adds up series into patients, studies, series and instances.</summary>
sealed class Tally
{
    readonly HashSet<long> patients = [];
    readonly HashSet<string> studies = new(StringComparer.Ordinal);
    long series, instances;

    public void Add(Mira.Storage.Index.SeriesFacts s)
    {
        patients.Add(s.PatientRow);
        studies.Add(s.StudyInstanceUid);
        series++;
        instances += s.Instances;
    }

    public Breakdown ToBreakdown(string key) => new(key, patients.Count, studies.Count, series, instances);

    /// <summary>One breakdown row per key, ordered by key (ordinal).</summary>
    public static IReadOnlyList<Breakdown> By(IEnumerable<Mira.Storage.Index.SeriesFacts> facts, Func<Mira.Storage.Index.SeriesFacts, string> key)
    {
        var tallies = new SortedDictionary<string, Tally>(StringComparer.Ordinal);
        foreach (var f in facts)
        {
            var k = key(f);
            if (!tallies.TryGetValue(k, out var t)) tallies[k] = t = new Tally();
            t.Add(f);
        }
        return [.. tallies.Select(p => p.Value.ToBreakdown(p.Key))];
    }
}
