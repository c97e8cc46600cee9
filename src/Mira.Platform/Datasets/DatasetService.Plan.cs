using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Mira.Platform.Annotations;
using Mira.Platform.Research;
using Mira.Storage.Annotations;
using Mira.Storage.Datasets;

namespace Mira.Platform.Datasets;

public sealed partial class DatasetService
{
    static readonly HashSet<string> NonImageModalities = new(StringComparer.Ordinal) { "SEG", "SR", "PR", "KO", "RTSTRUCT", "REG" };

    /// <summary>
    /// Computes a release without storing it (stewards and admins; a dry run): its cases, id, datasheet, the members as
    /// they would be stored, and the leakage check's result. The same project content and request give the same id.
    /// </summary>
    public async Task<(DatasetRelease Release, IReadOnlyList<DatasetMemberRecord> Members, LeakageResult Leakage)> PlanAsync(
        DatasetActor actor, string projectId, ReleaseRequest request, CancellationToken ct = default)
    {
        if (!actor.IsSteward) throw DatasetRefusedException.Forbidden($"releases are made by stewards and admins");
        var project = await ProjectAsync(projectId, ct);
        var archive = await projects.Archives.GetAsync(projectId);
        var chosen = request.Annotations == "none" ? [] : await ChosenAnnotationsAsync(archive, projectId, ct);
        var readings = new List<SeriesReading>();
        foreach (var (study, series) in await SelectSeriesAsync(archive, request, chosen, ct))
            if (await SeriesReading.ReadAsync(archive, study, series, ct) is { } r) readings.Add(r);
            else if (request.Series is not null) throw DatasetRefusedException.Invalid($"field 'series': series {series} holds no image (an annotation object?)");
        if (readings.Count == 0) throw DatasetRefusedException.Invalid($"project {projectId} has no image series to release" + (request.Series is null ? " with a chosen annotation" : ""));
        foreach (var uid in request.Assign.Keys)
            if (!readings.Any(r => r.SeriesInstanceUid == uid)) throw DatasetRefusedException.Invalid($"field 'assign': series {uid} is not among the release's series");

        readings.Sort((a, b) => string.CompareOrdinal(a.Patient, b.Patient) is var c && c != 0 ? c
            : string.CompareOrdinal(a.StudyInstanceUid, b.StudyInstanceUid) is var d && d != 0 ? d : string.CompareOrdinal(a.SeriesInstanceUid, b.SeriesInstanceUid));
        var annotated = new Dictionary<string, (ChosenAnnotation Annotation, string? Grade)>(StringComparer.Ordinal);
        foreach (var r in readings)
            if (chosen.TryGetValue(r.SeriesInstanceUid, out var v) || chosen.TryGetValue(r.StudyInstanceUid, out v))
                annotated[r.SeriesInstanceUid] = (await DescribeAsync(archive, v.Version, ct), await GradeAsync(v.Version, request.GradeField, ct));
        var withFields = readings.Select(r =>
        {
            var fields = new Dictionary<string, string>(r.Fields, StringComparer.Ordinal)
            {
                [CaseFields.Grade] = annotated.TryGetValue(r.SeriesInstanceUid, out var a) && a.Grade is { } g ? g : CaseFields.Unknown,
            };
            return (Reading: r, Fields: (IReadOnlyDictionary<string, string>)fields);
        }).ToList();
        var split = request.Kind == ReleaseKinds.Training
            ? PatientSplitter.Split([.. withFields.Select(x => (x.Reading.Patient, x.Fields))], request.Splits)
            : withFields.Select(x => x.Reading.Patient).Distinct().ToDictionary(p => p, _ => Splits.Test, StringComparer.Ordinal);
        var cases = withFields.Select((x, i) => new ReleaseCase(
            "case-" + (i + 1).ToString("0000", CultureInfo.InvariantCulture), x.Reading.StudyInstanceUid, x.Reading.SeriesInstanceUid, x.Reading.Patient,
            request.Assign.TryGetValue(x.Reading.SeriesInstanceUid, out var placed) ? placed : split[x.Reading.Patient],
            x.Fields, x.Reading.PixelSha256, x.Reading.ContentSha256, annotated.TryGetValue(x.Reading.SeriesInstanceUid, out var a) ? a.Annotation : null)).ToList();

        var previous = await store.LatestAsync(projectId, request.Name, ct);
        if (previous is not null && previous.Kind != request.Kind)
            throw DatasetRefusedException.Invalid($"field 'kind': release '{request.Name}' is {previous.Kind}; a new version keeps its kind");
        var version = (previous?.Version ?? 0) + 1;
        var leakage = LeakageCheck.Run(request.Name, request.Kind, cases, await store.ProjectMembersAsync(projectId, ct));
        var splitsJson = JsonSerializer.Serialize(new
        {
            fractions = new[] { request.Splits.Train, request.Splits.Tune, request.Splits.Test }, stratify = request.Splits.Stratify, seed = request.Splits.Seed,
            assign = request.Assign.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(),
        });
        var textJson = JsonSerializer.Serialize(new { request.Text, request.Annotations, request.GradeField });
        var id = ReleaseId.Of(ReleaseId.Listing(projectId, request.Name, version, request.Kind, splitsJson, textJson, cases));
        var release = new DatasetRelease(id, projectId, request.Name, version, request.Kind, previous?.Id, cases.Count, actor.Name, DateTimeOffset.UtcNow,
            splitsJson, "{}", cases);
        var sheet = Datasheet.Build(release, request, readings, cases, leakage, await DatasheetSourcesAsync(project, cases, previous, ct));
        release = release with { DatasheetJson = Datasheet.ToJson(sheet) };
        var members = cases.Select((c, i) => new DatasetMemberRecord(id, i, c.CaseId, c.StudyInstanceUid, c.SeriesInstanceUid, c.Patient, c.Split,
            JsonSerializer.Serialize(c.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).ToDictionary()), c.PixelSha256, c.ContentSha256,
            c.Annotation is null ? null : JsonSerializer.Serialize(c.Annotation))).ToList();
        return (release, members, leakage);
    }

    /// <summary>The series asked for (each must be in the archive), or every image series with a chosen annotation (or every one, with <c>none</c>).</summary>
    static async Task<IReadOnlyList<(string Study, string Series)>> SelectSeriesAsync(ProjectArchive archive, ReleaseRequest request,
        IReadOnlyDictionary<string, (AnnotationTaskRecord Task, AnnotationVersionRecord Version)> chosen, CancellationToken ct)
    {
        var all = new List<(string Study, string Series)>();
        await foreach (var f in archive.Index.EnumerateSeriesFactsAsync(ct))
            if (request.Series is not null ? request.Series.Contains(f.SeriesInstanceUid) : !NonImageModalities.Contains(f.Modality ?? "")
                && (request.Annotations == "none" || chosen.ContainsKey(f.SeriesInstanceUid) || chosen.ContainsKey(f.StudyInstanceUid)))
                all.Add((f.StudyInstanceUid, f.SeriesInstanceUid));
        if (request.Series is not null)
            foreach (var s in request.Series)
                if (!all.Any(x => x.Series == s)) throw DatasetRefusedException.Invalid($"field 'series': series {s} is not in project {archive.ProjectId}");
        return all;
    }

    /// <summary>
    /// Per series (or per study, for tasks that name no series), the latest consensus version of the project's tasks:
    /// a done task's before one still in review or arbitration, then the later version.
    /// </summary>
    async Task<Dictionary<string, (AnnotationTaskRecord Task, AnnotationVersionRecord Version)>> ChosenAnnotationsAsync(ProjectArchive archive, string project, CancellationToken ct)
    {
        var chosen = new Dictionary<string, (AnnotationTaskRecord Task, AnnotationVersionRecord Version)>(StringComparer.Ordinal);
        foreach (var task in await annotations.Store.ListTasksAsync(project, null, ct))
        {
            var v = (await annotations.Store.VersionsAsync(task.Id, ct)).LastOrDefault(x => x.Role == VersionRoles.Consensus);
            if (v is null) continue;
            var key = task.SeriesUid ?? task.StudyUid;
            if (!chosen.TryGetValue(key, out var had) || (task.State == TaskStates.Done, v.Created) .CompareTo((had.Task.State == TaskStates.Done, had.Version.Created)) > 0)
                chosen[key] = (task, v);
        }
        return chosen;
    }

    static async Task<ChosenAnnotation> DescribeAsync(ProjectArchive archive, AnnotationVersionRecord v, CancellationToken ct)
    {
        await using var s = archive.Blobs.OpenRead(v.ContentKey);
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
        return new ChosenAnnotation(v.Task, v.Number, v.Role, v.Protocol, v.ProtocolVersion, v.Kind, sha);
    }

    /// <summary>The grade of a form version: the answer to <paramref name="field"/>, else to the form's first field; null for masks.</summary>
    async Task<string?> GradeAsync(AnnotationVersionRecord v, string? field, CancellationToken ct)
    {
        if (v.Kind != ContentKinds.Form) return null;
        var form = (await annotations.ContentOfAsync(v, ct)).Form;
        if (form is null) return null;
        return field is null ? form.Values.Values.FirstOrDefault()?.FirstOrDefault() : form[field];
    }
}
