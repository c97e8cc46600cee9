using Dapper;
using static Mira.Storage.Security.SecuritySchema;

namespace Mira.Storage.Models;

/// <summary>The model registry's rows (<see cref="ModelSchema"/>). SQL only: who may push or read is the platform's business.</summary>
public sealed class ModelStore(StorageDatabase db)
{
    sealed class Row
    {
        public string name { get; set; } = "";
        public string version { get; set; } = "";
        public string sha256 { get; set; } = "";
        public string task { get; set; } = "";
        public string protocol { get; set; } = "";
        public string manifest { get; set; } = "";
        public long package_bytes { get; set; }
        public string owner { get; set; } = "";
        public long pushed_us { get; set; }
        public ModelRecord ToRecord() => new(name, version, sha256, task, protocol, manifest, package_bytes, owner, FromMicros(pushed_us));
    }

    const string Columns = "name, version, sha256, task, protocol, manifest, package_bytes, owner, pushed_us";

    /// <summary>Adds a model version; false (and nothing changed) when that name already has that version.</summary>
    public async Task<bool> AddAsync(ModelRecord r, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO mira_models ({Columns}) VALUES (@Name, @Version, @Sha256, @Task, @Protocol, @ManifestJson, @PackageBytes, @Owner, @pushed)
            ON CONFLICT (name, version) DO NOTHING
            """, new { r.Name, r.Version, r.Sha256, r.Task, r.Protocol, r.ManifestJson, r.PackageBytes, r.Owner, pushed = ToMicros(r.Pushed) },
            cancellationToken: ct)) == 1;
    }

    /// <summary>One version, or null.</summary>
    public async Task<ModelRecord?> GetAsync(string name, string version, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QueryFirstOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM mira_models WHERE name = @name AND version = @version", new { name, version }, cancellationToken: ct));
        return row?.ToRecord();
    }

    /// <summary>Every version (of one owner's models when <paramref name="owner"/> is given), by name then push time.</summary>
    public async Task<IReadOnlyList<ModelRecord>> ListAsync(string? owner = null, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(owner is null
            ? $"SELECT {Columns} FROM mira_models ORDER BY name, pushed_us"
            : $"SELECT {Columns} FROM mira_models WHERE owner = @owner ORDER BY name, pushed_us", new { owner }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToRecord())];
    }
}
