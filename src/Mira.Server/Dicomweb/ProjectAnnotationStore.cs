using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Storage.Query;

namespace Mira.Server.Dicomweb;

/// <summary>
/// What a project's STOW-RS does with one batch of parsed parts (<see cref="ProjectStowEndpoints"/>): each object must
/// be an annotation object (<see cref="AnnotationObjects"/>; anything else, an image in particular, is refused 0122),
/// belong to a study of the project's own archive and reference only series there (else A900), and be admitted by the
/// annotation workflow (<paramref name="admit"/>, see <see cref="IAnnotationStowGate"/>); what passes is stored in the
/// project's archive (its index and blobs, never the intake's), what does not is answered with the reason and nothing of
/// it kept.
/// </summary>
public sealed class ProjectAnnotationStore(ProjectArchive project, Func<IncomingInstance, CancellationToken, Task<StoreResult?>>? admit)
{
    /// <summary>Stores a batch; results in input order.</summary>
    public async Task<IReadOnlyList<StoreResult>> StoreAsync(IReadOnlyList<IncomingInstance> parts, CancellationToken ct)
    {
        var checkedParts = new List<IncomingInstance>(parts.Count);
        var studies = new Dictionary<string, HashSet<string>?>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            var refusal = part.Refusal is null ? await CheckAsync(part, studies, ct) : null;
            checkedParts.Add(refusal is null ? part : IncomingInstance.Refused(part.Data, part.Source, refusal));
        }
        return await project.Ingest.StoreParsedAsync(checkedParts, ct);
    }

    async Task<StoreResult?> CheckAsync(IncomingInstance part, Dictionary<string, HashSet<string>?> studies, CancellationToken ct)
    {
        var sopClass = part.SopClassUid;
        if (!AnnotationObjects.IsAnnotation(sopClass))
            return Refuse(part, StoreRefusal.NotAnnotation, StoreStatus.SopClassNotSupported,
                $"SOP Class {AnnotationObjects.Describe(sopClass)} is not an annotation object: project {project.ProjectId}'s DICOMweb stores "
                + $"annotation objects only ({AnnotationObjects.Accepted}), never images; images enter a project through a steward's copy "
                + "from the intake");
        var dataset = part.File!.Dataset;
        var study = part.OwnStudyUid;
        if (study is null)
            return Refuse(part, StoreRefusal.NotInProject, StoreStatus.DataSetDoesNotMatchSopClass,
                "the object has no Study Instance UID (0020,000D): an annotation object belongs to the study of the images it annotates");
        if (!studies.TryGetValue(study, out var series))
        {
            var found = await project.Index.QuerySeriesAsync(new QidoQuery { Limit = QidoQuery.MaxLimit }, study, ct);
            series = found.Count == 0 ? null
                : found.Select(s => s.GetString(DicomTags.SeriesInstanceUID)).OfType<string>().ToHashSet(StringComparer.Ordinal);
            studies[study] = series;
        }
        if (series is null)
            return Refuse(part, StoreRefusal.NotInProject, StoreStatus.DataSetDoesNotMatchSopClass,
                $"Study Instance UID {study} is not a study of project {project.ProjectId}: annotation objects are stored beside the images "
                + "they annotate, in the project's own archive");
        foreach (var referenced in ReferencedSeries(dataset, study))
            if (!series.Contains(referenced))
                return Refuse(part, StoreRefusal.NotInProject, StoreStatus.DataSetDoesNotMatchSopClass,
                    $"the object references series {referenced}, which is not in study {study} of project {project.ProjectId}");
        return admit is null ? null : await admit(part, ct);
    }

    /// <summary>
    /// The series of <paramref name="study"/> the object references: the Referenced Series Sequence (0008,1115) of the
    /// Common Instance Reference module (PS3.3 §C.12.2: SEG, Microscopy Bulk Simple Annotations) and, for SR, the Current
    /// Requested Procedure Evidence Sequence (0040,A375) items of that study (PS3.3 §C.17.2).
    /// </summary>
    static IEnumerable<string> ReferencedSeries(DicomDataset dataset, string study)
    {
        IEnumerable<string> Series(DicomDataset item) =>
            item.GetSequence(DicomTags.ReferencedSeriesSequence)?.Items.Select(s => s.GetString(DicomTags.SeriesInstanceUID)).OfType<string>() ?? [];
        foreach (var uid in Series(dataset)) yield return uid;
        foreach (var evidence in dataset.GetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence)?.Items ?? [])
            if (evidence.GetString(DicomTags.StudyInstanceUID) == study)
                foreach (var uid in Series(evidence)) yield return uid;
    }

    static StoreResult Refuse(IncomingInstance part, StoreRefusal refusal, ushort status, string reason) =>
        StoreResult.Refuse(refusal, status, reason, part.SopClassUid, part.SopInstanceUid);
}

/// <summary>
/// The annotation workflow's say on objects stored through a project's STOW-RS (issue 17: an object must be tied to the
/// user's open task, and its segments and codes must match the task's protocol). It runs after the checks of
/// <see cref="ProjectAnnotationStore"/> and before the object is stored: it records the object with the workflow (a SEG
/// becomes a read of the user's task) or refuses it, and then nothing of it is stored.
/// </summary>
public interface IAnnotationStowGate
{
    /// <summary>Null to store the object; otherwise the refusal (status and reason) answered for it.</summary>
    Task<StoreResult?> AdmitAsync(HttpContext http, string projectId, IncomingInstance part, CancellationToken ct);
}
