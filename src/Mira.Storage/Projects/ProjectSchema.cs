using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Mira.Storage.Projects;

/// <summary>
/// Where a project's research index lives when the intake index is on PostgreSQL: its own schema
/// <c>mira_project_&lt;id&gt;</c> in the intake's database, holding the same tables as the intake index, reached only
/// through connections whose search path is that schema alone (so an unqualified <c>instances</c> is the project's,
/// and neither the intake tables nor another project's are on the path).
/// </summary>
public static class ProjectSchema
{
    public const string Prefix = "mira_project_";

    /// <summary>PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN − 1); names are kept within it.</summary>
    public const int MaxLength = 63;

    const int HashHexDigits = 16;

    /// <summary>
    /// The schema of a project: <c>mira_project_</c> and the id with <c>-</c> as <c>_</c> (ids have no <c>_</c>, so the
    /// mapping is one-to-one), when that is at most 62 characters; a longer id gets exactly 63: the first mapped
    /// characters, <c>_</c> and 16 hex digits of the SHA-256 of the id. Plain names and hashed names differ in length,
    /// so they never collide. Only <c>a-z0-9_</c>: safe unquoted, and quoted anyway where SQL is built.
    /// </summary>
    public static string NameOf(string projectId)
    {
        if (!ProjectStore.IsValidId(projectId)) throw new ArgumentException($"'{projectId}' is not a project id", nameof(projectId));
        var plain = Prefix + projectId.Replace('-', '_');
        if (plain.Length < MaxLength) return plain;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(projectId)))[..HashHexDigits];
        return plain[..(MaxLength - HashHexDigits - 1)] + "_" + hash;
    }

    /// <summary>A double-quoted PostgreSQL identifier (PostgreSQL SQL syntax §4.1.1: quotes inside are doubled).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Creates the project's schema when missing (through the intake database, serialised with other nodes by an
    /// advisory lock) and returns the project's own database: the intake's connection string with the search path set
    /// to the schema alone. Npgsql pools connections by connection string and sends the search path when a connection
    /// starts, and resets session state (<c>DISCARD ALL</c>) when one goes back to its pool, so a pooled connection
    /// always comes back with its own schema and never serves the intake or another project.
    /// </summary>
    public static async Task<StorageDatabase> OpenAsync(StorageDatabase intake, string projectId, CancellationToken ct = default)
    {
        if (intake.Provider != StorageProvider.PostgreSql) throw new ArgumentException("project schemas are for PostgreSQL", nameof(intake));
        var schema = NameOf(projectId);
        await using (var c = await intake.OpenAsync(ct))
        {
            await using var tx = await c.BeginTransactionAsync(ct);
            await c.ExecuteAsync("SELECT pg_advisory_xact_lock(4242002)", transaction: tx);
            await c.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {Quote(schema)}", transaction: tx);
            await tx.CommitAsync(ct);
        }
        return StorageDatabase.PostgreSql(new NpgsqlConnectionStringBuilder(intake.ConnectionString) { SearchPath = Quote(schema) }.ToString());
    }
}
