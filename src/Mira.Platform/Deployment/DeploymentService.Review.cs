using Mira.Annotations;
using Mira.Annotations.Reads;
using Mira.Annotations.Segmentation;
using Mira.Dicom;
using Mira.Dicom.IO;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Security;
using Mira.Storage.Deployments;
using Mira.Storage.Security;

namespace Mira.Platform.Deployment;

/// <summary>What a clinician sees of a result: the result, its rule, and the model's card (intended use, known failure modes).</summary>
public sealed record ResultView(DeploymentResultRecord Result, DeploymentRecord? Rule, Inference.Manifest.ModelCard? Card);

public sealed partial class DeploymentService
{
    /// <summary>The longest own read or rejection reason kept.</summary>
    public const int MaxTextLength = 4000;

    static bool MayReview(AnnotationActor actor) => MayManage(actor) || actor.Roles.Contains(Roles.Clinician);

    /// <summary>
    /// A result for display (clinicians, stewards, admins). Every display is audited. Under a blind-first-read rule the
    /// result is withheld (409) until the clinician has recorded their own read of the study.
    /// </summary>
    public async Task<ResultView> ViewResultAsync(AnnotationActor actor, string id, CancellationToken ct = default)
    {
        var (result, rule) = await ReviewableAsync(actor, id, AuditActions.DeploymentResultView, ct);
        if (rule is { BlindFirstRead: true } && result.OwnReadBy is null)
        {
            await AuditAsync(actor.Name, AuditActions.DeploymentResultView, $"result:{id}", AuditOutcome.Failure, new { withheld = "blind first read", study = result.StudyInstanceUid });
            throw AnnotationRefusedException.Conflict($"deployment '{rule.Name}' asks for a blind first read: record your own read of study {result.StudyInstanceUid} before the AI result is shown");
        }
        await AuditAsync(actor.Name, AuditActions.DeploymentResultView, $"result:{id}", AuditOutcome.Success,
            new { study = result.StudyInstanceUid, series = result.SeriesInstanceUid, model = $"{result.ModelName}@{result.ModelVersion}" });
        var model = await models.Store.GetAsync(result.ModelName, result.ModelVersion, ct);
        var card = model is null ? null : Inference.Manifest.ModelManifestReader.Read(model.ManifestJson).Card;
        return new ResultView(result, rule, card);
    }

    /// <summary>The results waiting for a clinician's decision (sent, review pending), newest first; audited (they name studies).</summary>
    public async Task<IReadOnlyList<DeploymentResultRecord>> ReviewQueueAsync(AnnotationActor actor, CancellationToken ct = default)
    {
        if (!MayReview(actor)) throw AnnotationRefusedException.Forbidden($"{actor.Name} may not see deployment results (clinicians, stewards and admins do)");
        var pending = (await store.ListResultsAsync(ct: ct)).Where(r => r.State == DeploymentResultStates.Sent && r.ReviewState == ReviewStates.Pending).ToList();
        await AuditAsync(actor.Name, AuditActions.DeploymentResults, "review-queue", AuditOutcome.Success, new { count = pending.Count });
        return pending;
    }

    /// <summary>Records the clinician's own read before the AI result is shown (blind-first-read rules); once per result.</summary>
    public async Task RecordOwnReadAsync(AnnotationActor actor, string id, string read, CancellationToken ct = default)
    {
        var (result, _) = await ReviewableAsync(actor, id, AuditActions.DeploymentOwnRead, ct);
        read = (read ?? "").Trim();
        if (read.Length is 0 or > MaxTextLength) throw AnnotationRefusedException.Invalid($"field 'read': 1 to {MaxTextLength} characters of the clinician's own finding");
        if (!await store.RecordOwnReadAsync(id, actor.Name, read, DateTimeOffset.UtcNow, ct))
            throw AnnotationRefusedException.Conflict($"result {id} has an own read recorded already (by {result.OwnReadBy})");
        await AuditAsync(actor.Name, AuditActions.DeploymentOwnRead, $"result:{id}", AuditOutcome.Success, new { study = result.StudyInstanceUid, length = read.Length });
    }

    /// <summary>
    /// A clinician's decision on a result: accept; reject with a reason; or correct with a label map (NIfTI on the source
    /// series, values the model's labels), which is compared with the model's mask (edit distance: the voxels whose label
    /// changed over the voxels either labels, 0 unchanged to 1 redrawn) and becomes annotation versions in the rule's
    /// feedback project, through the project's de-identification. Once per result; under a blind-first-read rule only after
    /// the own read. Audited.
    /// </summary>
    public async Task<DeploymentResultRecord> ReviewAsync(AnnotationActor actor, string id, string decision, string? reason, byte[]? correction,
        CancellationToken ct = default)
    {
        var (result, rule) = await ReviewableAsync(actor, id, AuditActions.DeploymentReview, ct);
        if (!ReviewStates.Decisions.Contains(decision)) throw AnnotationRefusedException.Invalid($"field 'decision': one of {string.Join(", ", ReviewStates.Decisions)}");
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reason is { Length: > MaxTextLength }) throw AnnotationRefusedException.Invalid($"field 'reason': at most {MaxTextLength} characters");
        if (decision == ReviewStates.Rejected && reason is null) throw AnnotationRefusedException.Invalid("a rejection needs a reason (field 'reason')");
        if (result.ReviewState != ReviewStates.Pending)
            throw AnnotationRefusedException.Conflict($"result {id} was {result.ReviewState} by {result.Reviewer} already");
        if (result.State != DeploymentResultStates.Sent || result.ResultSopUid is null)
            throw AnnotationRefusedException.Conflict($"result {id} is {result.State}: there is no AI result to review");
        if (rule is { BlindFirstRead: true } && result.OwnReadBy is null)
            throw AnnotationRefusedException.Conflict($"deployment '{rule.Name}' asks for a blind first read: record your own read first");
        double? editDistance = null;
        long? feedbackTask = null;
        if (decision == ReviewStates.Corrected)
        {
            if (correction is not { Length: > 0 }) throw AnnotationRefusedException.Invalid("a correction needs the corrected label map (NIfTI) as the body");
            (editDistance, feedbackTask) = await CorrectAsync(actor, result, rule, correction, reason, ct);
        }
        else if (correction is not null) throw AnnotationRefusedException.Invalid($"only a correction carries a label map, not '{decision}'");
        if (!await store.ReviewAsync(id, decision, actor.Name, reason, editDistance, feedbackTask, DateTimeOffset.UtcNow, ct))
            throw AnnotationRefusedException.Conflict($"result {id} was reviewed meanwhile");
        await AuditAsync(actor.Name, AuditActions.DeploymentReview, $"result:{id}", AuditOutcome.Success,
            new { decision, reason, editDistance, feedbackTask, study = result.StudyInstanceUid, model = $"{result.ModelName}@{result.ModelVersion}" });
        return (await store.GetResultAsync(id, ct))!;
    }

    async Task<(double EditDistance, long Task)> CorrectAsync(AnnotationActor actor, DeploymentResultRecord result, DeploymentRecord? rule, byte[] correction,
        string? reason, CancellationToken ct)
    {
        if (rule?.FeedbackProject is not { } project || annotations is null || projects is null)
            throw AnnotationRefusedException.Conflict($"deployment '{result.Deployment}' has no feedback project: corrections have nowhere to go (mira deploy add --feedback-project)");
        var p = await projects.Store.GetAsync(project, ct) ?? throw AnnotationRefusedException.Conflict($"the feedback project '{project}' no longer exists");
        var model = await models.Store.GetAsync(result.ModelName, result.ModelVersion, ct)
            ?? throw AnnotationRefusedException.Conflict($"model {result.ModelName}@{result.ModelVersion} is no longer in the registry");
        var manifest = Inference.Manifest.ModelManifestReader.Read(model.ManifestJson);
        var inputs = await index.FindInstancesAsync(result.StudyInstanceUid, result.SeriesInstanceUid, ct);
        var headers = new List<DicomDataset>(inputs.Count);
        foreach (var i in inputs) headers.Add(await HeaderAsync(i, ct));
        var grid = ImageGrid.FromSeries(headers);
        var protocol = InferenceResults.ProtocolOf(manifest);
        LabelMasks corrected;
        try
        {
            corrected = LabelMapNifti.Read(new MemoryStream(correction, writable: false), grid, protocol, "the corrected label map");
        }
        catch (AnnotationException e)
        {
            throw AnnotationRefusedException.Invalid(e.Message);
        }
        var segInstance = await index.FindInstanceAsync(result.ResultSopUid!, ct) ?? throw AnnotationRefusedException.Conflict($"the result object {result.ResultSopUid} is no longer in the archive");
        await using var segStream = blobs.OpenRead(segInstance.BlobKey);
        using var segBytes = new MemoryStream();
        await segStream.CopyToAsync(segBytes, ct);
        var ai = SegmentationToMasks.Read(segBytes.ToArray(), grid, protocol);
        var editDistance = EditDistance(ai, corrected, protocol);

        // Into the feedback project through its de-identification; the correction lies on the project's copy of the series.
        var copy = await projects.CopyStudiesAsync(p, [result.StudyInstanceUid], actor.Name, ct);
        if (copy.Failed > 0 || copy.Quarantined > 0)
            throw AnnotationRefusedException.Conflict($"the study could not be copied into the feedback project '{project}': {string.Join("; ", copy.Reasons)}");
        var study = (await projects.Store.PseudonymsOfAsync(project, result.StudyInstanceUid, ct)).FirstOrDefault()?.Pseudonym
            ?? throw new InvalidOperationException($"the feedback project's vault has no pseudonym of the study");
        var series = (await projects.Store.PseudonymsOfAsync(project, result.SeriesInstanceUid, ct)).FirstOrDefault()?.Pseudonym
            ?? throw new InvalidOperationException($"the feedback project's vault has no pseudonym of the series");
        using var aiNifti = new MemoryStream();
        LabelMapNifti.Write(ai, grid, aiNifti, gzip: true);
        var task = await annotations.AddFeedbackAsync(new FeedbackRequest(project, study, series, manifest.Protocol, aiNifti.ToArray(), correction,
            $"{model.Name}@{model.Version}", actor.Name, reason ?? "clinician correction of an AI result"), ct);
        return (editDistance, task);
    }

    /// <summary>Voxels whose label differs between the two, over the voxels labelled in either (0 when both are empty).</summary>
    public static double EditDistance(LabelMasks a, LabelMasks b, Mira.Annotations.Protocols.Protocol protocol)
    {
        long changed = 0, labelled = 0;
        var labels = protocol.Segments.Select(l => l.Value).ToArray();
        for (var v = 0; v < a.Length; v++)
        {
            int la = 0, lb = 0;
            foreach (var l in labels)
            {
                if (la == 0 && a.Has(l) && a[l][v]) la = l;
                if (lb == 0 && b.Has(l) && b[l][v]) lb = l;
            }
            if (la != 0 || lb != 0) labelled++;
            if (la != lb) changed++;
        }
        return labelled == 0 ? 0 : (double)changed / labelled;
    }

    async Task<(DeploymentResultRecord Result, DeploymentRecord? Rule)> ReviewableAsync(AnnotationActor actor, string id, string action, CancellationToken ct)
    {
        if (!MayReview(actor))
        {
            await AuditAsync(actor.Name, action, $"result:{id}", AuditOutcome.Failure, new { denied = "not a clinician, steward or admin" });
            throw AnnotationRefusedException.Forbidden($"{actor.Name} may not see deployment results (clinicians, stewards and admins do)");
        }
        var result = await store.GetResultAsync(id, ct) ?? throw AnnotationRefusedException.NotFound($"no deployment result {id}");
        return (result, await store.GetAsync(result.Deployment, ct));
    }
}
