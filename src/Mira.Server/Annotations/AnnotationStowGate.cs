using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Platform.Annotations;
using Mira.Server.Dicomweb;
using Mira.Server.Viewer;

namespace Mira.Server.Annotations;

/// <summary>
/// The annotation workflow's say on what a project member stores through the project's STOW-RS (the viewer's "save"):
/// every annotation object is tied to the member's one open read task on its study (none, or several, is refused with
/// the reason); a Segmentation becomes that task's read (tool <c>ohif</c>) through the same service as
/// <c>POST /api/tasks/{t}/reads</c>, its segments checked against the task's protocol (segments the viewer coded with
/// its placeholder concept are first given the codes of the protocol label they are named after,
/// <see cref="ViewerSegmentCodes"/>). A refusal stores nothing; an admitted object is stored as sent beside the version
/// the workflow writes, so the viewer finds what it saved.
/// </summary>
public sealed class AnnotationStowGate(MiraPlatform platform) : IAnnotationStowGate
{
    public async Task<StoreResult?> AdmitAsync(HttpContext http, string projectId, IncomingInstance part, CancellationToken ct)
    {
        var actor = AnnotationEndpoints.ActorOf(http);
        var study = part.OwnStudyUid ?? "";
        try
        {
            var (task, protocol) = await platform.Annotations.OpenReadTaskForStudyAsync(actor, projectId, study, ct);
            if (part.SopClassUid is DicomUids.SegmentationStorage or Mira.Annotations.Segmentation.SegmentationWriter.LabelMapSegmentationStorage)
            {
                var seg = ViewerSegmentCodes.Resolve(part.Data.ToArray(), protocol);
                await platform.Annotations.SubmitReadAsync(actor, task, new ReadBody("application/dicom", seg, "ohif"), ct);
            }
            return null;
        }
        catch (AnnotationRefusedException e)
        {
            return Refuse(part, e.Kind == RefusalKind.Forbidden ? StoreStatus.NotAuthorized : StoreStatus.CannotUnderstand, e.Message);
        }
        catch (ViewerSegmentException e)
        {
            return Refuse(part, StoreStatus.CannotUnderstand, e.Message);
        }
    }

    static StoreResult Refuse(IncomingInstance part, ushort status, string reason) =>
        StoreResult.Refuse(StoreRefusal.WorkflowRefused, status, reason, part.SopClassUid, part.SopInstanceUid);
}
