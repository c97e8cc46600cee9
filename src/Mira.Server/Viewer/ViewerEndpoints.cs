using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Mira.Dicom;
using Mira.Server.Dicomweb;
using Mira.Server.Projects;
using Mira.Server.Security;
using Mira.Storage.Index;
using Mira.Storage.Projects;
using Mira.Storage.Query;
using Mira.Storage.Security;

namespace Mira.Server.Viewer;

/// <summary>
/// The image viewer (docs/viewer.md): the OHIF Viewer's files under <c>/viewer/</c>, its per-user
/// <c>/viewer/app-config.js</c>, and the links every study list uses, <c>GET /studies/{uid}/view</c> (identified
/// intake: stewards and admins) and <c>GET /projects/{id}/studies/{uid}/view</c> (the project's members), which
/// redirect into the viewer with the zone's data source, or answer an HTML refusal. Opening a study is audited
/// (<c>viewer.open</c>, <c>project.viewer-open</c>), refusals too; what the viewer then reads is audited by DICOMweb.
/// </summary>
public static class ViewerEndpoints
{
    /// <summary>The viewer's modes Mira links to (the OHIF route names of the modes in @ohif/app 3.13.2).</summary>
    public static readonly IReadOnlyList<string> Modes = ["viewer", "segmentation", "tmtv", "microscopy"];

    public static void Map(WebApplication app, ServerOptions options)
    {
        var pathBase = PathBase(options);
        var folder = ViewerLocation.Find(options.ViewerDirectory);
        var files = folder is null ? null : new ViewerFiles(folder, pathBase + "/viewer/");
        // Before the server listens: a rewrite running beside the first requests would be felt by them (tens of MB).
        if (files is not null)
        {
            try { files.Prepare(); }
            catch (IOException) { } // an unreadable file is reported when it is asked for
        }
        var lookedIn = ViewerLocation.Candidates(options.ViewerDirectory);
        // The viewer's files and the view links are part of the web workspace, not API: out of the OpenAPI description.
        var viewer = app.MapGroup("").ExcludeFromDescription();
        viewer.MapGet("/viewer/app-config.js", AppConfig);
        IResult Serve(HttpContext h, string? path) => files is null ? ViewerPages.NotInstalled(lookedIn) : files.Serve(h, path);
        // Routing matches "/viewer/" here too: only the path without the slash is sent to the one with it.
        viewer.MapGet("/viewer", (HttpContext h) => h.Request.Path.Value!.EndsWith('/') ? Serve(h, null) : Results.Redirect(pathBase + "/viewer/"));
        viewer.MapGet("/viewer/{**path}", Serve);
        viewer.MapGet("/studies/{study}/view", (HttpContext h, MiraPlatform a, string study) => OpenIntake(h, a, pathBase, study));
        viewer.MapGet("/projects/{id}/studies/{study}/view", (HttpContext h, MiraPlatform a, string id, string study) => OpenProject(h, a, pathBase, id, study));
    }

    /// <summary>The link a study list puts on a study: its zone's <c>view</c> route (null project: the intake).</summary>
    public static string StudyLink(string studyInstanceUid, string? projectId = null, string? mode = null) =>
        (projectId is null ? "" : $"/projects/{Uri.EscapeDataString(projectId)}")
        + $"/studies/{Uri.EscapeDataString(studyInstanceUid)}/view" + (mode is null ? "" : "?mode=" + Uri.EscapeDataString(mode));

    /// <summary>The path of <c>--public-url</c> without a trailing slash ("" when none): the viewer's URLs start with it.</summary>
    public static string PathBase(ServerOptions options) => options.PublicBaseUrl?.AbsolutePath.TrimEnd('/') ?? "";

    static async Task<IResult> AppConfig(HttpContext h, MiraPlatform a, ServerOptions options)
    {
        var user = UserOf(h);
        var sources = new List<ViewerSource>();
        if (PatientDataAccess.IdentifiedData.Any(user.IsInRole))
            sources.Add(new ViewerSource(ViewerConfig.IntakeSource, "Identified intake", DicomwebUrls.Prefix));
        foreach (var p in await a.Projects.Store.ListAsync(user.Name, h.RequestAborted))
            sources.Add(new ViewerSource(ViewerConfig.ProjectSource(p.Id), $"De-identified project {p.Name}", $"/api/projects/{p.Id}{DicomwebUrls.Prefix}", Stores: true));
        // A session's viewer stores segmentations (project STOW-RS) with the session's antiforgery token; the script is
        // never cached (no-store) and, the session cookie being SameSite=Strict, another site including it gets no token.
        var token = MiraAuthentication.MethodOf(h) == AuthenticationMethod.Cookie
            ? h.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().GetAndStoreTokens(h).RequestToken
            : null;
        h.Response.Headers.CacheControl = "private, no-store";
        return Results.Text(ViewerConfig.Script(sources, PathBase(options), DicomwebUrls.Origin(h.Request), token), "text/javascript; charset=utf-8");
    }

    static async Task<IResult> OpenIntake(HttpContext h, MiraPlatform a, string pathBase, string study)
    {
        var user = UserOf(h);
        Task Audit(AuditOutcome outcome, string? mode = null) => AuditAsync(a, h, AuditActions.ViewerOpen, study, outcome, mode, null);
        if (!PatientDataAccess.IdentifiedData.Any(user.IsInRole))
        {
            await Audit(AuditOutcome.Denied);
            return ViewerPages.Refused($"Studies of the identified intake are for the roles {string.Join(", ", PatientDataAccess.IdentifiedData)}; "
                                       + "open de-identified studies from a project you belong to.");
        }
        return await OpenAsync(h, a.Index, pathBase, study, ViewerConfig.IntakeSource, Audit);
    }

    static async Task<IResult> OpenProject(HttpContext h, MiraPlatform a, string pathBase, string id, string study)
    {
        var user = UserOf(h);
        Task Audit(AuditOutcome outcome, string? mode = null) => AuditAsync(a, h, AuditActions.ProjectViewerOpen, $"{id}:{study}", outcome, mode, id);
        if (!ProjectStore.IsValidId(id) || await a.Projects.Store.GetAsync(id, h.RequestAborted) is null)
        {
            await Audit(AuditOutcome.Failure);
            return ViewerPages.NotFound($"no project {id}");
        }
        if (await a.Projects.Store.GetMemberRoleAsync(id, user.Name, h.RequestAborted) is null)
        {
            await Audit(AuditOutcome.Denied);
            // As for the project's DICOMweb (ProjectMemberAccess): only those who see every project are told it exists.
            return user.IsInRole(Roles.Steward) || user.IsInRole(Roles.Admin)
                ? ViewerPages.Refused($"Project {id}'s studies are for its members.")
                : ViewerPages.NotFound($"no project {id}");
        }
        var project = await a.Projects.Archives.GetAsync(id);
        // A sequestered release's studies are absent for anyone but stewards and admins, as on the project's DICOMweb (docs/datasets.md).
        var hidden = await a.Datasets.SequesteredCasesAsync(Datasets.DatasetEndpoints.ActorOf(h), id, h.RequestAborted);
        var index = await Mira.Platform.Datasets.SequesteredIndexView.CreateAsync(project.Index, hidden, h.RequestAborted);
        return await OpenAsync(h, index, pathBase, study, ViewerConfig.ProjectSource(id), Audit);
    }

    static async Task<IResult> OpenAsync(HttpContext h, IIndexStore index, string pathBase, string study, string source,
        Func<AuditOutcome, string?, Task> audit)
    {
        var requested = h.Request.Query["mode"].ToString();
        if (requested.Length > 0 && !Modes.Contains(requested))
        {
            await audit(AuditOutcome.Failure, null);
            return ViewerPages.BadRequest($"mode '{requested}' is not one of: {string.Join(", ", Modes)}");
        }
        var series = DicomUidSyntax(study) ? await index.QuerySeriesAsync(new QidoQuery { Limit = QidoQuery.MaxLimit }, study, h.RequestAborted) : [];
        if (series.Count == 0)
        {
            await audit(AuditOutcome.Failure, null);
            return ViewerPages.NotFound($"no study {study} here");
        }
        // Without a mode: slides open in the microscopy mode, everything else in the basic viewer.
        var mode = requested.Length > 0 ? requested
            : series.Any(s => s.GetString(DicomTags.Modality) == "SM") ? "microscopy" : "viewer";
        await audit(AuditOutcome.Success, mode);
        return Results.Redirect($"{pathBase}/viewer/{mode}/{source}?StudyInstanceUIDs={Uri.EscapeDataString(study)}");
    }

    static bool DicomUidSyntax(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => c is >= '0' and <= '9' or '.');

    static AuthenticatedUser UserOf(HttpContext h) =>
        MiraAuthentication.UserOf(h) ?? throw new InvalidOperationException("the authentication middleware did not run");

    static Task AuditAsync(MiraPlatform a, HttpContext h, string action, string resource, AuditOutcome outcome, string? mode, string? project)
    {
        var details = new Dictionary<string, string>();
        if (mode is not null) details["mode"] = mode;
        if (project is not null) details["project"] = project;
        return a.Audit.AppendAsync(new AuditEntry(UserOf(h).Name, action, resource, h.Connection.RemoteIpAddress?.ToString(), outcome,
            details.Count == 0 ? null : JsonSerializer.Serialize(details)), CancellationToken.None);
    }
}
