using Mira.Storage.Datasets;

namespace Mira.Platform.Datasets;

/// <summary>
/// The studies and series of a project a person may not reach through the project's other paths (DICOMweb searches and
/// retrievals, rendered images and thumbnails, annotation tasks): those of its sequestered releases, for anyone who is
/// not a steward or an admin. <see cref="None"/> hides nothing.
/// </summary>
public sealed record SequesteredCases(IReadOnlySet<string> Studies, IReadOnlySet<string> Series)
{
    public static SequesteredCases None { get; } = new(new HashSet<string>(), new HashSet<string>());

    public bool IsEmpty => Studies.Count == 0 && Series.Count == 0;

    /// <summary>
    /// True when a study holds a sequestered case: the whole study is hidden (its other series belong to the same patient,
    /// and a study listed without them would still tell that the patient exists).
    /// </summary>
    public bool HidesStudy(string? studyUid) => studyUid is not null && Studies.Contains(studyUid);

    public bool HidesSeries(string? seriesUid) => seriesUid is not null && Series.Contains(seriesUid);
}

public sealed partial class DatasetService
{
    /// <summary>The cases of a project's sequestered releases that <paramref name="actor"/> may not reach (none for stewards and admins).</summary>
    public async Task<SequesteredCases> SequesteredCasesAsync(DatasetActor actor, string projectId, CancellationToken ct = default)
    {
        if (actor.IsSteward) return SequesteredCases.None;
        var (studies, series) = await store.CasesOfKindAsync(projectId, [ReleaseKinds.Sequestered], ct);
        return new SequesteredCases(studies, series);
    }
}
