using System.Text.Json;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Platform.Research;
using Mira.Storage.Datasets;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Datasets;

/// <summary>
/// Dataset releases (issue 18, <c>docs/datasets.md</c>): immutable, content-addressed snapshots of a project's
/// de-identified images and chosen annotation versions, split by patient, checked for leakage, with a datasheet;
/// downloaded as a folder tree (zipped), or written to a folder for the evaluation runner — the only way a sequestered
/// release is read. Every creation, listing, view, download and materialisation is audited, refusals included; every
/// refusal is a <see cref="DatasetRefusedException"/> naming what and where, with nothing changed.
/// </summary>
public sealed partial class DatasetService(DatasetStore store, ProjectService projects, AnnotationService annotations, AuditLog audit, string dataFolder)
{
    public DatasetStore Store => store;

    Task AuditAsync(DatasetActor actor, string action, string resource, object details, AuditOutcome outcome = AuditOutcome.Success) =>
        audit.AppendAsync(new AuditEntry(actor.Name, action, resource, actor.ClientAddress, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    async Task<Project> ProjectAsync(string id, CancellationToken ct) =>
        (ProjectStore.IsValidId(id) ? await projects.Store.GetAsync(id, ct) : null) ?? throw DatasetRefusedException.NotFound($"no project {id}");

    /// <summary>Stewards and admins, or members of the project; anyone else is told the project does not exist.</summary>
    async Task<Project> ReadableProjectAsync(DatasetActor actor, string id, string action, CancellationToken ct)
    {
        var project = await ProjectAsync(id, ct);
        if (actor.IsSteward || await projects.Store.GetMemberRoleAsync(id, actor.Name, ct) is not null) return project;
        await AuditAsync(actor, action, id, new { refused = "not a member of the project" }, AuditOutcome.Denied);
        throw DatasetRefusedException.NotFound($"no project {id}");
    }

    /// <summary>
    /// Makes a release (stewards and admins): reads the chosen series, splits them by patient, runs the leakage check,
    /// computes the id and the datasheet, and stores it. 409 when the leakage check fails (the message names case ids
    /// and patient pseudonyms) or the same release exists.
    /// </summary>
    public async Task<DatasetRelease> CreateAsync(DatasetActor actor, string projectId, ReleaseRequest request, CancellationToken ct = default)
    {
        await RequireMayCreateAsync(actor, projectId);
        try
        {
            var (release, members, leakage) = await PlanAsync(actor, projectId, request, ct);
            if (!leakage.Passed)
                throw DatasetRefusedException.Conflict($"release '{request.Name}' refused by the leakage check: " + string.Join("; ", leakage.Problems));
            var record = new DatasetReleaseRecord(release.Id, release.Project, release.Name, release.Version, release.Kind, release.Supersedes, release.SplitsJson,
                release.DatasheetJson, release.Size, release.CreatedBy, release.Created);
            if (!await store.AddAsync(record, members, ct))
                throw DatasetRefusedException.Conflict($"release '{request.Name}' version {release.Version} of project {projectId} exists already");
            await AuditAsync(actor, AuditActions.DatasetRelease, $"release:{release.Id}", new
            {
                project = projectId, release.Name, release.Version, release.Kind, release.Supersedes, cases = release.Size,
                splits = release.Cases.GroupBy(c => c.Split).ToDictionary(g => g.Key, g => g.Count()),
            });
            return release;
        }
        catch (DatasetRefusedException e)
        {
            await AuditAsync(actor, AuditActions.DatasetRelease, projectId, new { request.Name, request.Kind, refused = e.Message },
                e.Kind == DatasetRefusal.Forbidden ? AuditOutcome.Denied : AuditOutcome.Failure);
            throw;
        }
    }

    /// <summary>Refuses (403, audited as denied) anyone but stewards and admins: hosts call it before reading a request body.</summary>
    public async Task RequireMayCreateAsync(DatasetActor actor, string projectId)
    {
        if (actor.IsSteward) return;
        await AuditAsync(actor, AuditActions.DatasetRelease, projectId, new { refused = "not a steward" }, AuditOutcome.Denied);
        throw DatasetRefusedException.Forbidden($"'{AuditActions.DatasetRelease}' needs one of the roles: {Security.Roles.Steward}, {Security.Roles.Admin}");
    }

    /// <summary>
    /// A project's releases (stewards, admins and members): for stewards every release; for others the
    /// non-sequestered ones in full and the sequestered ones as summaries (id, name, version, kind, size) only.
    /// Cases are never listed here (<see cref="GetAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<DatasetRelease>> ListAsync(DatasetActor actor, string projectId, CancellationToken ct = default)
    {
        await ReadableProjectAsync(actor, projectId, AuditActions.DatasetList, ct);
        var list = (await store.ListAsync(projectId, ct)).Select(r => actor.IsSteward || r.Kind != ReleaseKinds.Sequestered ? Summary(r) : Hidden(r)).ToList();
        await AuditAsync(actor, AuditActions.DatasetList, projectId, new { releases = list.Count, sequestered = list.Count(r => r.IsSequestered) });
        return list;
    }

    /// <summary>
    /// A release with its datasheet and cases: stewards and admins any; members of its project a non-sequestered one.
    /// A sequestered release is 403 for anyone but a steward (its existence is shown by <see cref="ListAsync"/>).
    /// </summary>
    public async Task<DatasetRelease> GetAsync(DatasetActor actor, string id, CancellationToken ct = default)
    {
        var record = await ReadableReleaseAsync(actor, id, AuditActions.DatasetView, ct);
        if (record.Kind == ReleaseKinds.Sequestered && !actor.IsSteward)
        {
            await AuditAsync(actor, AuditActions.DatasetView, $"release:{id}", new { project = record.Project, refused = "sequestered" }, AuditOutcome.Denied);
            throw DatasetRefusedException.Forbidden($"release {id} is sequestered: only stewards see its datasheet, and only the evaluation runner reads its cases");
        }
        var release = await WithCasesAsync(record, ct);
        await AuditAsync(actor, AuditActions.DatasetView, $"release:{id}", new { project = record.Project, record.Kind });
        return release;
    }

    /// <summary>The release by id for someone who may know of it (stewards; members of its project); else 404.</summary>
    async Task<DatasetReleaseRecord> ReadableReleaseAsync(DatasetActor actor, string id, string action, CancellationToken ct)
    {
        var record = IsReleaseId(id) ? await store.GetAsync(id, ct) : null;
        if (record is not null && (actor.IsSteward || await projects.Store.GetMemberRoleAsync(record.Project, actor.Name, ct) is not null)) return record;
        await AuditAsync(actor, action, $"release:{id}", new { refused = record is null ? "no such release" : "not a member of the project" },
            record is null ? AuditOutcome.Failure : AuditOutcome.Denied);
        throw DatasetRefusedException.NotFound($"no release {id}");
    }

    public static bool IsReleaseId(string id) => id.Length == 64 && id.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>A stored release with its cases (no access check: the callers have made it).</summary>
    async Task<DatasetRelease> WithCasesAsync(DatasetReleaseRecord r, CancellationToken ct)
    {
        var cases = (await store.MembersAsync(r.Id, ct)).Select(m => new ReleaseCase(m.CaseId, m.StudyUid, m.SeriesUid, m.Patient, m.Split,
            JsonSerializer.Deserialize<Dictionary<string, string>>(m.FieldsJson)!, m.PixelSha256, m.ContentSha256,
            m.AnnotationJson is null ? null : JsonSerializer.Deserialize<ChosenAnnotation>(m.AnnotationJson))).ToList();
        return Summary(r) with { Cases = cases };
    }

    static DatasetRelease Summary(DatasetReleaseRecord r) =>
        new(r.Id, r.Project, r.Name, r.Version, r.Kind, r.Supersedes, r.MemberCount, r.CreatedBy, r.Created, r.SplitsJson, r.DatasheetJson, []);

    /// <summary>What a model submitter may know of a sequestered release: that it exists, its name, version and size.</summary>
    static DatasetRelease Hidden(DatasetReleaseRecord r) =>
        new(r.Id, r.Project, r.Name, r.Version, r.Kind, r.Supersedes, r.MemberCount, "", r.Created, "{}", "{}", []);
}
