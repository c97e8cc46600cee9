using Microsoft.AspNetCore.Http;
using Mira.Platform.Annotations;
using Mira.Server.Annotations;
using Mira.Server.Viewer;

namespace Mira.Server.Dicomweb;

/// <summary>
/// The annotation workflow's gate on a project's STOW-RS (issue 17). An annotation object is taken only as part of the
/// sender's one open task on its study in that project, where they are an annotator
/// (<see cref="AnnotationService.OpenReadTaskForStudyAsync"/>): none is refused 0124 (Not Authorized), several with the
/// workflow's reason (the object cannot tell which task it belongs to). A SEG (the viewer's segmentation mode stores Label
/// Map SEGs) becomes the annotator's read of that task, tool <c>ohif</c>, through
/// <see cref="AnnotationService.SubmitReadAsync"/>, which reads it onto the task's series by its segments' codes (the
/// protocol's labels: OHIF's placeholder-coded segments are first given the codes of the label they are named after,
/// <see cref="ViewerSegmentCodes"/>) and stores the version's own objects; a SEG it does not take is refused A900 with its
/// reason. Nothing of a refused object is stored. Other annotation objects (SR, bulk annotations) of the task's annotator
/// are stored as they are, beside the task's versions.
/// </summary>
public sealed class AnnotationTaskGate(AnnotationService annotations) : IAnnotationStowGate
{
    /// <summary>The tool recorded for reads stored by the viewer.</summary>
    public const string ViewerTool = "ohif";

    public async Task<StoreResult?> AdmitAsync(HttpContext http, string projectId, IncomingInstance part, CancellationToken ct)
    {
        var actor = AnnotationEndpoints.ActorOf(http);
        long task;
        Mira.Annotations.Protocols.Protocol protocol;
        try
        {
            (task, protocol) = await annotations.OpenReadTaskForStudyAsync(actor, projectId, part.OwnStudyUid ?? "", ct);
        }
        catch (AnnotationRefusedException e)
        {
            return Refuse(part, e.Kind == RefusalKind.Forbidden ? StoreStatus.NotAuthorized : StoreStatus.DataSetDoesNotMatchSopClass, e.Message);
        }
        if (!AnnotationObjects.IsSegmentation(part.SopClassUid)) return null;
        byte[] seg;
        try
        {
            seg = ViewerSegmentCodes.Resolve(part.Data.ToArray(), protocol);
        }
        catch (ViewerSegmentException e)
        {
            return Refuse(part, StoreStatus.DataSetDoesNotMatchSopClass, $"task {task}: {e.Message}");
        }
        try
        {
            await annotations.SubmitReadAsync(actor, task, new ReadBody("application/dicom", seg, ViewerTool), ct);
            return null;
        }
        catch (AnnotationRefusedException e)
        {
            return Refuse(part, e.Kind == RefusalKind.Forbidden ? StoreStatus.NotAuthorized : StoreStatus.DataSetDoesNotMatchSopClass,
                $"task {task} (protocol {protocol.Id}) did not take the segmentation: {e.Message}");
        }
    }

    static StoreResult Refuse(IncomingInstance part, ushort status, string reason) =>
        StoreResult.Refuse(StoreRefusal.WorkflowRefused, status, reason, part.SopClassUid, part.SopInstanceUid);
}
