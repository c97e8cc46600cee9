namespace Mira.Platform.Audit;

/// <summary>
/// Every action name the audit log records, in one catalogue: a new feature adds its actions here, so auditors can
/// read what each means, and nothing writes a name that is spelled two ways. Names are <c>area.verb</c>.
/// </summary>
public static class AuditActions
{
    // Intake zone: storing and reading identified data.
    /// <summary>A STOW-RS request (one record per request, by the HTTP access filter).</summary>
    public const string StowStore = "stow.store";
    /// <summary>What one DIMSE association stored (one record per association: studies, counts, refusals).</summary>
    public const string DimseStore = "dimse.store";
    /// <summary>What one <c>mira import</c> run stored.</summary>
    public const string ImportStore = "archive.import";
    /// <summary>A non-DICOM file (NIfTI, photograph, slide) uploaded, converted to DICOM and stored (<c>POST /api/intake/files</c>).</summary>
    public const string ConvertStore = "intake.convert";
    public const string DimseFind = "dimse.find";
    public const string DimseMove = "dimse.move";
    public const string DimseGet = "dimse.get";
    /// <summary>What a C-MOVE is about to send (query, studies, instance count, destination), written before the first sub-operation.</summary>
    public const string DimseMoveStart = "dimse.move-start";
    /// <summary>What a C-GET is about to send, written before the first sub-operation.</summary>
    public const string DimseGetStart = "dimse.get-start";
    /// <summary>A connection or association the DIMSE listener refused (limits, TLS, unknown or misplaced AE…): caller, address, reason.</summary>
    public const string DimseReject = "dimse.reject";
    public const string QidoSearch = "qido.search";
    public const string WadoRetrieve = "wado.retrieve";
    public const string WadoMetadata = "wado.metadata";
    public const string WadoRendered = "wado.rendered";
    public const string WadoThumbnail = "wado.thumbnail";
    public const string DicomwebDelete = "dicomweb.delete";
    public const string DemoLoad = "archive.demo";
    public const string StatusView = "status.view";
    /// <summary>A study of the intake opened in the image viewer (<c>GET /studies/{uid}/view</c>; details: the mode).</summary>
    public const string ViewerOpen = "viewer.open";

    // Research zone.
    public const string ProjectCreate = "project.create";
    /// <summary>A steward's override that lets a project's recipe keep direct identifiers (details: which, and the reason).</summary>
    public const string ProjectRecipeOverride = "project.recipe-override";
    public const string ProjectMember = "project.member";
    public const string ProjectRule = "project.rule";
    /// <summary>A copy into a project through its recipe (by a steward, or by a rule's job).</summary>
    public const string ProjectCopy = "project.copy";
    public const string ProjectQido = "project.qido";
    public const string ProjectWado = "project.wado";
    /// <summary>A STOW-RS request into a project's archive (annotation objects only; resource <c>{id}:{path}</c>).</summary>
    public const string ProjectStow = "project.stow";
    /// <summary>A project's study opened in the image viewer (<c>GET /projects/{id}/studies/{uid}/view</c>; resource <c>{id}:{uid}</c>).</summary>
    public const string ProjectViewerOpen = "project.viewer-open";
    /// <summary>A re-identification lookup in a project's pseudonym vault.</summary>
    public const string VaultLookup = "vault.lookup";

    // Annotation (docs/annotation.md): every change of a protocol, an annotator record or a task, with who and when.
    /// <summary>A custom protocol (or a new version of one) registered by a steward (details: id, version).</summary>
    public const string AnnotationProtocol = "annotation.protocol";
    /// <summary>A protocol version attached to a project (resource: the project; details: protocol, version).</summary>
    public const string AnnotationProtocolAttach = "annotation.protocol-attach";
    /// <summary>An annotator's record (title, training, assessments) written by a steward (resource: the user).</summary>
    public const string AnnotationAnnotator = "annotation.annotator";
    /// <summary>A task created (resource <c>task:ID</c>; details: project, study, protocol, people, batch, gold, QC).</summary>
    public const string AnnotationTaskCreate = "annotation.task-create";
    /// <summary>A reader's read stored as a version (details: version, tool, state before and after, agreement when the last read arrived).</summary>
    public const string AnnotationRead = "annotation.read";
    /// <summary>The arbitrator's consensus stored as a version (details: version, chosen read or tool, state after).</summary>
    public const string AnnotationArbitrate = "annotation.arbitrate";
    /// <summary>A review: accepted (done) or returned to arbitration or to the readers, with the reviewer's comment.</summary>
    public const string AnnotationReview = "annotation.review";
    /// <summary>A gold answer or an imported prior label stored as a version by a steward.</summary>
    public const string AnnotationVersion = "annotation.version";
    /// <summary>A project's annotations exported (details: format, versions, tasks, files).</summary>
    public const string AnnotationExport = "annotation.export";

    // Dataset releases (docs/datasets.md): every creation, listing, view, download and materialisation, refused ones included.
    /// <summary>A release created, or refused (leakage, bad request, not a steward); details: name, version, kind, counts or the reason.</summary>
    public const string DatasetRelease = "dataset.release";
    /// <summary>A project's releases listed (details: how many, how many sequestered were shown by summary only).</summary>
    public const string DatasetList = "dataset.list";
    /// <summary>A release's datasheet read (a developer's refusal for a sequestered release included).</summary>
    public const string DatasetView = "dataset.view";
    /// <summary>A release downloaded as a zip of its folder tree, or refused (sequestered, not allowed).</summary>
    public const string DatasetDownload = "dataset.download";
    /// <summary>A release written to a folder for the evaluation runner (the only way a sequestered release is read).</summary>
    public const string DatasetMaterialise = "dataset.materialise";
    /// <summary>A release's images read to make a model's out-of-distribution training profile (docs/deployment.md); details: cases, splits, modalities or the error.</summary>
    public const string DatasetProfile = "dataset.profile";

    // Statistics and supervision.
    /// <summary>A view of the intake zone's statistics (the JSON, a plot or the page): aggregates of identified data.</summary>
    public const string StatisticsView = "statistics.view";
    /// <summary>An aggregate query over de-identified projects (details: dimensions, projects, suppressed cells).</summary>
    public const string StatisticsQuery = "statistics.query";

    // Security.
    public const string AccountBootstrap = "account.bootstrap";
    /// <summary>A wrong user name or password over HTTP Basic (resource: the name tried; client: the address).</summary>
    public const string SignInFailure = "signin.failure";
    /// <summary>Sign-in attempts refused by the back-off (one record when a back-off starts; details: why, and for how long).</summary>
    public const string SignInThrottled = "signin.throttled";
    /// <summary>A sign-in attempt refused during a back-off, without checking the password (one record per attempt).</summary>
    public const string SignInRefused = "signin.refused";
    /// <summary>A person signed in to the web workspace (a session started; the resource is the session id).</summary>
    public const string SignInSession = "session.start";
    /// <summary>A web session ended by its user: signed out, or ended from the account page (the resource is the session id).</summary>
    public const string SignOut = "session.end";
    /// <summary>A user changed their own password.</summary>
    public const string AccountPassword = "account.password";
    /// <summary>A request refused as a possible cross-site request forgery (foreign Origin, wrong media type, missing antiforgery token).</summary>
    public const string RequestForgeryRefused = "request.forgery-refused";
    public const string UserCreate = "user.create";
    /// <summary>A refused listing of the accounts (a listing by an admin is not recorded).</summary>
    public const string UserList = "user.list";
    public const string UserDisable = "user.disable";
    public const string UserEnable = "user.enable";
    public const string UserPassword = "user.password";
    public const string UserRoles = "user.roles";
    public const string TokenIssue = "token.issue";
    public const string TokenRevoke = "token.revoke";
    /// <summary>An auditor (or admin) read the audit log in the web workspace (details: the filter and the page).</summary>
    public const string AuditView = "audit.view";
    /// <summary>An auditor (or admin) had the audit log's hash chain verified in the web workspace (details: the result).</summary>
    public const string AuditVerify = "audit.verify";
    public const string AeSet = "ae.set";
    public const string AeRemove = "ae.remove";

    // Jobs.
    public const string JobCancel = "job.cancel";

    // Models and evaluation (docs/models.md, docs/evaluation.md).
    /// <summary>A model version pushed into the registry (resource model:NAME@VERSION; details: its content hash).</summary>
    public const string ModelPush = "model.push";
    /// <summary>A stored model package downloaded by its owner, a steward or an admin.</summary>
    public const string ModelDownload = "model.download";
    /// <summary>An evaluation phase created on a project's test release.</summary>
    public const string EvaluationPhase = "evaluation.phase";
    /// <summary>A model version submitted to a phase (or refused: window, limits, protocol).</summary>
    public const string EvaluationSubmit = "evaluation.submit";
    /// <summary>The evaluation runner read a test release (sequestered or not) to score a model.</summary>
    public const string EvaluationRun = "evaluation.run";
    /// <summary>An evaluation report read (its summary, HTML or JSON).</summary>
    public const string EvaluationReport = "evaluation.report";

    // Deployment (docs/deployment.md).
    /// <summary>A deployment rule added (details: the rule).</summary>
    public const string DeploymentAdd = "deployment.add";
    public const string DeploymentRemove = "deployment.remove";
    /// <summary>A deployed model's inference on a series: sent, found nothing, refused (intended use) or failed.</summary>
    public const string DeploymentInfer = "deployment.infer";
    /// <summary>A list of deployment results read (they name studies).</summary>
    public const string DeploymentResults = "deployment.results";
    /// <summary>An AI result displayed to a clinician (or withheld: blind first read). Every display is audited.</summary>
    public const string DeploymentResultView = "deployment.result-view";
    /// <summary>A clinician's own read recorded before the AI result was shown (blind-first-read rules).</summary>
    public const string DeploymentOwnRead = "deployment.own-read";
    /// <summary>A clinician accepted, corrected or rejected an AI result (details: decision, reason, edit distance, feedback task).</summary>
    public const string DeploymentReview = "deployment.review";
    /// <summary>A model attached to a project for pre-annotation (details: the model and its package hash).</summary>
    public const string ProjectModel = "project.model";

    // UPS worklist (docs/workitems.md): every change of a work item, with who, which item and from → to (details).
    public const string WorkitemCreate = "workitem.create";
    /// <summary>One work item read (UPS-RS retrieve).</summary>
    public const string WorkitemRead = "workitem.read";
    public const string WorkitemSearch = "workitem.search";
    /// <summary>SCHEDULED → IN PROGRESS by a performer (details: performer).</summary>
    public const string WorkitemClaim = "workitem.claim";
    /// <summary>An update (attributes, progress) of a SCHEDULED or IN PROGRESS work item.</summary>
    public const string WorkitemUpdate = "workitem.update";
    public const string WorkitemComplete = "workitem.complete";
    public const string WorkitemCancel = "workitem.cancel";
    /// <summary>A request to cancel (a SCHEDULED item is canceled; an IN PROGRESS one's performer is told).</summary>
    public const string WorkitemCancelRequest = "workitem.cancel-request";
    public const string WorkitemSubscribe = "workitem.subscribe";
    /// <summary>An unsubscription or the suspension of a global subscription.</summary>
    public const string WorkitemUnsubscribe = "workitem.unsubscribe";
    /// <summary>A UPS-RS change-state request (the access record; the change itself is recorded as claim, complete or cancel).</summary>
    public const string WorkitemState = "workitem.state";
    /// <summary>An event channel (WebSocket) opened for an AE title.</summary>
    public const string WorkitemChannel = "workitem.channel";

    /// <summary>Every name above (for documentation and a test that keeps the catalogue and the code in step).</summary>
    public static IReadOnlyList<string> All { get; } = typeof(AuditActions).GetFields()
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();

    // Sites and hub (docs/sites.md).
    /// <summary>A site registered on the hub (its account of role <c>site</c> and token made).</summary>
    public const string SiteAdd = "site.add";
    public const string SiteRemove = "site.remove";
    /// <summary>A project's source site added, changed or removed.</summary>
    public const string ProjectSourceSet = "project.source-set";
    public const string ProjectSourceRemove = "project.source-remove";
    /// <summary>A project's recipe and key handed to a source site (<c>GET /api/site/projects</c>).</summary>
    public const string SiteKeyHandout = "site.key-handout";
    /// <summary>De-identified instances a source site pushed into a project (accepted and refused counts).</summary>
    public const string ProjectReceive = "project.receive";
    /// <summary>A site's push run: what it de-identified on site and sent to the hub.</summary>
    public const string SitePush = "site.push";
    /// <summary>A site linked to its hub (URL and certificate pin; never the token).</summary>
    public const string SiteLink = "site.link";
}
