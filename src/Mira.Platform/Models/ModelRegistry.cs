using System.Text.Json;
using Mira.Inference;
using Mira.Inference.Packages;
using Mira.Platform.Annotations;
using Mira.Platform.Audit;
using Mira.Storage.Blobs;
using Mira.Storage.Models;
using Mira.Storage.Security;

namespace Mira.Platform.Models;

/// <summary>What a push did: the model version as stored, and whether this push added it (false: the same package was there).</summary>
public sealed record PushOutcome(ModelRecord Model, bool Added);

/// <summary>
/// The model registry (issue 18, docs/models.md): model packages (<c>model.onnx</c> + <c>mira-model.json</c>) pushed by
/// developers, checked (<see cref="ModelPackage"/>: schema, limits), stored once by content hash, and immutable per
/// name and version: the same version pushed again with other bytes is refused. Developers see their own models;
/// stewards and admins see all. Every push and package download is audited.
/// </summary>
public sealed class ModelRegistry(ModelStore store, IBlobStore blobs, AuditLog audit, ModelPackageLimits? limits = null)
{
    public ModelStore Store => store;
    public ModelPackageLimits Limits { get; } = limits ?? ModelPackageLimits.Default;

    public static string PackageKey(string sha256) => BlobKeys.For("models", sha256, "package.zip");

    static bool MayPush(AnnotationActor a) => a.Roles.Contains(Security.Roles.Developer) || a.Roles.Contains(Security.Roles.Admin);

    static bool SeesAll(AnnotationActor a) => a.IsSteward;

    Task AuditAsync(AnnotationActor actor, string action, string resource, object details, AuditOutcome outcome = AuditOutcome.Success) =>
        audit.AppendAsync(new AuditEntry(actor.Name, action, resource, actor.ClientAddress, outcome, JsonSerializer.Serialize(details)), CancellationToken.None);

    /// <summary>Checks and stores a package (a zip stream); refused with a message naming what is wrong, nothing stored.</summary>
    public async Task<PushOutcome> PushAsync(AnnotationActor actor, Stream zip, CancellationToken ct = default)
    {
        if (!MayPush(actor))
        {
            await AuditAsync(actor, AuditActions.ModelPush, "models", new { refused = "not a developer" }, AuditOutcome.Denied);
            throw AnnotationRefusedException.Forbidden($"pushing a model needs one of the roles: {Security.Roles.Developer}, {Security.Roles.Admin}");
        }
        ModelPackage package;
        try { package = ModelPackage.Read(zip, Limits); }
        catch (ModelPackageException e) { throw AnnotationRefusedException.Invalid("the model package is refused: " + e.Message); }
        return await AddAsync(actor, package, ct);
    }

    /// <summary>Stores a package already read (a folder, from <c>mira model push</c>).</summary>
    public async Task<PushOutcome> AddAsync(AnnotationActor actor, ModelPackage package, CancellationToken ct = default)
    {
        if (!MayPush(actor)) throw AnnotationRefusedException.Forbidden($"pushing a model needs one of the roles: {Security.Roles.Developer}, {Security.Roles.Admin}");
        var m = package.Manifest;
        var resource = $"model:{m.Name}@{m.Version}";
        if (await store.GetAsync(m.Name, m.Version, ct) is { } existing) return Same(existing, package);
        var bytes = CanonicalPackageZip.Write(package);
        await blobs.WriteAsync(PackageKey(package.Sha256), bytes, ct);
        var record = new ModelRecord(m.Name, m.Version, package.Sha256, m.Task, m.Protocol, package.ManifestJson, bytes.LongLength, actor.Name, DateTimeOffset.UtcNow);
        if (!await store.AddAsync(record, ct))
            return Same(await store.GetAsync(m.Name, m.Version, ct) ?? throw new InvalidOperationException($"{resource} vanished"), package);
        await AuditAsync(actor, AuditActions.ModelPush, resource, new { name = m.Name, version = m.Version, sha256 = package.Sha256, task = m.Task, protocol = m.Protocol });
        return new PushOutcome(record, true);
    }

    static PushOutcome Same(ModelRecord existing, ModelPackage package) =>
        existing.Sha256 == package.Sha256
            ? new PushOutcome(existing, false)
            : throw AnnotationRefusedException.Conflict(
                $"model {existing.Name} version {existing.Version} exists with another package (sha256 {existing.Sha256}); versions are immutable: push it as a new version");

    /// <summary>The versions the caller may see: their own (developers), or all (stewards, admins).</summary>
    public async Task<IReadOnlyList<ModelRecord>> ListAsync(AnnotationActor actor, CancellationToken ct = default) =>
        await store.ListAsync(SeesAll(actor) ? null : actor.Name, ct);

    /// <summary>One version the caller may see.</summary>
    public async Task<ModelRecord> GetAsync(AnnotationActor actor, string name, string version, CancellationToken ct = default)
    {
        var r = await store.GetAsync(name, version, ct);
        if (r is null || (!SeesAll(actor) && r.Owner != actor.Name)) throw AnnotationRefusedException.NotFound($"no model {name} version {version}");
        return r;
    }

    /// <summary>The stored package's bytes (its owner, stewards and admins), audited.</summary>
    public async Task<byte[]> DownloadAsync(AnnotationActor actor, string name, string version, CancellationToken ct = default)
    {
        var r = await GetAsync(actor, name, version, ct);
        await AuditAsync(actor, AuditActions.ModelDownload, $"model:{name}@{version}", new { sha256 = r.Sha256 });
        return await ReadPackageBytesAsync(r, ct);
    }

    /// <summary>Opens a stored version's package for the evaluation runner, checking its content hash again.</summary>
    public async Task<ModelPackage> OpenAsync(ModelRecord r, CancellationToken ct = default)
    {
        var bytes = await ReadPackageBytesAsync(r, ct);
        var p = ModelPackage.Read(new MemoryStream(bytes), Limits);
        if (p.Sha256 != r.Sha256) throw new InvalidDataException($"the stored package of {r.Name}@{r.Version} has content hash {p.Sha256}, not {r.Sha256}");
        return p;
    }

    async Task<byte[]> ReadPackageBytesAsync(ModelRecord r, CancellationToken ct)
    {
        await using var s = blobs.OpenRead(PackageKey(r.Sha256));
        using var m = new MemoryStream();
        await s.CopyToAsync(m, ct);
        return m.ToArray();
    }
}
