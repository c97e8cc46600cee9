using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Mira.Storage.Security;

namespace Mira.Storage.Migrations;

/// <summary>What <see cref="MigrationRunner.ApplyAsync"/> did.</summary>
public sealed record MigrationResult(int From, int To, IReadOnlyList<string> Applied);

/// <summary>
/// The one migrations runner for every table, on SQLite and PostgreSQL alike. The history is the table
/// <c>mira_schema_migrations</c> (version, name, time applied). Opening a database applies the missing steps of its
/// set in one transaction, serialised against other nodes and processes (<c>BEGIN IMMEDIATE</c> on SQLite, an
/// advisory lock on PostgreSQL), so a crash half-way leaves the schema as it was. A database newer than this Mira is
/// refused. A database made before the runner existed (an index with <c>schema_version</c> 1 and tables created on
/// open) is adopted: its index step is recorded as applied, and the later steps, written to be idempotent, find
/// their tables there and leave them and their rows as they are.
/// </summary>
public static class MigrationRunner
{
    const string History = "mira_schema_migrations";
    const long LockKey = 0x4D495241_0000000A; // "MIRA" + schema

    public static async Task<MigrationResult> ApplyAsync(StorageDatabase db, MigrationSet set, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        await using var tx = await SecuritySchema.BeginSerializedAsync(c, LockKey, ct);
        await c.ExecuteAsync(new CommandDefinition(
            $"CREATE TABLE IF NOT EXISTS {History} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_utc TEXT NOT NULL)",
            transaction: tx, cancellationToken: ct));
        var applied = (await c.QueryAsync<long>(new CommandDefinition($"SELECT version FROM {History}", transaction: tx, cancellationToken: ct)))
            .Select(v => (int)v).ToHashSet();
        if (applied.Count == 0) await AdoptLegacyIndexAsync(c, tx, set, applied, ct);
        var from = applied.Count == 0 ? 0 : applied.Max();
        if (from > set.LatestVersion)
            throw new InvalidOperationException(
                $"the {set.Name} database has schema version {from}, newer than this Mira understands ({set.LatestVersion}); upgrade Mira");
        var done = new List<string>();
        foreach (var step in set.Steps.Where(s => !applied.Contains(s.Version)))
        {
            foreach (var sql in step.Statements(db.Provider))
                await c.ExecuteAsync(new CommandDefinition(sql, transaction: tx, cancellationToken: ct));
            if (step.Code is { } code) await code(c, tx, db.Provider, ct);
            await c.ExecuteAsync(new CommandDefinition($"INSERT INTO {History} (version, name, applied_utc) VALUES (@v, @n, @t)",
                new { v = step.Version, n = step.Name, t = DateTimeOffset.UtcNow.ToString("O") }, tx, cancellationToken: ct));
            done.Add($"{step.Version} {step.Name}");
        }
        await tx.CommitAsync(ct);
        return new MigrationResult(from, set.LatestVersion, done);
    }

    /// <summary>The versions recorded as applied, in order (for <c>mira archive verify</c> and tests).</summary>
    public static async Task<IReadOnlyList<(int Version, string Name)>> HistoryAsync(StorageDatabase db, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(long Version, string Name)>(new CommandDefinition(
            $"SELECT version, name FROM {History} ORDER BY version", cancellationToken: ct));
        return [.. rows.Select(r => ((int)r.Version, r.Name))];
    }

    /// <summary>
    /// Before this runner the index kept its own <c>schema_version</c> table (version 1 = the index tables); such a
    /// database has those tables already, so step 1 of a set that starts with them is recorded, not run.
    /// </summary>
    static async Task AdoptLegacyIndexAsync(DbConnection c, DbTransaction tx, MigrationSet set, HashSet<int> applied, CancellationToken ct)
    {
        if (set.Steps.Count == 0 || set.Steps[0].Name != MigrationCatalog.IndexStepName) return;
        if (!await TableExistsAsync(c, tx, "schema_version", ct)) return;
        var legacy = await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", transaction: tx, cancellationToken: ct));
        if (legacy is not 1) return;
        await c.ExecuteAsync(new CommandDefinition($"INSERT INTO {History} (version, name, applied_utc) VALUES (@v, @n, @t)",
            new { v = set.Steps[0].Version, n = set.Steps[0].Name + " (adopted from schema_version 1)", t = DateTimeOffset.UtcNow.ToString("O") }, tx,
            cancellationToken: ct));
        applied.Add(set.Steps[0].Version);
    }

    /// <summary>Whether a table is visible (SQLite: the main schema; PostgreSQL: the connection's search path).</summary>
    public static async Task<bool> TableExistsAsync(DbConnection c, DbTransaction? tx, string table, CancellationToken ct)
    {
        var sql = c is SqliteConnection
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table"
            : "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = @table AND schemaname = ANY (current_schemas(false))";
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { table }, tx, cancellationToken: ct)) > 0;
    }

    /// <summary>Whether a table has a column (both providers).</summary>
    public static async Task<bool> ColumnExistsAsync(DbConnection c, DbTransaction? tx, string table, string column, CancellationToken ct)
    {
        var sql = c is SqliteConnection
            ? "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column"
            : "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = @table AND column_name = @column AND table_schema = ANY (current_schemas(false))";
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { table, column }, tx, cancellationToken: ct)) > 0;
    }
}
