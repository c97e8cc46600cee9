using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

public sealed partial class AnnotationService
{
    /// <summary>
    /// The studies of a project that a person may not reach (the cases of its sequestered dataset releases, for anyone
    /// but stewards and admins; <c>docs/datasets.md</c>); wired by the composition root. Their tasks are absent from that
    /// person's queue and answer 404 like an unknown task.
    /// </summary>
    public Func<AnnotationActor, string, CancellationToken, Task<IReadOnlySet<string>>>? HiddenStudies { get; set; }

    async Task<bool> IsHiddenAsync(AnnotationActor actor, AnnotationTaskRecord task, CancellationToken ct) =>
        HiddenStudies is { } hidden && (await hidden(actor, task.Project, ct)).Contains(task.StudyUid);

    async Task<IReadOnlyList<(AnnotationTaskRecord Task, string Role)>> WithoutHiddenAsync(AnnotationActor actor,
        IReadOnlyList<(AnnotationTaskRecord Task, string Role)> tasks, CancellationToken ct)
    {
        if (HiddenStudies is not { } hidden) return tasks;
        var byProject = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var kept = new List<(AnnotationTaskRecord Task, string Role)>();
        foreach (var t in tasks)
        {
            if (!byProject.TryGetValue(t.Task.Project, out var studies)) byProject[t.Task.Project] = studies = await hidden(actor, t.Task.Project, ct);
            if (!studies.Contains(t.Task.StudyUid)) kept.Add(t);
        }
        return kept;
    }
}
