using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

/// <summary>
/// A clinician's correction of a deployed model's result, in a project (already de-identified there): the series it was
/// drawn on, the protocol of the model's labels, the model's label map and the corrected one (NIfTI, on the series grid).
/// </summary>
public sealed record FeedbackRequest(string Project, string StudyInstanceUid, string SeriesInstanceUid, string Protocol, byte[] ModelLabelMap,
    byte[] CorrectedLabelMap, string Model, string Clinician, string Comment);

public sealed partial class AnnotationService
{
    /// <summary>The batch name of feedback tasks.</summary>
    public const string FeedbackBatch = "feedback";

    /// <summary>
    /// Records a correction as annotation versions of a new task in the project (batch <see cref="FeedbackBatch"/>, state
    /// done, no readers assigned): the model's output as an import (author <c>model:NAME@VERSION</c>, tool <c>model</c>) and
    /// the clinician's correction as the consensus (tool <c>clinician-correction</c>), so the next dataset release takes the
    /// corrected label. The protocol is attached to the project when it is not yet. Returns the task. Called by the
    /// deployment service, which has checked the clinician's rights; audited as the clinician.
    /// </summary>
    public async Task<long> AddFeedbackAsync(FeedbackRequest r, CancellationToken ct = default)
    {
        var attached = (await store.ListProjectProtocolsAsync(r.Project, ct)).FirstOrDefault(p => p.Protocol == r.Protocol);
        ProtocolVersion protocol;
        if (attached is null)
        {
            protocol = await Protocols.GetAsync(r.Protocol, null, ct)
                ?? throw AnnotationRefusedException.Invalid($"the model's protocol '{r.Protocol}' is not a protocol of this Mira: a correction needs its labels");
            await store.AttachProtocolAsync(new ProjectProtocolRecord(r.Project, protocol.Id, protocol.Version, r.Clinician, DateTimeOffset.UtcNow), ct);
        }
        else protocol = await Protocols.GetAsync(attached.Protocol, attached.Version, ct) ?? throw new InvalidOperationException($"protocol {r.Protocol} is not stored");
        var images = await CaseImagesAsync(r.Project, r.StudyInstanceUid, r.SeriesInstanceUid, null, ct);
        var task = new NewAnnotationTask(r.Project, r.StudyInstanceUid, images.SeriesInstanceUid, null, protocol.Id, protocol.Version, TaskStates.Done,
            FeedbackBatch, null, false, Qc: false, r.Clinician);
        var id = (await store.CreateTasksAsync([(task, [])], DateTimeOffset.UtcNow, ct))[0];
        var c = await TaskContextAsync(id, ct);
        c.Images = images;
        var (model, _) = await DecodeAsync(c, new ReadBody("application/gzip", r.ModelLabelMap, "model"), ct);
        var (corrected, _) = await DecodeAsync(c, new ReadBody("application/gzip", r.CorrectedLabelMap, "clinician-correction"), ct);
        var versions = new[]
        {
            await VersionAsync(c, $"model:{r.Model}", VersionRoles.Import, "model", model, ct),
            await VersionAsync(c, r.Clinician, VersionRoles.Consensus, "clinician-correction", corrected, ct),
        };
        var numbers = await store.AddVersionsAsync(id, versions, TaskStates.Done, TaskStates.Done, null, r.Comment, DateTimeOffset.UtcNow, ct)
            ?? throw new InvalidOperationException($"feedback task {id} changed state meanwhile");
        await AuditAsync(new AnnotationActor(r.Clinician, [Security.Roles.Clinician]), Audit.AuditActions.AnnotationVersion, $"task:{id}",
            new { project = r.Project, versions = numbers, roles = new[] { VersionRoles.Import, VersionRoles.Consensus }, model = r.Model, feedback = true });
        return id;
    }
}
