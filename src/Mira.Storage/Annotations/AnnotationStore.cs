using System.Data.Common;
using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Annotations;

/// <summary>
/// Protocol versions, project protocols and annotator records (<see cref="AnnotationSchema"/>); tasks, assignments and
/// versions are in <c>AnnotationStore.Tasks.cs</c>. SQL only: what a role or a state means is the platform's business.
/// </summary>
public sealed partial class AnnotationStore(StorageDatabase db)
{
    public StorageDatabase Database => db;

    sealed class ProtocolRow
    {
        public string protocol { get; set; } = "";
        public long version { get; set; }
        public string sha256 { get; set; } = "";
        public string definition { get; set; } = "";
        public string workflow { get; set; } = "";
        public long built_in { get; set; }
        public string created_by { get; set; } = "";
        public long created_us { get; set; }
        public ProtocolVersionRecord ToRecord() => new(protocol, (int)version, sha256, definition, workflow, built_in != 0, created_by, FromMicros(created_us));
    }

    const string ProtocolColumns = "protocol, version, sha256, definition, workflow, built_in, created_by, created_us";

    /// <summary>Adds a version; false when that protocol already has that version number.</summary>
    public async Task<bool> AddProtocolVersionAsync(ProtocolVersionRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_protocol_versions ({ProtocolColumns})
            VALUES (@Protocol, @Version, @Sha256, @Definition, @Workflow, @builtIn, @CreatedBy, @created)
            ON CONFLICT (protocol, version) DO NOTHING
            """, new { r.Protocol, r.Version, r.Sha256, r.Definition, r.Workflow, builtIn = r.BuiltIn ? 1 : 0, r.CreatedBy, created = ToMicros(r.Created) },
            cancellationToken: ct)) == 1;
    }

    /// <summary>A protocol at a version, or its latest version when <paramref name="version"/> is null; null when absent.</summary>
    public async Task<ProtocolVersionRecord?> GetProtocolVersionAsync(string protocol, int? version = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<ProtocolRow>(new CommandDefinition(version is null
            ? $"SELECT {ProtocolColumns} FROM mira_protocol_versions WHERE protocol = @protocol ORDER BY version DESC LIMIT 1"
            : $"SELECT {ProtocolColumns} FROM mira_protocol_versions WHERE protocol = @protocol AND version = @version",
            new { protocol, version }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>Every protocol's versions, by protocol id then version.</summary>
    public async Task<IReadOnlyList<ProtocolVersionRecord>> ListProtocolVersionsAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<ProtocolRow>(new CommandDefinition(
            $"SELECT {ProtocolColumns} FROM mira_protocol_versions ORDER BY protocol, version", cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }

    /// <summary>Attaches a protocol version to a project, or moves an attached protocol to another version.</summary>
    public async Task AttachProtocolAsync(ProjectProtocolRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_project_protocols (project, protocol, version, attached_by, attached_us) VALUES (@Project, @Protocol, @Version, @AttachedBy, @at)
            ON CONFLICT (project, protocol) DO UPDATE SET version = excluded.version, attached_by = excluded.attached_by, attached_us = excluded.attached_us
            """, new { r.Project, r.Protocol, r.Version, r.AttachedBy, at = ToMicros(r.Attached) }, cancellationToken: ct));
    }

    /// <summary>The protocols a project uses, by id.</summary>
    public async Task<IReadOnlyList<ProjectProtocolRecord>> ListProjectProtocolsAsync(string project, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string Protocol, long Version, string By, long At)>(new CommandDefinition(
            "SELECT protocol, version, attached_by, attached_us FROM mira_project_protocols WHERE project = @project ORDER BY protocol",
            new { project }, cancellationToken: ct));
        return [.. rows.Select(r => new ProjectProtocolRecord(project, r.Protocol, (int)r.Version, r.By, FromMicros(r.At)))];
    }

    /// <summary>Creates or replaces an annotator's record.</summary>
    public async Task SetAnnotatorAsync(AnnotatorRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("""
            INSERT INTO mira_annotators (user_name, profile, updated_by, updated_us) VALUES (@User, @ProfileJson, @UpdatedBy, @at)
            ON CONFLICT (user_name) DO UPDATE SET profile = excluded.profile, updated_by = excluded.updated_by, updated_us = excluded.updated_us
            """, new { r.User, r.ProfileJson, r.UpdatedBy, at = ToMicros(r.Updated) }, cancellationToken: ct));
    }

    /// <summary>Annotator records: all, or those of <paramref name="users"/>; by user name.</summary>
    public async Task<IReadOnlyList<AnnotatorRecord>> ListAnnotatorsAsync(IReadOnlyCollection<string>? users = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var sql = "SELECT user_name, profile, updated_by, updated_us FROM mira_annotators"
            + (users is null ? "" : " WHERE " + db.InList("user_name", "@users")) + " ORDER BY user_name";
        var rows = await c.QueryAsync<(string User, string Profile, string By, long At)>(new CommandDefinition(sql, new { users = users?.ToArray() }, cancellationToken: ct));
        return [.. rows.Select(r => new AnnotatorRecord(r.User, r.Profile, r.By, FromMicros(r.At)))];
    }

    static async Task<DbTransaction> BeginAsync(DbConnection c, CancellationToken ct) => await c.BeginTransactionAsync(ct);
}

public sealed partial class AnnotationStore
{
    /// <summary>Flags a task as a gold case (a known answer was added to it).</summary>
    public async Task MarkGoldAsync(long task, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await c.ExecuteAsync(new CommandDefinition("UPDATE mira_annotation_tasks SET gold = 1 WHERE id = @task", new { task }, cancellationToken: ct));
    }
}
