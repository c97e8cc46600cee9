using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mira.Annotations.Protocols;
using Mira.Storage.Annotations;

namespace Mira.Platform.Annotations;

/// <summary>A protocol at one version, as tasks use it.</summary>
public sealed record ProtocolVersion(Protocol Protocol, int Version, string Sha256, bool BuiltIn, string CreatedBy, DateTimeOffset Created)
{
    public string Id => Protocol.Id;
}

/// <summary>
/// The protocols Mira knows, versioned (<c>mira_protocol_versions</c>): the ten built in (<see cref="BuiltInProtocols"/>)
/// are registered as version 1 when absent, and a built-in whose definition or workflow changed in a new Mira becomes
/// the next version (tasks keep the version they were created with). Custom protocols are validated by
/// <see cref="ProtocolReader.Read"/> against <c>protocol.schema.json</c>. Versions are immutable, so parsed ones are kept.
/// </summary>
public sealed class ProtocolCatalog(AnnotationStore store)
{
    readonly ConcurrentDictionary<(string, int), ProtocolVersion> parsed = new();

    static readonly JsonSerializerOptions WorkflowJson = new(JsonSerializerDefaults.Web);

    public static string WorkflowToJson(ProtocolWorkflow w) => JsonSerializer.Serialize(w, WorkflowJson);

    static string Hash(string definition, string workflow) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(definition + "\n" + workflow)));

    /// <summary>Registers the built-in protocols that are absent or changed; returns the versions added.</summary>
    public async Task<IReadOnlyList<(string Id, int Version)>> EnsureBuiltInsAsync(CancellationToken ct = default)
    {
        var added = new List<(string, int)>();
        foreach (var p in BuiltInProtocols.Protocols)
        {
            var workflow = WorkflowToJson(p.Workflow);
            var sha = Hash(p.Json, workflow);
            var latest = await store.GetProtocolVersionAsync(p.Id, null, ct);
            if (latest is not null && latest.Sha256 == sha) continue;
            var version = (latest?.Version ?? 0) + 1;
            if (await store.AddProtocolVersionAsync(new ProtocolVersionRecord(p.Id, version, sha, p.Json, workflow, true, "system", DateTimeOffset.UtcNow), ct))
                added.Add((p.Id, version));
        }
        return added;
    }

    /// <summary>A protocol at a version (the latest when null); null when there is none.</summary>
    public async Task<ProtocolVersion?> GetAsync(string id, int? version = null, CancellationToken ct = default)
    {
        if (version is { } v && parsed.TryGetValue((id, v), out var known)) return known;
        var r = await store.GetProtocolVersionAsync(id, version, ct);
        return r is null ? null : parsed.GetOrAdd((r.Protocol, r.Version), _ => Parse(r));
    }

    /// <summary>Every version of every protocol.</summary>
    public async Task<IReadOnlyList<ProtocolVersion>> ListAsync(CancellationToken ct = default) =>
        [.. (await store.ListProtocolVersionsAsync(ct)).Select(r => parsed.GetOrAdd((r.Protocol, r.Version), _ => Parse(r)))];

    static ProtocolVersion Parse(ProtocolVersionRecord r) =>
        new(ProtocolReader.Read(r.Definition, JsonSerializer.Deserialize<ProtocolWorkflow>(r.Workflow, WorkflowJson)), r.Version, r.Sha256, r.BuiltIn,
            r.CreatedBy, r.Created);

    /// <summary>
    /// Adds a custom protocol (or a new version of one): the definition must follow <c>protocol.schema.json</c> and the
    /// rules of <see cref="ProtocolReader"/>; <paramref name="workflowJson"/> null takes the natural workflow for its
    /// geometry and fields. A definition equal to the latest version is that version (nothing is added).
    /// </summary>
    /// <exception cref="AnnotationRefusedException">Invalid: the reader's message; a built-in protocol's id.</exception>
    public async Task<(ProtocolVersion Version, bool Added)> AddCustomAsync(string definition, string? workflowJson, string actor, CancellationToken ct = default)
    {
        Protocol protocol;
        try
        {
            ProtocolWorkflow? workflow = null;
            if (workflowJson is not null)
            {
                workflow = JsonSerializer.Deserialize<ProtocolWorkflow>(workflowJson, WorkflowJson) ?? throw new ProtocolException("the workflow is null");
                if (!AgreementStatistic.IsKnown(workflow.Statistic))
                    throw new ProtocolException($"workflow statistic '{workflow.Statistic}' is not one of {string.Join(", ", AgreementStatistic.All)}");
                if (workflow.AppliesTo is null || workflow.Readers < 1 || !double.IsFinite(workflow.Threshold))
                    throw new ProtocolException("the workflow needs appliesTo, a finite threshold and at least one reader");
            }
            protocol = ProtocolReader.Read(definition, workflow);
        }
        catch (Exception e) when (e is ProtocolException or JsonException)
        {
            throw AnnotationRefusedException.Invalid(e.Message);
        }
        if (BuiltInProtocols.Ids.Contains(protocol.Id))
            throw AnnotationRefusedException.Invalid($"'{protocol.Id}' is a built-in protocol: its versions come with Mira; give a custom protocol an id of its own");
        var workflowText = WorkflowToJson(protocol.Workflow);
        var sha = Hash(definition, workflowText);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var latest = await store.GetProtocolVersionAsync(protocol.Id, null, ct);
            if (latest is not null && latest.Sha256 == sha) return ((await GetAsync(latest.Protocol, latest.Version, ct))!, false);
            var record = new ProtocolVersionRecord(protocol.Id, (latest?.Version ?? 0) + 1, sha, definition, workflowText, false, actor, DateTimeOffset.UtcNow);
            if (await store.AddProtocolVersionAsync(record, ct)) return ((await GetAsync(record.Protocol, record.Version, ct))!, true);
        }
        throw AnnotationRefusedException.Conflict($"protocol {protocol.Id}: versions were being added at the same time; try again");
    }
}
