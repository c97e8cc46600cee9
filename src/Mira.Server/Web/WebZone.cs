using Microsoft.AspNetCore.Http;
using Mira.Server.Security;
using Mira.Storage.Security;

namespace Mira.Server.Web;

/// <summary>
/// Which zone of the platform a page shows, stated on every page: the identified intake (patient names, real UIDs:
/// stewards only), a de-identified project (its members), or no patient data at all (account, statistics…).
/// </summary>
public sealed record WebZone(string Kind, string Label)
{
    public static WebZone Platform { get; } = new("platform", "No patient data");
    public static WebZone Intake { get; } = new("intake", "Identified intake zone");

    public static WebZone Project(string name) => new("research", $"De-identified zone · project {name}");

    /// <summary>The zone of the page at the request's path.</summary>
    public static async Task<WebZone> OfAsync(HttpContext context, MiraPlatform archive)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/projects", StringComparison.OrdinalIgnoreCase, out var rest)
            && rest.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is [var id, ..])
        {
            // The name only for those who may know the project (stewards, admins, its members); anyone else sees the
            // id they typed, so the label tells nothing a missing project would not (the 404 of issue 14).
            var project = await archive.Projects.Store.GetAsync(id, context.RequestAborted);
            var known = project is not null && MiraAuthentication.UserOf(context) is { } viewer
                && (WebRoles.SeesIntake(viewer) || await archive.Projects.Store.GetMemberRoleAsync(project.Id, viewer.Name, context.RequestAborted) is not null);
            return Project(known ? project!.Name : id);
        }
        // A task's page shows a study of the task's project, to the people on the task (and stewards and admins).
        if (path.StartsWithSegments("/tasks", StringComparison.OrdinalIgnoreCase, out var task)
            && long.TryParse(task.Value?.Trim('/'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var taskId)
            && MiraAuthentication.UserOf(context) is { } reader
            && await archive.Annotations.Store.GetTaskAsync(taskId, context.RequestAborted) is { } record
            && (WebRoles.SeesIntake(reader) || (await archive.Annotations.Store.AssignmentsAsync(taskId, context.RequestAborted)).Any(p => p.User == reader.Name)))
            return Project((await archive.Projects.Store.GetAsync(record.Project, context.RequestAborted))?.Name ?? record.Project);
        // AI results are on clinical studies as they arrived: identified.
        if (path.StartsWithSegments("/archive", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/studies", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/results", StringComparison.OrdinalIgnoreCase))
            return Intake;
        if (path == "/" && MiraAuthentication.UserOf(context) is { } user && WebRoles.SeesIntake(user)) return Intake;
        return Platform;
    }
}

/// <summary>What each role sees in the workspace (the same rules as the API's).</summary>
public static class WebRoles
{
    /// <summary>Identified intake data: stewards and admins (<see cref="PatientDataAccess.IdentifiedData"/>).</summary>
    public static bool SeesIntake(AuthenticatedUser user) => PatientDataAccess.IdentifiedData.Any(user.IsInRole);

    /// <summary>Deployed models' results: clinicians review them; stewards and admins too.</summary>
    public static bool ReviewsResults(AuthenticatedUser user) => user.IsInRole(Roles.Clinician) || SeesIntake(user);

    /// <summary>The audit log: auditors and admins.</summary>
    public static bool ReadsAudit(AuthenticatedUser user) => user.IsInRole(Roles.Auditor) || user.IsInRole(Roles.Admin);
}
