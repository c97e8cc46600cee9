using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Platform.Audit;
using Mira.Platform.Research;
using Mira.Platform.Security;
using Mira.Storage.Annotations;
using Mira.Storage.Projects;
using Mira.Storage.Security;

namespace Mira.Platform.Annotations;

/// <summary>The signed-in person a request is made by: name, global roles, client address (for the audit log).</summary>
public sealed record AnnotationActor(string Name, IReadOnlyList<string> Roles, string? ClientAddress = null)
{
    /// <summary>Stewards and admins create tasks, keep protocols and annotator records, and see every task.</summary>
    public bool IsSteward => Roles.Contains(Security.Roles.Steward) || Roles.Contains(Security.Roles.Admin);
}

/// <summary>
/// The annotation workflow (issue 17, <c>docs/annotation.md</c>): protocols per project, annotator records, tasks with
/// independent blind reads, agreement by the protocol's statistic, arbitration, review, quality control and gold cases,
/// versions stored as DICOM in the project's research archive, and export. Every change is audited with who and when;
/// every refusal is an <see cref="AnnotationRefusedException"/> that names what and where, with nothing changed.
/// </summary>
public sealed partial class AnnotationService
{
    readonly AnnotationStore store;
    readonly ProjectService projects;
    readonly AccountService accounts;
    readonly AuditLog audit;

    public AnnotationService(AnnotationStore store, ProtocolCatalog protocols, ProjectService projects, AccountService accounts, AuditLog audit,
        IAnnotationEncodings? encodings)
    {
        this.store = store;
        this.projects = projects;
        this.accounts = accounts;
        this.audit = audit;
        Protocols = protocols;
        Encodings = encodings;
    }

    public ProtocolCatalog Protocols { get; }

    /// <summary>SEG, SR and NIfTI encodings; null where Mira.Annotations' writers are not wired (then NIfTI and SEG bodies are refused).</summary>
    public IAnnotationEncodings? Encodings { get; }

    public AnnotationStore Store => store;

    Task AuditAsync(AnnotationActor actor, string action, string resource, object details, AuditOutcome outcome = AuditOutcome.Success) =>
        audit.AppendAsync(new AuditEntry(actor.Name, action, resource, actor.ClientAddress, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    async Task RequireStewardAsync(AnnotationActor actor, string action, string resource)
    {
        if (actor.IsSteward) return;
        await AuditAsync(actor, action, resource, new { refused = "not a steward" }, AuditOutcome.Denied);
        throw AnnotationRefusedException.Forbidden($"'{action}' needs one of the roles: {Security.Roles.Steward}, {Security.Roles.Admin}");
    }

    async Task<Project> ProjectAsync(string id, CancellationToken ct) =>
        (ProjectStore.IsValidId(id) ? await projects.Store.GetAsync(id, ct) : null) ?? throw AnnotationRefusedException.NotFound($"no project {id}");

    // ---- protocols ----

    /// <summary>Registers a custom protocol or a new version of one (stewards and admins).</summary>
    public async Task<(ProtocolVersion Version, bool Added)> AddProtocolAsync(AnnotationActor actor, string definition, string? workflowJson, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationProtocol, "protocols");
        var (version, added) = await Protocols.AddCustomAsync(definition, workflowJson, actor.Name, ct);
        if (added) await AuditAsync(actor, AuditActions.AnnotationProtocol, $"protocol:{version.Id}", new { protocol = version.Id, version = version.Version, sha256 = version.Sha256 });
        return (version, added);
    }

    /// <summary>Attaches a protocol (its latest version, or <paramref name="version"/>) to a project; its new tasks use that version.</summary>
    public async Task<ProtocolVersion> AttachProtocolAsync(AnnotationActor actor, string project, string protocolId, int? version, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationProtocolAttach, project);
        await ProjectAsync(project, ct);
        var p = await Protocols.GetAsync(protocolId, version, ct)
            ?? throw AnnotationRefusedException.Invalid(version is null ? $"field 'protocol': no protocol '{protocolId}'" : $"field 'version': protocol {protocolId} has no version {version}");
        await store.AttachProtocolAsync(new ProjectProtocolRecord(project, p.Id, p.Version, actor.Name, DateTimeOffset.UtcNow), ct);
        await AuditAsync(actor, AuditActions.AnnotationProtocolAttach, project, new { protocol = p.Id, version = p.Version });
        return p;
    }

    /// <summary>The protocols a project uses (members, stewards and admins).</summary>
    public async Task<IReadOnlyList<ProtocolVersion>> ProjectProtocolsAsync(AnnotationActor actor, string project, CancellationToken ct = default)
    {
        await RequireMemberOrStewardAsync(actor, project, ct);
        var list = new List<ProtocolVersion>();
        foreach (var r in await store.ListProjectProtocolsAsync(project, ct))
            if (await Protocols.GetAsync(r.Protocol, r.Version, ct) is { } p) list.Add(p);
        return list;
    }

    async Task RequireMemberOrStewardAsync(AnnotationActor actor, string project, CancellationToken ct)
    {
        await ProjectAsync(project, ct);
        if (!actor.IsSteward && await projects.Store.GetMemberRoleAsync(project, actor.Name, ct) is null)
            throw AnnotationRefusedException.NotFound($"no project {project}");
    }

    // ---- annotators ----

    /// <summary>Writes an annotator's record (stewards and admins); the user must have an account.</summary>
    public async Task<AnnotatorProfile> SetAnnotatorAsync(AnnotationActor actor, string user, JsonElement body, CancellationToken ct = default)
    {
        await RequireStewardAsync(actor, AuditActions.AnnotationAnnotator, user);
        var account = await accounts.GetAsync(user, ct) ?? throw AnnotationRefusedException.NotFound($"no account '{user}'");
        var profile = AnnotatorProfile.Parse(account.Name, body);
        await store.SetAnnotatorAsync(new AnnotatorRecord(account.Name, profile.ToJson(), actor.Name, DateTimeOffset.UtcNow), ct);
        await AuditAsync(actor, AuditActions.AnnotationAnnotator, account.Name, new { training = profile.Training.Count, assessments = profile.Assessments.Count });
        return profile;
    }

    /// <summary>Annotator records (stewards and admins): all, or those of <paramref name="users"/>.</summary>
    public async Task<IReadOnlyList<AnnotatorProfile>> AnnotatorsAsync(AnnotationActor actor, IReadOnlyCollection<string>? users = null, CancellationToken ct = default)
    {
        if (!actor.IsSteward) throw AnnotationRefusedException.Forbidden("annotator records are for stewards and admins");
        return await ProfilesAsync(users, ct);
    }

    /// <summary>The records of these people (for an export's manifest, a dataset's documentation).</summary>
    public async Task<IReadOnlyList<AnnotatorProfile>> ProfilesAsync(IReadOnlyCollection<string>? users, CancellationToken ct = default) =>
        [.. (await store.ListAnnotatorsAsync(users, ct)).Select(r => AnnotatorProfile.FromJson(r.ProfileJson))];
}
